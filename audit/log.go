package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// ErrClosed is returned by Begin and End after Close.
var ErrClosed = errors.New("the audit log is closed")

// Defaults of Options.
const (
	// DefaultGrace is how old a begin record written on another host must
	// be before Open takes its call for dead. It is longer than any call
	// should take: a model answer streamed for many minutes included.
	DefaultGrace = time.Hour
	// DefaultMaxBatch bounds the records committed in one transaction.
	DefaultMaxBatch = 1000
	// DefaultSweep is how often an open Log looks again for calls that
	// died with their process (MarkInterrupted): the calls of a replica
	// that died on another host are marked once they pass Grace, without
	// waiting for some process to open a Log.
	DefaultSweep = 10 * time.Minute
)

// MinKeySize is the shortest HMAC key Open accepts.
const MinKeySize = 32

// Options configure Open.
type Options struct {
	// Key is the HMAC key of the chain (at least MinKeySize bytes); Open
	// copies it. The vault keeps a random one, sealed with its master key.
	Key []byte
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Sinks receive every record this Log commits, after the commit; their
	// errors are logged, never returned to a call.
	Sinks []Sink
	// Grace: see DefaultGrace; 0 means DefaultGrace.
	Grace time.Duration
	// MaxBatch bounds the records of one transaction: 0 means
	// DefaultMaxBatch, 1 commits every record on its own (no group commit).
	MaxBatch int
	// Host names this machine in begin records; "" means os.Hostname.
	Host string
	// Sweep: see DefaultSweep; 0 means DefaultSweep, negative never (only
	// Open marks).
	Sweep time.Duration
}

// Log is the audit trail kept in a store. Begin and End append records to
// the hash chain through one committer goroutine that commits the records
// of concurrent calls together; both wait until their record is committed.
// A Log is safe for concurrent use; several Logs, in this process or in
// others, may append to the same store.
type Log struct {
	store    store.Store
	key      []byte
	now      func() time.Time
	log      *slog.Logger
	sinks    []Sink
	grace    time.Duration
	maxBatch int
	writer   Writer

	// mu orders submissions against Close: a record is queued only while
	// the log is open.
	mu     sync.RWMutex
	closed bool
	queue  chan *pending
	done   chan struct{} // closed when the committer has stopped

	closeOnce sync.Once
	closeErr  error
	// stopSweep ends the sweeper, and swept is closed once it has.
	stopSweep context.CancelFunc
	swept     chan struct{}

	// open holds the committed begin records of the entries this Log began
	// and has not ended, so that Close can mark them interrupted.
	openMu sync.Mutex
	open   map[string]openEntry

	// later counts the records EndLater queued and the committer has not
	// yet finished with, so that Flush costs nothing when there is none.
	later atomic.Int64
}

type openEntry struct {
	seq  int64
	data []byte
}

// pending is a record on its way to the store, or (rec == nil) a flush:
// a marker whose done is signalled once everything queued before it is
// committed.
type pending struct {
	rec  *prepared
	done chan result // buffered: the committer never waits for the caller
	// later: queued by EndLater, which nobody waits for; counted in
	// Log.later until committed.
	later bool
}

type result struct {
	rec store.AuditRecord // as stored: Seq, Data, PrevHash, Hash set
	err error
}

// Open starts a Log on s. Before it returns, it marks interrupted the
// entries whose end will never come (see MarkInterrupted).
func Open(ctx context.Context, s store.Store, o Options) (*Log, error) {
	if len(o.Key) < MinKeySize {
		return nil, fmt.Errorf("audit: the HMAC key is %d bytes; it must be at least %d", len(o.Key), MinKeySize)
	}
	l := &Log{
		key:      append([]byte(nil), o.Key...),
		now:      o.Now,
		log:      o.Logger,
		sinks:    append([]Sink(nil), o.Sinks...),
		grace:    o.Grace,
		maxBatch: o.MaxBatch,
		open:     map[string]openEntry{},
		done:     make(chan struct{}),
	}
	l.store = flushingStore{s, l}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.grace <= 0 {
		l.grace = DefaultGrace
	}
	if l.maxBatch <= 0 {
		l.maxBatch = DefaultMaxBatch
	}
	l.writer = Writer{Host: o.Host, PID: os.Getpid(), Instance: newInstance()}
	if l.writer.Host == "" {
		l.writer.Host, _ = os.Hostname()
	}
	l.queue = make(chan *pending, 2*l.maxBatch)
	live.Store(l.writer.Instance, true)
	go l.run(hmac.New(sha256.New, l.key))

	if _, err := l.MarkInterrupted(ctx); err != nil {
		l.Close()
		return nil, err
	}
	sweepCtx, stop := context.WithCancel(context.Background())
	l.stopSweep, l.swept = stop, make(chan struct{})
	go l.sweep(sweepCtx, o.Sweep)
	return l, nil
}

// sweep runs MarkInterrupted every interval (DefaultSweep for 0) until ctx
// ends; a negative interval never.
func (l *Log) sweep(ctx context.Context, interval time.Duration) {
	defer close(l.swept)
	if interval < 0 {
		return
	}
	if interval == 0 {
		interval = DefaultSweep
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sctx, cancel := context.WithTimeout(ctx, commitTimeout)
		if _, err := l.MarkInterrupted(sctx); err != nil && ctx.Err() == nil {
			l.log.Warn("audit: looking for calls that died with their process", "err", err)
		}
		cancel()
	}
}

// Writer returns the identity this Log writes into its begin records.
func (l *Log) Writer() Writer { return l.writer }

// Begin writes e's begin record and returns once it is committed. It sets
// e.ID and e.Time when they are empty, redacts e's URLs and error message,
// and sets e.Writer; after it returns, e.Seq, e.Kind, e.RecordedAt,
// e.PrevHash and e.Hash describe the record written. If Begin fails the
// call must not be sent.
func (l *Log) Begin(ctx context.Context, e *Entry) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.Time.IsZero() {
		e.Time = l.now().UTC()
	}
	w := l.writer
	e.Writer = &w
	return l.write(ctx, KindBegin, e)
}

// End writes e's end record, which holds the whole entry, and returns once
// it is committed.
func (l *Log) End(ctx context.Context, e *Entry) error {
	if err := l.ending(e); err != nil {
		return err
	}
	return l.write(ctx, KindEnd, e)
}

// ending checks that e was begun and gives it this Log's writer unless it
// has one.
func (l *Log) ending(e *Entry) error {
	if e.ID == "" {
		return errors.New("audit: End of an entry that has no id (Begin was not called)")
	}
	if e.Writer == nil {
		w := l.writer
		e.Writer = &w
	}
	return nil
}

// flushingStore is the store as a Log holds it: its reads first wait for
// the end records EndLater queued, so that what the Log reads (List, Get,
// Verify, ...) holds every call that has returned.
type flushingStore struct {
	store.Store
	l *Log
}

// ListAudit implements store.Store. After Close nothing is pending, and
// Flush's ErrClosed is no reason not to read.
func (f flushingStore) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error) {
	if err := f.l.Flush(ctx); err != nil && !errors.Is(err, ErrClosed) {
		return nil, err
	}
	return f.Store.ListAudit(ctx, q)
}

// EndLater queues e's end record for the next group commit and returns
// without waiting for it: for callers whose begin record is already durable,
// so that a crash before the commit leaves the entry open, and the next Open
// or sweep marks it interrupted, as if the call had died in flight. It fails
// only when the record cannot be queued (ErrClosed, ctx ended while the
// queue was full); a failed commit is logged, and Close marks the entry
// interrupted. Unlike End it does not set e's record fields (Seq, Hash, ...),
// and e may change once it returns. Reads through this Log, and through
// its store's ListAudit as the Log holds it, see the record (Flush).
func (l *Log) EndLater(ctx context.Context, e *Entry) error {
	if err := l.ending(e); err != nil {
		return err
	}
	p, err := l.prepareRecord(KindEnd, e)
	if err != nil {
		return err
	}
	l.later.Add(1)
	q := &pending{rec: p, done: make(chan result, 1), later: true}
	if err := l.enqueue(ctx, q, false); err != nil {
		l.later.Add(-1)
		return fmt.Errorf("audit: write the %s record of %s: %w", KindEnd, e.ID, err)
	}
	return nil
}

// Flush returns once every record EndLater queued before it is committed
// (or failed); at once when there is none.
func (l *Log) Flush(ctx context.Context) error {
	if l.later.Load() == 0 {
		return nil
	}
	flush := &pending{done: make(chan result, 1)}
	if err := l.enqueue(ctx, flush, false); err != nil {
		return err
	}
	select {
	case <-flush.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Log) prepareRecord(kind string, e *Entry) (*prepared, error) {
	e.URL = RedactURL(e.URL)
	if e.Endpoint != "" {
		e.Endpoint = RedactURL(e.Endpoint)
	}
	e.ErrorMessage = RedactText(e.ErrorMessage)
	p, err := prepare(kind, e, l.now())
	if err != nil {
		return nil, fmt.Errorf("audit: %s record of %s: %w", kind, e.ID, err)
	}
	return p, nil
}

func (l *Log) write(ctx context.Context, kind string, e *Entry) error {
	p, err := l.prepareRecord(kind, e)
	if err != nil {
		return err
	}
	r, err := l.submit(ctx, p)
	if err != nil {
		return fmt.Errorf("audit: write the %s record of %s: %w", kind, e.ID, err)
	}
	e.Seq, e.Kind, e.RecordedAt, e.PrevHash, e.Hash = r.Seq, kind, r.Time, r.PrevHash, r.Hash
	return nil
}

// submit queues p and waits for its commit. If ctx ends first the record
// may still be committed; a begin record committed that way is left open
// and marked interrupted at Close.
func (l *Log) submit(ctx context.Context, p *prepared) (store.AuditRecord, error) {
	q := &pending{rec: p, done: make(chan result, 1)}
	if err := l.enqueue(ctx, q, false); err != nil {
		return store.AuditRecord{}, err
	}
	select {
	case r := <-q.done:
		return r.rec, r.err
	case <-ctx.Done():
		return store.AuditRecord{}, fmt.Errorf("%w (the record may still be committed)", ctx.Err())
	}
}

// enqueue queues q unless the log is closed (internal: Close's own
// records, queued after it closed the log to others).
func (l *Log) enqueue(ctx context.Context, q *pending, internal bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !internal {
		l.mu.RLock()
		defer l.mu.RUnlock()
		if l.closed {
			return ErrClosed
		}
	}
	select {
	case l.queue <- q:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the log: it waits for the records queued so far, marks the
// entries this Log began and never ended interrupted (their response body
// was never closed, or End failed), and stops the committer. It does not
// close the store or the sinks. Begin and End fail with ErrClosed after.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.stopTaking()

		ctx := context.Background()
		flush := &pending{done: make(chan result, 1)}
		if err := l.enqueue(ctx, flush, true); err == nil {
			<-flush.done
		}
		l.openMu.Lock()
		var orphans []openEntry
		for _, o := range l.open {
			orphans = append(orphans, o)
		}
		l.openMu.Unlock()
		if len(orphans) > 0 {
			_, l.closeErr = l.interrupt(ctx, orphans, "the call's end was never recorded before its audit log was closed: its response body was never closed, its end record failed, or its caller gave up waiting for the begin record", true)
		}
		close(l.queue)
		<-l.done
		live.Delete(l.writer.Instance)
	})
	return l.closeErr
}

// entryOf decodes a stored record into the entry it holds, with its hashes.
func entryOf(r store.AuditRecord) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(r.Data, &e); err != nil {
		return Entry{}, fmt.Errorf("audit record %d: %w", r.Seq, err)
	}
	if e.Seq == 0 {
		e.Seq = r.Seq
	}
	if e.Kind == "" {
		e.Kind = r.Kind
	}
	if e.ID == "" {
		e.ID = r.EntryID
	}
	e.PrevHash, e.Hash = r.PrevHash, r.Hash
	return e, nil
}

// live holds the instances of the Logs open in this process: a begin
// record of this process whose instance is not live belongs to a Log that
// is gone.
var live sync.Map

// stopTaking stops the sweep and marks l closed: Begin and End fail with
// ErrClosed from here on.
func (l *Log) stopTaking() {
	if l.stopSweep != nil {
		l.stopSweep()
		<-l.swept
	}
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}
