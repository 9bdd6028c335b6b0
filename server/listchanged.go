package server

// Telling a session that its tool list changed. What a session is offered
// follows its caller's grants (tools.Offered); when those change (a grant
// added to the caller, revoked, re-policied), the session is sent
// notifications/tools/list_changed and lists its tools again. Sessions of
// the 2026-07-28 protocol have no server-to-client channel between
// requests; their tool lists carry a short, private cache hint instead.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/alter-mcp/alter-mcp/tools"
)

// DefaultListChangedInterval is how often the server looks for sessions
// whose grants changed.
const DefaultListChangedInterval = 2 * time.Second

// toolListTTL is the cache hint on a tool list: private to the caller, and
// short, since a grant may change at any time.
const toolListTTL = 30 * time.Second

// watched is a session that is told when its tool list changes.
type watched struct {
	mcp mcpserver.ClientSession
	// session is who the session is, known from its first request (not at
	// registration: a stdio session learns its client's name later); known
	// says whether it is yet.
	session tools.Session
	known   bool
	// offered is a digest of what the session was last offered.
	offered string
}

type watcher struct {
	mu       sync.Mutex
	sessions map[string]*watched
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// watchSession starts watching a registered session (2026-07-28 requests
// register none); it is told about changes once its first request has said
// who it is (noteSession).
func (s *Server) watchSession(_ context.Context, cs mcpserver.ClientSession) {
	if cs == nil || cs.SessionID() == "" {
		return
	}
	s.watch.mu.Lock()
	s.watch.sessions[cs.SessionID()] = &watched{mcp: cs}
	s.watch.mu.Unlock()
}

// noteSession records who the session of a request is, the first time, with
// what it is offered now.
func (s *Server) noteSession(ctx context.Context, sess tools.Session) {
	cs := mcpserver.ClientSessionFromContext(ctx)
	if cs == nil {
		return
	}
	s.watch.mu.Lock()
	w := s.watch.sessions[cs.SessionID()]
	if w == nil || w.known {
		s.watch.mu.Unlock()
		return
	}
	w.session, w.known = sess, true
	s.watch.mu.Unlock()
	d := s.offeredDigest(ctx, sess)
	s.watch.mu.Lock()
	w.offered = d
	s.watch.mu.Unlock()
}

// sessionNoted is sessionOf, noting the session for the watcher.
func (s *Server) sessionNoted(ctx context.Context) tools.Session {
	sess := s.sessionOf(ctx)
	s.noteSession(ctx, sess)
	return sess
}

func (s *Server) unwatchSession(_ context.Context, cs mcpserver.ClientSession) {
	if cs == nil {
		return
	}
	s.watch.mu.Lock()
	delete(s.watch.sessions, cs.SessionID())
	s.watch.mu.Unlock()
}

// offeredDigest digests the grants a session's caller may use now, and
// what they allow that decides what it is offered ("" when they cannot be
// read; the next look tries again).
func (s *Server) offeredDigest(ctx context.Context, sess tools.Session) string {
	if sess.Err != nil {
		return "refused"
	}
	gs, err := s.o.Vault.CallerGrants(ctx, sess.Caller)
	if err != nil {
		return ""
	}
	var names []string
	for _, t := range tools.Offered(gs, s.mcpTools()) {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n + "\n"))
	}
	for _, g := range gs {
		h.Write([]byte(g.ID + "@" + g.UpdatedAt.UTC().Format(time.RFC3339Nano) + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mcpTools is every tool the server registered.
func (s *Server) mcpTools() []mcp.Tool {
	all := s.mcp.ListTools()
	out := make([]mcp.Tool, 0, len(all))
	for _, t := range all {
		out = append(out, t.Tool)
	}
	return out
}

// runWatcher looks at every watched session each interval until Close.
func (s *Server) runWatcher(interval time.Duration) {
	defer close(s.watch.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.watch.stop:
			return
		case <-t.C:
			s.lookForChanges()
		}
	}
}

func (s *Server) lookForChanges() {
	type look struct {
		w       *watched
		session tools.Session
		offered string
	}
	s.watch.mu.Lock()
	list := make([]look, 0, len(s.watch.sessions))
	for _, w := range s.watch.sessions {
		if w.known {
			list = append(list, look{w, w.session, w.offered})
		}
	}
	s.watch.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, l := range list {
		w := l.w
		d := s.offeredDigest(ctx, l.session)
		if d == "" || d == l.offered {
			continue
		}
		s.watch.mu.Lock()
		w.offered = d
		s.watch.mu.Unlock()
		if err := s.mcp.SendNotificationToSpecificClient(w.mcp.SessionID(), string(mcp.MethodNotificationToolsListChanged), nil); err != nil {
			s.log.Debug("tools/list_changed not sent", "session", w.mcp.SessionID(), "err", err)
			continue
		}
		s.log.Info("told a session its tools changed", "session", w.mcp.SessionID(), "caller", callerOrOperator(w.session))
	}
}

// stopWatcher ends runWatcher; safe to call more than once.
func (s *Server) stopWatcher() {
	s.watch.once.Do(func() {
		close(s.watch.stop)
		<-s.watch.done
	})
}
