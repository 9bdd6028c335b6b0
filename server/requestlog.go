package server

import (
	"context"
	"log/slog"
)

// requestLines is the log handler mcp-go gets: mcp-go writes a line at
// info for every request and every tool call ("mcp.request", "mcp.tool"),
// which requestLines lowers to debug. Every call is already in the audit
// trail, with far more than these lines say, so the default level (info)
// keeps the log to what an operator reads: start, clients, warnings and
// errors. --log-level debug shows them again. A line it does not log costs
// nothing: Enabled answers before mcp-go formats anything.
type requestLines struct{ slog.Handler }

func (h requestLines) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, lowered(l))
}

func (h requestLines) Handle(ctx context.Context, r slog.Record) error {
	r.Level = lowered(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h requestLines) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestLines{h.Handler.WithAttrs(attrs)}
}

func (h requestLines) WithGroup(name string) slog.Handler {
	return requestLines{h.Handler.WithGroup(name)}
}

// lowered is l, with info made debug.
func lowered(l slog.Level) slog.Level {
	if l == slog.LevelInfo {
		return slog.LevelDebug
	}
	return l
}
