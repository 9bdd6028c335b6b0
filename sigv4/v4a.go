package sigv4

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
)

// SigV4a signs with an ECDSA P-256 key derived from the access key pair, so
// one signature is valid in every region of a region set (S3 Multi-Region
// Access Points, other global endpoints). Signatures are randomized: verify
// them with the public key, never by comparing bytes.

// nMinus2 is the order of P-256 minus two: a derived candidate must be below it.
var nMinus2 = func() []byte {
	n := elliptic.P256().Params().N
	b := make([]byte, 32)
	new(bigInt).Sub(n, bigTwo).FillBytes(b)
	return b
}()

// DeriveV4aKey derives the SigV4a private key of an access key pair as AWS
// specifies: NIST SP 800-108 HMAC-SHA256 in counter mode, keyed with
// "AWS4A"+secret, label "AWS4-ECDSA-P256-SHA256", context access key id and a
// one-byte external counter that is bumped until the candidate is below n-2;
// the private scalar is the candidate plus one.
func DeriveV4aKey(accessKeyID, secret string) (*ecdsa.PrivateKey, error) {
	input := make([]byte, 0, 5+len(secret))
	input = append(append(input, "AWS4A"...), secret...)
	defer clear(input)

	msg := make([]byte, 0, 4+len(algorithmV4a)+1+len(accessKeyID)+1+4)
	var scratch []byte
	for counter := 1; counter <= 0xFF; counter++ {
		msg = msg[:0]
		msg = binary.BigEndian.AppendUint32(msg, 1) // KDF block counter i = 1
		msg = append(msg, algorithmV4a...)
		msg = append(msg, 0)
		msg = append(msg, accessKeyID...)
		msg = append(msg, byte(counter))
		msg = binary.BigEndian.AppendUint32(msg, 256) // output length in bits
		k := hmacSHA256(input, msg, &scratch)
		if bytes.Compare(k[:], nMinus2) >= 0 {
			continue
		}
		d := addOne(k)
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
		clear(k[:])
		clear(d[:])
		if err != nil {
			return nil, fmt.Errorf("sigv4: derive SigV4a key: %w", err)
		}
		return priv, nil
	}
	return nil, errors.New("sigv4: derive SigV4a key: counter exhausted")
}

// addOne returns k+1 as a 32-byte big-endian number (k < n-2, so no overflow).
func addOne(k [32]byte) [32]byte {
	for i := 31; i >= 0; i-- {
		k[i]++
		if k[i] != 0 {
			break
		}
	}
	return k
}

// v4aKey returns the cached SigV4a key of the credentials, deriving it on a miss.
func (c *KeyCache) v4aKey(creds *Credentials) (*ecdsa.PrivateKey, error) {
	c.mu.RLock()
	e := c.v4a[creds.AccessKeyID]
	c.mu.RUnlock()
	if e != nil && e.secret == creds.SecretAccessKey {
		return e.key, nil
	}
	key, err := DeriveV4aKey(creds.AccessKeyID, creds.SecretAccessKey)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.v4a == nil {
		c.v4a = make(map[string]*v4aEntry)
	}
	if len(c.v4a) >= c.limit() {
		for k := range c.v4a {
			delete(c.v4a, k)
			break
		}
	}
	c.v4a[creds.AccessKeyID] = &v4aEntry{secret: creds.SecretAccessKey, key: key}
	c.mu.Unlock()
	return key, nil
}

type v4aEntry struct {
	secret string
	key    *ecdsa.PrivateKey
}

// signV4a returns the ASN.1 DER ECDSA signature of SHA-256(stringToSign).
func signV4a(creds *Credentials, stringToSign []byte, sc *state) ([]byte, error) {
	key, err := sc.keyCache.v4aKey(creds)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(stringToSign)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sigv4: SigV4a signature: %w", err)
	}
	return sig, nil
}

// VerifyV4a reports whether sigHex is a valid SigV4a signature of
// stringToSign under pub; servers and tests use it.
func VerifyV4a(pub *ecdsa.PublicKey, stringToSign string, sig []byte) bool {
	digest := sha256.Sum256([]byte(stringToSign))
	return ecdsa.VerifyASN1(pub, digest[:], sig)
}

type bigInt = big.Int

var bigTwo = big.NewInt(2)
