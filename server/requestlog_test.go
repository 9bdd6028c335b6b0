package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/internal/testutil"
)

// TestRequestLinesAtDebug: mcp-go's line for every request and tool call
// is logged at debug, so that the default level (info) does not log every
// call (the audit has them); at debug they are there, as debug lines.
func TestRequestLinesAtDebug(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			v, _ := testVault(t)
			var log testutil.Buffer
			s := newTestServer(t, v, nil, func(o *Options) {
				o.Logger = slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: level}))
			})
			r, _ := startStdio(t, s, "")
			var req mcp.CallToolRequest
			req.Params.Name = "whoami_test"
			if _, err := r.client.CallTool(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			levels := map[string]string{} // msg → level
			for _, line := range strings.Split(log.String(), "\n") {
				if line == "" {
					continue
				}
				var rec struct{ Msg, Level string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				levels[rec.Msg] = rec.Level
			}
			for _, msg := range []string{"mcp.request", "mcp.tool"} {
				want := ""
				if level == slog.LevelDebug {
					want = "DEBUG"
				}
				if levels[msg] != want {
					t.Errorf("%s logged at %q, want %q", msg, levels[msg], want)
				}
			}
		})
	}
}
