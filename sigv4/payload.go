package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// HashBytes returns the hex SHA-256 of b, the payload hash of a body held in memory.
func HashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// copyBufs are the buffers hashing streams through, so a multi-gigabyte body
// is hashed in constant memory.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// HashReader returns the hex SHA-256 of what r holds from its current offset
// to its end, and seeks r back to that offset, so the body can then be sent.
func HashReader(r io.ReadSeeker) (string, error) {
	sum, err := hashSeeker(r)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

func hashSeeker(r io.ReadSeeker) ([32]byte, error) {
	start, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return [32]byte{}, fmt.Errorf("sigv4: hash body: %w", err)
	}
	sum, err := hashStream(r)
	if err != nil {
		return sum, err
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return sum, fmt.Errorf("sigv4: rewind body after hashing: %w", err)
	}
	return sum, nil
}

func hashStream(r io.Reader) ([32]byte, error) {
	h := sha256.New()
	bp := copyBufs.Get().(*[]byte)
	_, err := io.CopyBuffer(h, r, *bp)
	copyBufs.Put(bp)
	var sum [32]byte
	if err != nil {
		return sum, fmt.Errorf("sigv4: hash body: %w", err)
	}
	h.Sum(sum[:0])
	return sum, nil
}

// hashBody hashes req's body without keeping it: through a fresh copy from
// GetBody, or by reading and seeking back a body that can seek.
func hashBody(req *http.Request) ([32]byte, error) {
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return [32]byte{}, fmt.Errorf("sigv4: get body for hashing: %w", err)
		}
		defer body.Close()
		return hashStream(body)
	}
	if rs, ok := req.Body.(io.ReadSeeker); ok {
		return hashSeeker(rs)
	}
	return [32]byte{}, ErrBodyNotHashed
}
