package audit

import (
	"context"
	"fmt"
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
