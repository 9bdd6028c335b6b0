package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"

	mcpserver "github.com/mark3labs/mcp-go/server"
)

// ServeStdio serves one MCP client over in and out (newline-delimited
// JSON-RPC) until in reaches end of file or ctx is done. Then it takes no new
// calls and lets those in flight finish, for up to ShutdownTimeout, before
// it returns. Nothing but JSON-RPC is written to out; logs go to the Logger.
//
// The caller of every call is Options.Caller ("" is the operator); the MCP
// client's name from the handshake is recorded alongside it.
//
// mcp-go keeps one stdio session per process, so a process serves stdio
// once at a time.
func (s *Server) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	s.served.Store(Stdio)
	stdio := mcpserver.NewStdioServer(s.mcp)
	stdio.SetErrorLogger(slog.NewLogLogger(s.log.Handler(), slog.LevelError))

	// Listen's context ends reading; it is cancelled when ctx is done, after
	// the server has begun draining, so that calls in flight see no
	// cancellation (see callContext).
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	defer stopListening()
	listenCtx = withCaller(listenCtx, s.o.Caller)
	listenCtx = context.WithValue(listenCtx, stdioSessionKey{}, &stdioSession{id: newID("stdio-")})

	var once sync.Once
	shutdown := make(chan struct{})
	beginShutdown := func() {
		once.Do(func() {
			s.drain()
			close(shutdown)
		})
	}
	in = &eofReader{r: newLineLimit(in, s.o.MaxRequestBytes, func() {
		s.log.Warn("stdio message refused: larger than the limit", "limit", s.o.MaxRequestBytes)
	}), onEOF: beginShutdown}
	go func() {
		select {
		case <-ctx.Done():
			beginShutdown()
			stopListening()
		case <-listenCtx.Done():
		}
	}()

	done := make(chan error, 1)
	go func() { done <- stdio.Listen(listenCtx, in, out) }()

	var err error
	select {
	case err = <-done:
	case <-shutdown:
		timer, cancel := context.WithTimeout(context.Background(), s.o.ShutdownTimeout)
		defer cancel()
		if werr := s.waitCalls(timer); werr != nil {
			s.log.Warn("stdio shutdown", "error", werr)
		}
		stopListening()
		err = <-done
	}
	beginShutdown()
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		err = nil
	}
	return err
}

// eofReader calls onEOF before it reports the end of r.
type eofReader struct {
	r     io.Reader
	onEOF func()
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.onEOF()
	}
	return n, err
}
