package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alter-mcp/alter-mcp/server"
)

// serveMetrics serves m at /metrics on l until ctx is done, on a server of
// its own: the metrics port is not the MCP port, and needs no API key.
func serveMetrics(ctx context.Context, l net.Listener, m *server.Metrics, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("metrics listener stopped", "listen", l.Addr().String(), "err", err)
	}
}

// listenMetrics opens --metrics-listen, or returns nil without it.
func (f *serveFlags) listenMetrics() (net.Listener, error) {
	if f.metricsListen == "" {
		return nil, nil
	}
	l, err := net.Listen("tcp", f.metricsListen)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen %s: %w", f.metricsListen, err)
	}
	return l, nil
}
