package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/console"
	"github.com/alter-mcp/alter-mcp/server"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const consoleLong = `Serve the audit console: a web page over the audit trail (the calls agents
made, who made them and why, what AWS answered; refusals; activity per grant and per
caller; whether the hash chain verifies) where operators also approve or reject the
writes held for approval (see 'alter-mcp approvals --help'); nothing else changes.
Point serve --approval-url at this console's URL to send clients that support URL
elicitation to a held write's page.

It prints, on start, a login URL carrying a one-time token: open it in a browser
to sign in. Without it the console shows nothing; it works once (restart the
console to sign in again). The console listens on loopback unless --listen says
otherwise, and a non-loopback address needs --allow-remote.`

func newConsoleCmd(a *app) *cobra.Command {
	var vf vaultFlags
	var listen string
	var allowRemote bool
	var as string
	cmd := &cobra.Command{
		Use:     "console",
		Short:   "Serve the audit console: the audit trail, and the writes held for approval",
		Long:    consoleLong,
		Example: "  alter-mcp console\n  alter-mcp console --listen 127.0.0.1:9000",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, _, err := net.SplitHostPort(listen); err != nil {
				return usagef("--listen %q: write HOST:PORT, such as 127.0.0.1:8788", listen)
			}
			if !server.IsLoopbackAddress(listen) && !allowRemote {
				return usagef("--listen %s is not a loopback address: the console shows the whole audit trail; add --allow-remote to serve it there (behind TLS)", listen)
			}
			return a.withVault(cmd, &vf, func(ctx context.Context, v *vault.Vault) error {
				return a.serveConsole(ctx, v, listen, cmp.Or(strings.TrimSpace(as), operatorName()))
			})
		},
	}
	vf.register(cmd)
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8788", "HOST:PORT the console listens on")
	cmd.Flags().BoolVar(&allowRemote, "allow-remote", false, "allow a --listen address that is not loopback")
	cmd.Flags().StringVar(&as, "operator", "", "who decides approvals made in this console, as the audit records it (default: your login name)")
	return cmd
}

// serveConsole serves the console on listen until ctx is done.
func (a *app) serveConsole(ctx context.Context, v *vault.Vault, listen, operator string) error {
	con, err := console.New(console.Options{Vault: v, Logger: a.log, Operator: operator})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	srv := &http.Server{Handler: con.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	login := con.LoginURL("http://" + l.Addr().String())
	a.log.Info("serving the audit console", "url", "http://"+l.Addr().String()+"/")
	fmt.Fprintf(a.stdout, "Open the audit console (this URL works once):\n    %s\n", login)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
