package policy

import (
	"errors"
	"fmt"
	"io"
)

// ErrBodyTooLarge is what a reader from LimitBody returns, wrapped, once the
// body is longer than the cap.
var ErrBodyTooLarge = errors.New("request body too large")

// LimitBody returns a reader that reads r but fails with an error wrapping
// ErrBodyTooLarge once r has more than max bytes, without returning any byte
// past the cap. It is how a caller enforces MaxBodyBytes on a body whose
// length was not known when Evaluate ran (Input.BodyBytes -1). A max of 0 or
// less means no cap, as in MaxBodyBytes, and returns r itself.
//
// The caller must stop the request when the reader fails: bytes already
// sent (up to max) cannot be taken back, which is why a known length is
// better checked by Evaluate before anything is sent.
func LimitBody(r io.Reader, max int64) io.Reader {
	if max <= 0 {
		return r
	}
	return &limitedBody{r: r, left: max, max: max}
}

type limitedBody struct {
	r    io.Reader
	left int64 // bytes still allowed
	max  int64
	err  error // sticky once the cap is passed
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Read one byte more than allowed, to tell a body of exactly max bytes
	// from a longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) <= b.left {
		b.left -= int64(n)
		return n, err
	}
	n = int(b.left)
	b.left = 0
	b.err = fmt.Errorf("policy: %w: more than %d bytes, the grant's max_body_bytes; send a smaller body or ask the operator", ErrBodyTooLarge, b.max)
	return n, b.err
}
