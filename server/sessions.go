package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
)

// sessionTable holds the HTTP sessions of one transport: which caller
// opened each, and when it was last used. A session is usable only by the
// caller that opened it, and ends when idle for longer than ttl (0: never).
type sessionTable struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]*sessionEntry
}

type sessionEntry struct {
	caller string
	last   time.Time
	cancel context.CancelFunc // ends an SSE stream; nil for streamable HTTP
}

func newSessionTable(ttl time.Duration) *sessionTable {
	return &sessionTable{ttl: ttl, now: time.Now, m: map[string]*sessionEntry{}}
}

func (t *sessionTable) add(id, caller string, cancel context.CancelFunc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[id] = &sessionEntry{caller: caller, last: t.now(), cancel: cancel}
}

// use reports whether caller may use session id, and marks it used. An
// idle session is ended here, so that expiry does not wait for the sweeper.
func (t *sessionTable) use(id, caller string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[id]
	if !ok || e.caller != caller {
		return false
	}
	now := t.now()
	if t.expired(e, now) {
		t.endLocked(id, e)
		return false
	}
	e.last = now
	return true
}

func (t *sessionTable) remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, id)
}

func (t *sessionTable) expired(e *sessionEntry, now time.Time) bool {
	return t.ttl > 0 && now.Sub(e.last) > t.ttl
}

func (t *sessionTable) endLocked(id string, e *sessionEntry) {
	delete(t.m, id)
	if e.cancel != nil {
		e.cancel()
	}
}

// sweep ends the sessions idle for longer than ttl and returns their ids.
func (t *sessionTable) sweep() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var ended []string
	for id, e := range t.m {
		if t.expired(e, now) {
			t.endLocked(id, e)
			ended = append(ended, id)
		}
	}
	return ended
}

// endAll ends every session (at shutdown).
func (t *sessionTable) endAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, e := range t.m {
		t.endLocked(id, e)
	}
}

// runSweeper sweeps the table until ctx is done, calling onEnd with what
// each sweep ended.
func (t *sessionTable) runSweeper(ctx context.Context, onEnd func(ids []string)) {
	if t.ttl <= 0 {
		return
	}
	interval := min(max(t.ttl/4, 10*time.Millisecond), time.Minute)
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if ended := t.sweep(); len(ended) > 0 {
					onEnd(ended)
				}
			}
		}
	}()
}

// sessionResolver gives mcp-go's streamable HTTP transport a session id
// manager bound to the request's caller, so that a session id minted for
// one API key is unknown to every other.
type sessionResolver struct{ t *sessionTable }

func (r sessionResolver) ResolveSessionIdManager(req *http.Request) mcpserver.SessionIdManager {
	m := sessionManager{t: r.t}
	if req != nil {
		m.caller, _ = req.Context().Value(callerKey{}).(string)
	}
	return m
}

type sessionManager struct {
	t      *sessionTable
	caller string
}

var errUnknownSession = errors.New("unknown or expired session: initialize again")

func (m sessionManager) Generate() string {
	id := newID("mcp-")
	m.t.add(id, m.caller, nil)
	return id
}

func (m sessionManager) Validate(id string) (bool, error) {
	if !m.t.use(id, m.caller) {
		return false, errUnknownSession
	}
	return false, nil
}

func (m sessionManager) Terminate(id string) (bool, error) {
	m.t.remove(id)
	return false, nil
}
