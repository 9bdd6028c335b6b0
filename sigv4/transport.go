package sigv4

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// CredentialsProvider supplies the credentials to sign a request with. It is
// asked on every request, so it may rotate or refresh them.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// Retrieve makes static Credentials a CredentialsProvider.
func (c Credentials) Retrieve(context.Context) (Credentials, error) { return c, nil }

// Transport is an http.RoundTripper that signs every request it sends, so any
// net/http client can call AWS:
//
//	client := &http.Client{Transport: &sigv4.Transport{
//		Credentials: sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret},
//		Region:      "us-east-1",
//		Service:     "execute-api",
//	}}
//
// The caller's request is never modified: each is cloned, then signed. A body
// is hashed through GetBody (which http.NewRequest sets for in-memory bodies)
// or by seeking; a body that can do neither is sent with UNSIGNED-PAYLOAD when
// UnsignedPayload is set and refused otherwise.
type Transport struct {
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Credentials signs each request.
	Credentials CredentialsProvider
	// Region and Service scope the signature of every request, unless
	// Resolve is set.
	Region, Service string
	// Resolve, when set, names the region and service of each request (from
	// its host name, for example).
	Resolve func(*http.Request) (region, service string, err error)
	// UnsignedPayload leaves bodies out of the signature (S3 accepts this).
	UnsignedPayload bool
	// NormalizePath normalizes paths of non-S3 services before signing.
	NormalizePath bool
	// Signer signs; nil means the zero Signer.
	Signer *Signer
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	closeBody := func() {
		if req.Body != nil {
			req.Body.Close()
		}
	}
	if t.Credentials == nil {
		closeBody()
		return nil, errors.New("sigv4: Transport has no Credentials")
	}
	creds, err := t.Credentials.Retrieve(req.Context())
	if err != nil {
		closeBody()
		return nil, err
	}
	opts := Options{Region: t.Region, Service: t.Service, NormalizePath: t.NormalizePath}
	if t.Resolve != nil {
		if opts.Region, opts.Service, err = t.Resolve(req); err != nil {
			closeBody()
			return nil, err
		}
	}
	r := req.Clone(req.Context())
	if r.Body != nil && r.Body != http.NoBody && r.GetBody == nil {
		if _, seekable := r.Body.(io.ReadSeeker); !seekable {
			if !t.UnsignedPayload {
				closeBody()
				return nil, ErrBodyNotHashed
			}
		}
	}
	if t.UnsignedPayload {
		opts.PayloadHash = UnsignedPayload
	}
	if err := t.Signer.Sign(r, creds, opts); err != nil {
		closeBody()
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}
