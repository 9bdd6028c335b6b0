package audit

import (
	"context"
	"fmt"
	"hash"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// commitTimeout bounds one transaction of the committer, lock wait included,
// in a store that honours it (PostgreSQL); SQLite's store bounds its lock
// wait by its busy timeout instead, and runs the append uncancelled.
const commitTimeout = time.Minute

// endLinger is how long end records nobody waits for (EndLater) wait for
// a record someone does wait for, so that both share one commit: an agent
// calling in a loop then pays one fsync a call, not its begin's plus the
// last call's end's. A crash in that time leaves the entry open, and it is
// marked interrupted (see EndLater); reads (Flush) and Close do not wait.
const endLinger = 5 * time.Millisecond

// run is the committer: it takes what is queued, up to maxBatch records,
// commits it in one AppendAudit, tells the waiters, and starts again. While
// one batch is being committed the next one gathers in the queue.
func (l *Log) run(mac hash.Hash) {
	defer close(l.done)
	batch := make([]*pending, 0, l.maxBatch)
	for {
		q, ok := <-l.queue
		if !ok {
			return
		}
		batch = append(batch[:0], q)
		n := 0
		if q.rec != nil {
			n = 1
		}
	gather:
		for n < l.maxBatch {
			select {
			case q, ok := <-l.queue:
				if !ok {
					break gather
				}
				batch = append(batch, q)
				if q.rec != nil {
					n++
				}
			default:
				break gather
			}
		}
		if onlyLater(batch) && n < l.maxBatch {
			batch, n = l.linger(batch, n)
		}
		l.commit(mac, batch, n)
		clear(batch)
	}
}

// onlyLater reports whether nobody waits on batch: it holds only end
// records queued by EndLater.
func onlyLater(batch []*pending) bool {
	for _, q := range batch {
		if !q.later {
			return false
		}
	}
	return true
}

// linger adds to a batch of EndLater records what is queued within
// endLinger, and returns as soon as a record or flush that someone waits
// for arrives (with what is queued right behind it), the batch is full, or
// the log closes.
func (l *Log) linger(batch []*pending, n int) ([]*pending, int) {
	t := time.NewTimer(endLinger)
	defer t.Stop()
	waited := false
	for n < l.maxBatch {
		var q *pending
		var ok bool
		if waited {
			select {
			case q, ok = <-l.queue:
			default:
				return batch, n
			}
		} else {
			select {
			case q, ok = <-l.queue:
			case <-t.C:
				return batch, n
			}
		}
		if !ok {
			return batch, n
		}
		batch = append(batch, q)
		if q.rec != nil {
			n++
		}
		waited = waited || !q.later
	}
	return batch, n
}

func (l *Log) commit(mac hash.Hash, batch []*pending, n int) {
	var (
		recs []store.AuditRecord
		err  error
	)
	if n > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		recs, err = l.store.AppendAudit(ctx, func(head store.AuditHead) ([]store.AuditRecord, error) {
			out := make([]store.AuditRecord, 0, n)
			prev, seq := head.Hash, head.Seq
			for _, q := range batch {
				if q.rec == nil {
					continue
				}
				seq++
				r := q.rec.rec
				r.Data = q.rec.data(seq)
				r.PrevHash = prev
				r.Hash = chainHash(mac, prev, r.Data)
				r.Seq = seq
				out = append(out, r)
				prev = r.Hash
			}
			return out, nil
		})
		cancel()
		if err == nil && len(recs) != n {
			err = fmt.Errorf("the store stored %d records of %d", len(recs), n)
		}
		if err != nil {
			l.log.Error("audit records could not be written", "records", n, "err", err)
		}
	}

	// Track open entries before anyone learns of the commit, so that a
	// Close that follows a returning End never sees a stale begin.
	if err == nil {
		l.openMu.Lock()
		for _, r := range recs {
			if r.Kind == KindBegin {
				l.open[r.EntryID] = openEntry{seq: r.Seq, data: r.Data}
			} else {
				delete(l.open, r.EntryID)
			}
		}
		l.openMu.Unlock()
	}
	i := 0
	for _, q := range batch {
		var res result
		if q.rec != nil {
			if err != nil {
				res.err = err
			} else {
				res.rec = recs[i]
			}
			i++
		}
		q.done <- res
		if q.later {
			l.later.Add(-1)
		}
	}
	if err == nil && len(l.sinks) > 0 {
		l.toSinks(recs)
	}
}

// toSinks hands committed records to the sinks, logging their errors.
func (l *Log) toSinks(recs []store.AuditRecord) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, r := range recs {
		e, err := entryOf(r)
		if err != nil {
			l.log.Error("audit sink: decode record", "seq", r.Seq, "err", err)
			continue
		}
		for _, s := range l.sinks {
			if err := s.Append(ctx, e); err != nil {
				l.log.Error("audit sink failed; the store still holds the record", "seq", r.Seq, "err", err)
			}
		}
	}
}
