package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Query selects entries; zero fields do not filter. The filters apply to
// the records of an entry, which all carry the same caller, grant, tool,
// decision and operation; Since and Until apply to when a record was
// written.
type Query struct {
	Since, Until time.Time
	Caller       string
	GrantID      string
	Tool         string
	Decision     string // allow | deny
	Operation    string // the operation's name, as CloudTrail's eventName: GetObject
	// Limit keeps the newest Limit entries; 0 keeps all.
	Limit int
}

func (q Query) store(after int64, limit int, newest bool) store.AuditQuery {
	return store.AuditQuery{
		AfterSeq: after, Since: q.Since, Until: q.Until,
		Caller: q.Caller, GrantID: q.GrantID, Tool: q.Tool, Decision: q.Decision, Operation: q.Operation,
		Limit: limit, Newest: newest,
	}
}

// rank orders the records of one entry: an end tells more than an
// interrupted record (the call was alive after all), which tells more
// than the begin.
func rank(kind string) int {
	switch kind {
	case KindEnd:
		return 3
	case KindInterrupted:
		return 2
	}
	return 1
}

// folder gathers records into entries, each in the state of its most
// telling record.
type folder struct {
	idx map[string]int
	out []Entry
	err error
}

func (f *folder) add(r store.AuditRecord) {
	if f.idx == nil {
		f.idx = map[string]int{}
	}
	e, err := entryOf(r)
	if err != nil {
		f.err = cmp.Or(f.err, err)
		return
	}
	i, ok := f.idx[e.ID]
	if !ok {
		f.idx[e.ID] = len(f.out)
		f.out = append(f.out, e)
		return
	}
	old := f.out[i]
	if rank(e.Kind) > rank(old.Kind) || rank(e.Kind) == rank(old.Kind) && e.Seq > old.Seq {
		f.out[i] = e
	}
}

// entries returns what was gathered, ordered by the seq of the record each
// entry is shown as: newest last.
func (f *folder) entries() []Entry {
	slices.SortFunc(f.out, func(a, b Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	return f.out
}

// List returns the entries q selects, oldest first, each in the state of
// its newest record (see the package documentation): a call in flight
// shows its begin record and an empty outcome.
func (l *Log) List(ctx context.Context, q Query) ([]Entry, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("audit: negative limit %d", q.Limit)
	}
	if q.Limit == 0 {
		var f folder
		err := l.scan(ctx, q, 0, func(r store.AuditRecord) error { f.add(r); return nil })
		if err != nil {
			return nil, err
		}
		return f.entries(), f.err
	}
	// The newest records hold the newest entries: an entry has two
	// records, rarely three, so 2·Limit records nearly always suffice.
	for n := 2*q.Limit + 8; ; n *= 2 {
		recs, err := l.store.ListAudit(ctx, q.store(0, n, true))
		if err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		var f folder
		for _, r := range recs {
			f.add(r)
		}
		if f.err != nil {
			return nil, f.err
		}
		es := f.entries()
		// Every record newer than those read is among them, so each entry
		// read is in the state of its newest record.
		if len(es) >= q.Limit || len(recs) < n {
			if len(es) > q.Limit {
				es = es[len(es)-q.Limit:]
			}
			return es, nil
		}
	}
}

// scan calls fn with every record q selects after seq after, in order.
func (l *Log) scan(ctx context.Context, q Query, after int64, fn func(store.AuditRecord) error) error {
	for {
		recs, err := l.store.ListAudit(ctx, q.store(after, scanPage, false))
		if err != nil {
			return fmt.Errorf("audit: read the log: %w", err)
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
			after = r.Seq
		}
		if len(recs) < scanPage {
			return nil
		}
	}
}

// Get returns the entry with this id, in the state of its newest record,
// and each of its records as it was written; store.ErrNotFound (wrapped)
// when there is none.
func (l *Log) Get(ctx context.Context, id string) (Entry, []Entry, error) {
	recs, err := l.store.ListAudit(ctx, store.AuditQuery{EntryID: id})
	if err != nil {
		return Entry{}, nil, fmt.Errorf("audit: get %s: %w", id, err)
	}
	if len(recs) == 0 {
		return Entry{}, nil, fmt.Errorf("audit entry %s: %w", id, store.ErrNotFound)
	}
	var f folder
	var each []Entry
	for _, r := range recs {
		f.add(r)
		e, err := entryOf(r)
		if err != nil {
			return Entry{}, nil, err
		}
		each = append(each, e)
	}
	return f.entries()[0], each, f.err
}

// Follow calls fn with the newest q.Limit entries (none when 0), then every
// interval with the entries that have a new record since, each once per
// round in the state of its newest record: a long call shows up when it
// begins and again when it ends. It returns when ctx ends (nil) or fn
// fails.
func (l *Log) Follow(ctx context.Context, q Query, interval time.Duration, fn func(Entry) error) error {
	if interval <= 0 {
		interval = time.Second
	}
	head, err := l.store.ListAudit(ctx, store.AuditQuery{Limit: 1, Newest: true})
	if err != nil {
		return fmt.Errorf("audit: follow: %w", err)
	}
	var after int64
	if len(head) > 0 {
		after = head[0].Seq
	}
	if q.Limit > 0 {
		es, err := l.List(ctx, q)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		// The records List read are all at or before the newest it shows.
		if len(es) > 0 {
			after = max(after, es[len(es)-1].Seq)
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		var f folder
		last := after
		err := l.scan(ctx, q, after, func(r store.AuditRecord) error {
			f.add(r)
			last = r.Seq
			return nil
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if f.err != nil {
			return f.err
		}
		after = last
		for _, e := range f.entries() {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}
