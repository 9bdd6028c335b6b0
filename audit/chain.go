package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"strconv"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Hash returns the hash of a record whose canonical JSON is data and whose
// predecessor's hash is prevHash ("" for the first record):
// hex(HMAC-SHA256(key, prevHash || data)).
func Hash(key []byte, prevHash string, data []byte) string {
	return chainHash(hmac.New(sha256.New, key), prevHash, data)
}

// chainHash is Hash with an HMAC made once, for the committer's loop.
func chainHash(m hash.Hash, prevHash string, data []byte) string {
	m.Reset()
	io.WriteString(m, prevHash)
	m.Write(data)
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0]))
}

// prepared is a record ready to be chained: its indexed fields, and its
// canonical JSON cut where "seq" goes, so that the committer only has to
// splice the number in. head ends with '{' or ','; tail is "}" or
// ",...}".
type prepared struct {
	rec        store.AuditRecord
	head, tail []byte
}

// prepare builds the record of kind for e, written at at. The record holds
// e as it is now, with kind and recorded_at; its seq and hashes are left
// out until the chain's head is known.
func prepare(kind string, e *Entry, at time.Time) (*prepared, error) {
	s := *e
	s.Seq, s.PrevHash, s.Hash = 0, "", ""
	s.Kind, s.RecordedAt = kind, at.UTC()
	canon, cut, ok := appendEntry(make([]byte, 0, 1024), &s)
	if !ok {
		raw, err := json.Marshal(&s)
		if err != nil {
			return nil, fmt.Errorf("encode the entry: %w", err)
		}
		if canon, cut, err = canonicalizeValid(raw, seqName); err != nil { // json.Marshal's output
			return nil, err
		}
	}
	p := &prepared{
		rec: store.AuditRecord{
			ID:        s.ID + "." + kind,
			Time:      s.RecordedAt,
			Kind:      kind,
			EntryID:   s.ID,
			Caller:    s.Caller,
			GrantID:   s.GrantID,
			Tool:      s.Tool,
			Decision:  s.Decision,
			Operation: s.Operation,
		},
	}
	// "seq" goes at offset cut: before a member (after '{' or a ','),
	// or before the closing brace.
	switch {
	case canon[cut] != '}':
		p.head, p.tail = canon[:cut], append([]byte{','}, canon[cut:]...)
	case cut == 1: // {}
		p.head, p.tail = canon[:1], canon[1:]
	default:
		p.head, p.tail = append(canon[:cut:cut], ','), canon[cut:]
	}
	return p, nil
}

var seqName = []byte("seq")

// data is the record's canonical JSON with seq in its place.
func (p *prepared) data(seq int64) []byte {
	b := make([]byte, 0, len(p.head)+len(p.tail)+26)
	b = append(b, p.head...)
	b = append(b, `"seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	return append(b, p.tail...)
}
