package audit

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// settingScanned is the store setting below which every begin record is
// known to have its end (or interrupted) record: MarkInterrupted reads on
// from there, so it does not read the whole log at every start.
const settingScanned = "audit.closed_through_seq"

// scanPage is how many records a scan reads at a time.
const scanPage = 1000

// settingClaimPrefix names the store setting that claims an entry for one
// interrupted record: of processes that take one call for dead at the same
// moment (replicas sweeping one store), the one whose CreateSetting wins
// writes the record, so an entry is never marked twice.
const settingClaimPrefix = "audit.interrupted:"

// MarkInterrupted writes an interrupted record for every entry whose begin
// record has no end and never will: the call died with the process that
// made it. Open calls it. A begin record without an end may also belong to
// a call still running in another process that shares the store, so an
// entry is taken for dead only when
//
//   - its writer is this process (same host and process id) and the Log
//     that began it is no longer open here;
//   - its writer ran on this host and its process id is no longer running
//     (a process of this machine that crashed or was killed);
//   - or, whoever wrote it, its begin record is older than the grace period
//     (Options.Grace, an hour by default): hosts cannot see each other's
//     processes, and a process id may have been reused.
//
// An end record that arrives after all (a live call taken for dead) is
// kept; List shows the entry as ended. Processes sharing a store may mark
// at the same time: each entry gets one interrupted record (see
// settingClaimPrefix). It returns how many entries it marked.
func (l *Log) MarkInterrupted(ctx context.Context) (int, error) {
	from := l.scannedThrough(ctx)
	open := map[string]store.AuditRecord{}
	last := from
	for {
		recs, err := l.store.ListAudit(ctx, store.AuditQuery{AfterSeq: last, Limit: scanPage})
		if err != nil {
			return 0, fmt.Errorf("audit: find unfinished entries: %w", err)
		}
		for _, r := range recs {
			last = r.Seq
			if r.Kind == KindBegin {
				open[r.EntryID] = r
			} else {
				delete(open, r.EntryID)
			}
		}
		if len(recs) < scanPage {
			break
		}
	}

	now := l.now()
	keep := last // every begin up to keep is closed, once the dead are marked
	var dead []openEntry
	var reasons []string
	for _, b := range open {
		if why := l.deadReason(b, now); why != "" {
			dead = append(dead, openEntry{seq: b.Seq, data: b.Data})
			reasons = append(reasons, why)
		} else {
			keep = min(keep, b.Seq-1)
		}
	}
	n := 0
	if len(dead) > 0 {
		var err error
		n, err = l.interruptEach(ctx, dead, reasons, false)
		if err != nil {
			return n, err
		}
		l.log.Warn("audit: marked entries whose calls died with their process", "entries", n)
	}
	if keep > from {
		if err := l.store.PutSetting(ctx, settingScanned, strconv.AppendInt(nil, keep, 10)); err != nil {
			return n, fmt.Errorf("audit: %w", err)
		}
	}
	return n, nil
}

// scannedThrough reads settingScanned; 0 (scan everything) when unset or
// unreadable.
func (l *Log) scannedThrough(ctx context.Context) int64 {
	v, err := l.store.GetSetting(ctx, settingScanned)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			l.log.Warn("audit: read the scan mark; reading the whole log", "err", err)
		}
		return 0
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// deadReason says why the call of begin record b is dead, or "" when it
// may be running.
func (l *Log) deadReason(b store.AuditRecord, now time.Time) string {
	var d struct {
		Writer *Writer `json:"writer"`
	}
	json.Unmarshal(b.Data, &d) // a record that does not decode has no writer: the grace rule
	w := d.Writer
	me := l.writer
	switch {
	case w != nil && w.Host == me.Host && w.PID == me.PID:
		if _, ok := live.Load(w.Instance); !ok {
			return "the call's end was never recorded: the audit log of this process that began it is gone"
		}
		return ""
	case w != nil && w.Host == me.Host && w.PID > 0 && !processRunning(w.PID):
		return fmt.Sprintf("the call's end was never recorded: process %d on %s, which made it, is gone", w.PID, w.Host)
	case now.Sub(b.Time) > l.grace:
		return fmt.Sprintf("the call's end was never recorded, %s after it began", l.grace)
	}
	return ""
}

// interrupt writes an interrupted record for each of entries, all with the
// same reason.
func (l *Log) interrupt(ctx context.Context, entries []openEntry, reason string, internal bool) (int, error) {
	reasons := make([]string, len(entries))
	for i := range reasons {
		reasons[i] = reason
	}
	return l.interruptEach(ctx, entries, reasons, internal)
}

// interruptEach writes an interrupted record for each entry, in the order
// of their begin records, and waits until all are committed.
// internal: queued by Close, after it closed the log to others.
func (l *Log) interruptEach(ctx context.Context, entries []openEntry, reasons []string, internal bool) (int, error) {
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(entries[a].seq, entries[b].seq) })
	at := l.now()
	var queued []*pending
	for _, i := range idx {
		var e Entry
		if err := json.Unmarshal(entries[i].data, &e); err != nil {
			l.log.Error("audit: a begin record does not decode; it cannot be marked interrupted", "seq", entries[i].seq, "err", err)
			continue
		}
		// Claim the entry first; a claim another process holds means it
		// marks the entry. (A process that dies between its claim and its
		// record leaves the entry open: verify counts it in flight.)
		switch err := l.store.CreateSetting(ctx, settingClaimPrefix+e.ID, []byte(l.writer.Instance)); {
		case errors.Is(err, store.ErrConflict):
			continue
		case err != nil:
			return 0, fmt.Errorf("audit: claim entry %s to mark it interrupted: %w", e.ID, err)
		}
		e.Outcome = OutcomeInterrupted
		e.ErrorMessage = reasons[i]
		p, err := prepare(KindInterrupted, &e, at)
		if err != nil {
			return 0, fmt.Errorf("audit: interrupted record of %s: %w", e.ID, err)
		}
		q := &pending{rec: p, done: make(chan result, 1)}
		if err := l.enqueue(ctx, q, internal); err != nil {
			return 0, fmt.Errorf("audit: interrupted record of %s: %w", e.ID, err)
		}
		queued = append(queued, q)
	}
	n := 0
	var first error
	for _, q := range queued {
		if r := <-q.done; r.err != nil {
			first = cmp.Or(first, r.err)
		} else {
			n++
		}
	}
	if first != nil {
		return n, fmt.Errorf("audit: write interrupted records: %w", first)
	}
	return n, nil
}
