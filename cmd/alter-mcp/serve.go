package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/server"
	"github.com/alter-mcp/alter-mcp/tools"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const serveLong = `Serve alter-mcp's MCP tools to an MCP client (Claude Desktop, Cursor, VS Code,
an agent framework). Agents call AWS through the vault's grants and never see a key.

  stdio   (default) the client starts alter-mcp and speaks JSON-RPC on its stdin
          and stdout. Calls are made as --caller, a caller of the vault, or
          without it as the name the client gives: a vault caller of that name
          if there is one, else the operator (every grant), recorded by name.
  http    streamable HTTP at http://LISTEN/mcp, for many clients and replicas.
  sse     the older HTTP+SSE transport: GET /sse opens the stream, POST /message.

Over http and sse every request carries a caller's API key, "Authorization:
Bearer alter_key_..." (alter-mcp caller add), and is made as that caller, with
its grants only. With --oauth-issuer it may carry an OAuth access token of that
identity provider instead, whose subject maps to a caller (caller add
--oauth-subject); clients find the provider in the server's metadata at
/.well-known/oauth-protected-resource. The server listens on loopback unless --listen says otherwise,
refuses requests whose Host or Origin is not allowed (DNS rebinding), bounds the
size of requests, ends idle sessions, and on SIGINT or SIGTERM lets calls in
flight finish before it exits.

Both generations of MCP work: the initialize handshake (protocol 2024-11-05 to
2025-11-25) and the stateless 2026-07-28 protocol.

Logs go to stderr only; on stdio, stdout carries nothing but JSON-RPC.`

const serveExample = `  # For Claude Desktop, Cursor or VS Code: they start it over stdio
  alter-mcp serve

  # Only the S3 tools, read-only, with a default grant
  alter-mcp serve --toolsets s3 --read-only --default-grant s3-reader

  # Streamable HTTP on all interfaces, with TLS; clients send their API key
  alter-mcp serve --transport http --listen 0.0.0.0:8787 \
    --tls-cert /etc/alter/cert.pem --tls-key /etc/alter/key.pem

  # Behind an identity provider: clients sign in with OAuth (API keys still work)
  alter-mcp serve --transport http --listen 0.0.0.0:8787 \
    --tls-cert /etc/alter/cert.pem --tls-key /etc/alter/key.pem \
    --oauth-issuer https://login.example.com/realms/aws \
    --oauth-resource https://alter.example.com:8787/mcp --oauth-scopes alter-mcp

  # Behind a load balancer: replicas share a store, any one answers any request
  alter-mcp serve --transport http --listen 0.0.0.0:8787 --stateless \
    --allowed-hosts mcp.example.com`

// serveFlags are serve's flags; their zero values are not the defaults,
// which register sets.
type serveFlags struct {
	transport       string
	listen          string
	toolsets        []string
	tools           []string
	exclude         []string
	readOnly        bool
	caller          string
	defaultGrant    string
	tlsCert         string
	tlsKey          string
	allowedOrigins  []string
	allowedHosts    []string
	insecureNoAuth  bool
	sessionIdleTTL  time.Duration
	maxRequestBytes int64
	shutdownTimeout time.Duration
	stateless       bool
	auditFile       string
	auditFileMax    int64
	auditBackups    int
	auditStderr     bool
	oauthIssuers    []string
	oauthResource   string
	oauthAudience   string
	oauthScopes     []string
	oauthClaimRules []string
	metricsListen   string
	approvalWait    time.Duration
	approvalURL     string
	filesDir        string
}

const defaultListen = "127.0.0.1:8787"

func (f *serveFlags) register(fs *pflag.FlagSet) {
	fs.Var(newEnum(&f.transport, string(server.Stdio), string(server.Stdio), string(server.HTTP), string(server.SSE)), "transport", "how clients connect: stdio, http (streamable HTTP at /mcp) or sse (/sse and /message)")
	fs.StringVar(&f.listen, "listen", defaultListen, "address of the http and sse transports")
	fs.StringSliceVar(&f.toolsets, "toolsets", []string{"all"}, "toolsets to offer ("+strings.Join(tools.Toolsets(), ",")+"), or all")
	fs.StringSliceVar(&f.tools, "tools", nil, "offer only these tools (of the toolsets chosen)")
	fs.StringSliceVar(&f.exclude, "exclude-tools", nil, "never offer these tools")
	fs.BoolVar(&f.readOnly, "read-only", false, "offer only tools that do not change anything")
	fs.StringVar(&f.caller, "caller", "", "vault caller that stdio calls are made as (default: the MCP client's name: a vault caller of that name, else the operator under that name)")
	fs.StringVar(&f.defaultGrant, "default-grant", "", "grant (id or name) of calls that name none")
	fs.StringVar(&f.auditFile, "audit-file", "", "also append every audit record to this JSONL file (for a SIEM; the store stays the source of truth)")
	fs.Int64Var(&f.auditFileMax, "audit-file-max-bytes", 100<<20, "rotate --audit-file when it would pass this size (0: never)")
	fs.IntVar(&f.auditBackups, "audit-file-backups", 5, "rotated --audit-file copies to keep (PATH.1, PATH.2, ...)")
	fs.BoolVar(&f.auditStderr, "audit-stderr", false, "also write every audit record to stderr, one JSON object per line")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "PEM certificate file: serve https (with --tls-key)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "PEM private key file of --tls-cert")
	fs.StringSliceVar(&f.allowedOrigins, "allowed-origins", nil, "browser origins allowed besides loopback ones (https://app.example.com; * for any)")
	fs.StringSliceVar(&f.allowedHosts, "allowed-hosts", nil, "Host header names allowed besides loopback ones (mcp.example.com, *.example.com)")
	fs.BoolVar(&f.insecureNoAuth, "insecure-no-auth", false, "serve HTTP requests without an API key, as --caller or the operator; only on a loopback --listen address (for testing)")
	fs.DurationVar(&f.sessionIdleTTL, "session-idle-ttl", 30*time.Minute, "end HTTP sessions idle this long; 0: never")
	fs.Int64Var(&f.maxRequestBytes, "max-request-bytes", server.DefaultMaxRequestBytes, "largest HTTP request body")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", server.DefaultShutdownTimeout, "how long calls in flight may take to finish on SIGINT or SIGTERM")
	fs.BoolVar(&f.stateless, "stateless", false, "serve streamable HTTP without sessions, so that any replica can answer any request")
	fs.StringSliceVar(&f.oauthIssuers, "oauth-issuer", nil, "accept OAuth access tokens of this authorization server (issuer URL, exactly as its tokens' iss; repeatable)")
	fs.StringVar(&f.oauthResource, "oauth-resource", "", "this server's public URL, the resource clients get tokens for (default: the --listen URL, such as http://127.0.0.1:8787/mcp)")
	fs.StringVar(&f.oauthAudience, "oauth-audience", "", "the audience (aud) tokens must carry (default: --oauth-resource)")
	fs.StringSliceVar(&f.oauthScopes, "oauth-scopes", nil, "scopes every token must grant")
	fs.StringVar(&f.metricsListen, "metrics-listen", "", "serve Prometheus metrics at http://ADDR/metrics (HOST:PORT, on a listener of their own; default: no metrics)")
	fs.DurationVar(&f.approvalWait, "approval-wait", tools.DefaultApprovalWait, "how long a write of a confirm_writes grant, from a client that cannot ask its user, waits for an operator to approve it (alter-mcp approve ID, or the console); 0: refuse such writes at once")
	fs.StringVar(&f.approvalURL, "approval-url", "", "the console's URL as operators' browsers reach it (http://127.0.0.1:8788): clients that support URL elicitation are sent to its approval page")
	fs.StringVar(&f.filesDir, "files-dir", "", "a folder s3_put may upload files from (its file argument) and s3_get may save objects into (save_to), so that objects of any size move without passing through the agent; stdio only; default: none")
	fs.StringSliceVar(&f.oauthClaimRules, "oauth-claim-caller", nil, "map tokens whose subject is no caller's by a claim: CLAIM=VALUE:CALLER, such as groups=aws-readers:reports-agent (repeatable; the first that matches wins)")
}

func newServeCmd(a *app) *cobra.Command {
	var vf vaultFlags
	var f serveFlags
	cmd := &cobra.Command{
		Use:     "serve",
		Short:   "Serve the MCP tools over stdio, streamable HTTP or SSE",
		Long:    serveLong,
		Example: serveExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serve(cmd.Context(), cmd.Flags(), &vf, &f)
		},
	}
	vf.register(cmd)
	f.register(cmd.Flags())
	return cmd
}

// httpOnlyFlags mean nothing over stdio.
var httpOnlyFlags = []string{"listen", "tls-cert", "tls-key", "allowed-origins", "allowed-hosts", "insecure-no-auth", "session-idle-ttl", "max-request-bytes", "stateless",
	"oauth-issuer", "oauth-resource", "oauth-audience", "oauth-scopes", "oauth-claim-caller"}

// check validates the flags before anything is opened.
func (f *serveFlags) check(changed func(string) bool) error {
	known := append([]string{"all"}, tools.Toolsets()...)
	for _, ts := range nonEmpty(f.toolsets) {
		if !slices.Contains(known, ts) {
			return usagef("--toolsets: unknown toolset %q; choose from %s", ts, strings.Join(known, ", "))
		}
	}
	if f.maxRequestBytes <= 0 {
		return usagef("--max-request-bytes must be positive")
	}
	if f.sessionIdleTTL < 0 || f.shutdownTimeout < 0 {
		return usagef("--session-idle-ttl and --shutdown-timeout cannot be negative")
	}
	if f.approvalWait < 0 {
		return usagef("--approval-wait %s: write a duration such as 2m, or 0 to refuse at once", f.approvalWait)
	}
	if f.approvalURL != "" {
		if u, err := url.Parse(f.approvalURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return usagef("--approval-url %q: write the console's http(s) URL, such as http://127.0.0.1:8788", f.approvalURL)
		}
	}
	if f.metricsListen != "" {
		if _, _, err := net.SplitHostPort(f.metricsListen); err != nil {
			return usagef("--metrics-listen %q: write HOST:PORT, such as 127.0.0.1:9464", f.metricsListen)
		}
	}
	if f.filesDir != "" {
		if f.transport != string(server.Stdio) {
			return usagef("--files-dir gives one local agent a folder of this machine, and works only with --transport stdio: over %s the server is shared by many callers", f.transport)
		}
		if st, err := os.Stat(f.filesDir); err != nil || !st.IsDir() {
			return usagef("--files-dir %s: not a folder (make it first)", f.filesDir)
		}
	}
	if f.transport == string(server.Stdio) {
		return nil
	}
	if _, _, err := net.SplitHostPort(f.listen); err != nil {
		return usagef("--listen %q: write HOST:PORT, such as %s", f.listen, defaultListen)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if f.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey); err != nil {
			return usagef("--tls-cert/--tls-key: %v", err)
		}
	}
	if f.insecureNoAuth && !server.IsLoopbackAddress(f.listen) {
		return usagef("--insecure-no-auth serves without API keys and works only on a loopback --listen address (127.0.0.1:PORT, [::1]:PORT, localhost:PORT), not %q", f.listen)
	}
	for _, name := range []string{"oauth-resource", "oauth-audience", "oauth-scopes", "oauth-claim-caller"} {
		if changed(name) && len(nonEmpty(f.oauthIssuers)) == 0 {
			return usagef("--%s needs --oauth-issuer, the authorization server whose tokens are accepted", name)
		}
	}
	if changed("caller") && !f.insecureNoAuth {
		return usagef("--caller applies to stdio (and to --insecure-no-auth): over %s the caller is the one whose API key each request carries", f.transport)
	}
	return nil
}

// serve runs the MCP server until the client leaves (stdio) or a signal
// arrives.
func (a *app) serve(ctx context.Context, fs *pflag.FlagSet, vf *vaultFlags, f *serveFlags) error {
	if err := f.check(fs.Changed); err != nil {
		return err
	}
	if f.transport == string(server.Stdio) {
		for _, name := range httpOnlyFlags {
			if fs.Changed(name) {
				a.log.Warn("flag ignored: it applies to --transport http and sse", "flag", "--"+name)
			}
		}
	}
	// The tools' schemas are made while the vault opens, on another core.
	go tools.Warm()
	var sinks []audit.Sink
	if f.auditFile != "" {
		fsink, err := audit.OpenFileSink(f.auditFile, f.auditFileMax, f.auditBackups)
		if err != nil {
			return fmt.Errorf("--audit-file: %w", err)
		}
		defer fsink.Close()
		sinks = append(sinks, fsink)
	}
	if f.auditStderr {
		sinks = append(sinks, audit.NewWriterSink(a.stderr))
	}
	var metrics *server.Metrics
	ml, err := f.listenMetrics()
	if err != nil {
		return err
	}
	if ml != nil {
		defer ml.Close()
		metrics = server.NewMetrics(server.MetricsOptions{})
		sinks = append(sinks, metrics)
	}
	tracing, err := server.TracingFromEnv(ctx, a.getenv, currentVersion().Version)
	if err != nil {
		return err
	}
	if tracing != nil {
		// Deferred before the vault's Close, so run after it: the last
		// calls' spans are made, then exported.
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := tracing.Shutdown(sctx); err != nil {
				a.log.Warn("traces not exported at exit", "err", err)
			}
		}()
		sinks = append(sinks, tracing)
		a.log.Info("tracing tool calls and AWS calls with OpenTelemetry (OTLP over HTTP)")
	}
	v, err := a.openVault(ctx, vf, sinks...)
	if err != nil {
		return err
	}
	defer v.Close()
	if err := checkServeNames(ctx, v, f); err != nil {
		return err
	}

	t := server.Transport(f.transport)
	var l net.Listener
	if t != server.Stdio {
		// Listening first tells the OAuth metadata the port when --listen
		// asks for any (:0).
		if l, err = net.Listen("tcp", f.listen); err != nil {
			return fmt.Errorf("listen on %s: %w", f.listen, err)
		}
		defer l.Close() // Serve closes it too; this is for the failures before
	}
	verifier, err := f.oauth(t, l)
	if err != nil {
		return err
	}
	s, err := server.New(server.Options{
		Vault:   v,
		Version: currentVersion().Version,
		Logger:  a.log,
		Tools: tools.Options{
			Toolsets: nonEmpty(f.toolsets),
			Tools:    nonEmpty(f.tools),
			Exclude:  nonEmpty(f.exclude),
			ReadOnly: f.readOnly,
		},
		DefaultGrant:    f.defaultGrant,
		Approvals:       tools.Approvals{Wait: f.approvalWait, ConsoleURL: f.approvalURL},
		FilesDir:        f.filesDir,
		Caller:          f.caller,
		AllowedOrigins:  nonEmpty(f.allowedOrigins),
		AllowedHosts:    nonEmpty(f.allowedHosts),
		InsecureNoAuth:  f.insecureNoAuth,
		MaxRequestBytes: f.maxRequestBytes,
		SessionIdleTTL:  f.sessionIdleTTL,
		Stateless:       f.stateless,
		ShutdownTimeout: f.shutdownTimeout,
		TLSCertFile:     f.tlsCert,
		TLSKeyFile:      f.tlsKey,
		OAuth:           verifier,
		Metrics:         metrics,
		Tracing:         tracing,
	})
	if err != nil {
		// tools.Register refuses only unknown toolset and tool names.
		return usagef("%v", err)
	}
	defer s.Close() // kept answers go with the server
	if ml != nil {
		mctx, stopMetrics := context.WithCancel(ctx)
		defer stopMetrics()
		go serveMetrics(mctx, ml, metrics, a.log)
		a.log.Info("serving metrics", "url", "http://"+ml.Addr().String()+"/metrics")
	}

	if t == server.Stdio {
		a.log.Info("serving MCP over stdio", "caller", callerName(f.caller), "store", v.Info().Store)
		return s.ServeStdio(ctx, a.stdin, a.stdout)
	}

	scheme := "http"
	if f.tlsCert != "" {
		scheme = "https"
	}
	path := server.HTTPPath
	if t == server.SSE {
		path = server.SSEPath
	}
	loopback := server.IsLoopbackAddress(f.listen)
	if !loopback && f.tlsCert == "" {
		a.log.Warn("listening beyond loopback without TLS: API keys cross the network in clear; give --tls-cert and --tls-key, or put a TLS proxy in front", "listen", f.listen)
	}
	if f.insecureNoAuth {
		a.log.Warn("--insecure-no-auth: requests without an API key are served as "+callerName(f.caller)+"; anything on this machine can call", "listen", l.Addr().String())
	}
	if verifier != nil {
		a.log.Info("OAuth access tokens accepted", "issuers", verifier.Metadata().AuthorizationServers, "resource", verifier.Resource(),
			"metadata", verifier.MetadataURL())
		if err := verifier.Discover(ctx); err != nil {
			// Tokens of an issuer that could not be reached are refused
			// (503) until it can be.
			a.log.Warn("an OAuth issuer could not be reached; its tokens are refused until it can be", "error", err)
		}
	}
	a.log.Info("serving MCP", "transport", f.transport, "url", scheme+"://"+l.Addr().String()+path, "store", v.Info().Store)
	return s.Serve(ctx, l, t)
}

// checkServeNames fails early, with a fix, when --caller or --default-grant
// names nothing usable.
func checkServeNames(ctx context.Context, v *vault.Vault, f *serveFlags) error {
	if f.caller != "" {
		cs, err := v.Callers(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cs, func(c vault.Caller) bool { return c.Name == f.caller })
		switch {
		case i < 0:
			return fmt.Errorf("--caller %s: %w; add it with `alter-mcp caller add %s --grants ID`", f.caller, vault.ErrCallerNotFound, f.caller)
		case cs[i].Revoked:
			return fmt.Errorf("--caller %s: %w", f.caller, vault.ErrCallerRevoked)
		}
	}
	if f.defaultGrant != "" {
		g, err := v.Grant(ctx, f.defaultGrant)
		if err != nil {
			return fmt.Errorf("--default-grant: %w", err)
		}
		if g.Revoked {
			return fmt.Errorf("--default-grant %s: %w", f.defaultGrant, vault.ErrGrantRevoked)
		}
	}
	return nil
}

func callerName(c string) string {
	if c == "" {
		return "the operator"
	}
	return "caller " + c
}

// runDefaultServe is what alter-mcp does without a command: serve, with
// serve's defaults and its environment variables.
func (a *app) runDefaultServe(root *cobra.Command) error {
	serve, _, err := root.Find([]string{"serve"})
	if err != nil || serve == root {
		return fmt.Errorf("no serve command") // unreachable
	}
	serve.SetContext(root.Context())
	serve.LocalFlags() // merges serve's persistent flags into its flag set
	if err := applyEnv(serve.Flags(), a.getenv); err != nil {
		return err
	}
	return serve.RunE(serve, nil)
}
