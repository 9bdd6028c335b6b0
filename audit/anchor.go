package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/alter-mcp/alter-mcp/store"
)

// ProblemTruncated: records were cut from the end of the chain, past an
// anchor kept elsewhere.
const ProblemTruncated = "truncated"

// ParseAnchor reads an anchor written as SEQ:HASH, the head a Verify
// printed ("seq 96 hash 420d…" keeps as "96:420d…").
func ParseAnchor(s string) (store.AuditHead, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return store.AuditHead{}, fmt.Errorf("anchor %q: write it as SEQ:HASH, the head audit verify printed (96:420d98bd…, 64 hex digits)", s)
	}
	return store.AuditHead{Seq: n, Hash: hash}, nil
}

// AnchorOf reads the anchor of one record as a Sink or an export wrote it
// (Line): its seq and hash.
func AnchorOf(line []byte) (store.AuditHead, error) {
	var r struct {
		Seq  int64  `json:"seq"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return store.AuditHead{}, fmt.Errorf("not an audit record: %w", err)
	}
	return ParseAnchor(fmt.Sprintf("%d:%s", r.Seq, r.Hash))
}

// ReadAnchorFile returns the anchor of the newest record in a file a
// FileSink writes (serve --audit-file), which keeps every record outside
// the store as it is committed. It reads the file's last complete line,
// from the end, so the file's length does not matter; a line cut short by a
// crash is passed over. (An export's lines are anchors too, but its last
// line need not be the newest record: it lists entries.)
func ReadAnchorFile(path string) (store.AuditHead, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.AuditHead{}, fmt.Errorf("anchor file: %w", err)
	}
	defer f.Close()
	line, err := lastLine(f)
	if err != nil {
		return store.AuditHead{}, fmt.Errorf("anchor file %s: %w", path, err)
	}
	h, err := AnchorOf(line)
	if err != nil {
		return store.AuditHead{}, fmt.Errorf("anchor file %s: its last line: %w", path, err)
	}
	return h, nil
}

// lastLine returns the last line of f that ends with a newline, reading
// backwards in blocks.
func lastLine(f *os.File) ([]byte, error) {
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	const block = 64 << 10
	var tail []byte // the bytes from pos to end
	pos := end
	for {
		// tail holds a complete line once a newline precedes the last
		// newline in it, or the file's start is reached.
		if i := bytes.LastIndexByte(tail, '\n'); i >= 0 {
			if j := bytes.LastIndexByte(tail[:i], '\n'); j >= 0 || pos == 0 {
				if line := tail[j+1 : i]; len(bytes.TrimSpace(line)) > 0 {
					return line, nil
				}
				// An empty line: look before it.
				tail = tail[:j+1]
				if j < 0 {
					return nil, errors.New("it holds no record")
				}
				continue
			}
		} else if pos == 0 {
			return nil, errors.New("it holds no complete record")
		}
		n := min(int64(block), pos)
		pos -= n
		buf := make([]byte, n, n+int64(len(tail)))
		if _, err := f.ReadAt(buf, pos); err != nil {
			return nil, err
		}
		tail = append(buf, tail...)
	}
}

// CheckAnchor adds to a Report of a chain that verified the one tampering
// a chain cannot show by itself: records cut from its end. anchor is a head
// an earlier Verify reported and the operator kept outside the store; the
// chain must still hold that record with that hash. It sets rep.Problem
// when it does not.
func (l *Log) CheckAnchor(ctx context.Context, rep *Report, anchor store.AuditHead) error {
	if rep.Problem != nil {
		return nil // the chain is broken before: that is reported already
	}
	if anchor.Seq > rep.Head.Seq {
		rep.Problem = &Problem{Kind: ProblemTruncated, Seq: rep.Head.Seq + 1,
			Detail: fmt.Sprintf("the chain ends at seq %d, but the anchor names seq %d: records %d to %d (at least) were removed from its end", rep.Head.Seq, anchor.Seq, rep.Head.Seq+1, anchor.Seq)}
		return nil
	}
	recs, err := l.store.ListAudit(ctx, store.AuditQuery{AfterSeq: anchor.Seq - 1, Limit: 1})
	if err != nil {
		return fmt.Errorf("read audit record %d: %w", anchor.Seq, err)
	}
	if len(recs) != 1 || recs[0].Seq != anchor.Seq || recs[0].Hash != anchor.Hash {
		rep.Problem = &Problem{Kind: ProblemChanged, Seq: anchor.Seq,
			Detail: fmt.Sprintf("the anchor says record %d has hash %s; the chain, which verifies, holds another: it was rewritten from there on with the audit key", anchor.Seq, anchor.Hash)}
		if len(recs) == 1 {
			rep.Problem.RecordID, rep.Problem.EntryID = recs[0].ID, recs[0].EntryID
		}
	}
	return nil
}
