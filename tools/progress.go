package tools

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// progress sends the client notifications/progress with the text so far,
// at most once per every, when the call asked for progress (a progressToken
// in its _meta). They are informative only: a transport may drop them, so
// the result always holds the whole answer.
type progress struct {
	srv   *server.MCPServer
	ctx   context.Context
	token mcp.ProgressToken
	every time.Duration
	last  time.Time
	n     int
	sent  int64 // the last byte count sent (bytes)
}

func newProgress(ctx context.Context, req mcp.CallToolRequest, every time.Duration) *progress {
	if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return nil
	}
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return nil
	}
	return &progress{srv: srv, ctx: ctx, token: req.Params.Meta.ProgressToken, every: every}
}

// report tells the client of text, the answer so far, unless it was told
// less than every ago.
func (p *progress) report(text string) {
	if p == nil {
		return
	}
	p.n++ // progress must increase with every notification
	now := time.Now()
	if !p.last.IsZero() && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	// A full queue or a client gone is no reason to stop the answer.
	_ = p.srv.SendNotificationToClient(p.ctx, string(mcp.MethodNotificationProgress), map[string]any{
		"progressToken": p.token,
		"progress":      p.n,
		"message":       tail(text, maxProgressText),
	})
}

// tail is the end of s, at most n bytes of it, on a character boundary,
// after "…" when cut.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return "…" + s[i:]
}

// bytes tells the client how far a transfer is, done bytes of total (0:
// unknown), with what, at most once per every and always when done reaches
// total; the progress it sends is the byte count, which must grow: a
// transfer started over (another attempt) is told again once it passes
// where it was.
func (p *progress) bytes(done, total int64, what string) {
	if p == nil || done <= p.sent {
		return
	}
	now := time.Now()
	if done != total && !p.last.IsZero() && now.Sub(p.last) < p.every {
		return
	}
	p.last, p.sent = now, done
	params := map[string]any{"progressToken": p.token, "progress": done, "message": what}
	if total > 0 {
		params["total"] = total
	}
	_ = p.srv.SendNotificationToClient(p.ctx, string(mcp.MethodNotificationProgress), params)
}
