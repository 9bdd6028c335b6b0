// Package tools holds alter-mcp's MCP tools, one file per area (grants.go,
// aws_request.go, s3.go, catalog.go, ...), each tool a constructor that
// returns its definition and handler side by side. Tools call the vault;
// nothing below this package knows MCP exists.
package tools

import (
	"slices"

	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/vault"
)

// Vault is what the tools use of the vault; *vault.Vault implements it. A
// test gives handlers a fake to run them without AWS.
type Vault interface {
	Request(ctx context.Context, c vault.Call) (*http.Response, error)
	Preview(ctx context.Context, c vault.Call) (vault.Preview, error)
	Identify(c vault.Call) (vault.Preview, error)
	Decline(ctx context.Context, c vault.Call, p vault.Preview, rule, message string) string
	Presign(ctx context.Context, grant, method, rawURL string, expires time.Duration, o vault.ClientOptions) (vault.Presigned, error)
	CallerGrants(ctx context.Context, caller string) ([]vault.Grant, error)
	Grant(ctx context.Context, idOrName string) (vault.Grant, error)
	Grants(ctx context.Context) ([]vault.Grant, error)
	// Unlock unlocks a grant whose role requires MFA with a code the user
	// gave (unlock.go).
	Unlock(ctx context.Context, idOrName, code, person string) (time.Time, error)
	// HoldApproval, AwaitApproval, DecideApproval and Approval hold a
	// write for an operator's decision (approval.go).
	HoldApproval(ctx context.Context, in vault.HoldInput) (vault.Approval, error)
	AwaitApproval(ctx context.Context, id, caller, digest string) (vault.Approval, error)
	DecideApproval(ctx context.Context, id string, approve bool, by string) (vault.Approval, error)
	Approval(ctx context.Context, id string) (vault.Approval, error)
}

// Deps is what the tools need.
type Deps struct {
	Vault Vault
	// DefaultGrant is used when a call names no grant_id (serve --default-grant).
	DefaultGrant string
	// SpoolDir keeps truncated response bodies for read_response; "" means
	// a folder in the system's temporary folder.
	SpoolDir string
	Logger   *slog.Logger
	// SessionOf tells who a request that is not a tool call (tools/list)
	// comes from, as the server's middleware tells tool calls; nil: the
	// operator.
	SessionOf func(ctx context.Context) Session
	// Approvals hold writes of confirm_writes grants for an operator when
	// the client cannot ask its user; zero refuses them.
	Approvals Approvals
	// FilesDir is the folder s3_put uploads files from and s3_get saves
	// objects into (serve --files-dir; files.go); "" refuses both.
	FilesDir string
}

// Offered is what the tools offer a caller, given the grants it may use:
// s3_presign only when one of them may presign. The server lists the tools
// through it at each tools/list, and tells a session the list changed when
// the caller's grants change (notifications/tools/list_changed).
func Offered(gs []vault.Grant, list []mcp.Tool) []mcp.Tool {
	if presignAllowed(gs) {
		return list
	}
	return slices.DeleteFunc(slices.Clone(list), func(t mcp.Tool) bool { return t.Name == "s3_presign" })
}

// offered filters a tools/list for the session of ctx.
func (tb *toolbox) offered(ctx context.Context, sessionOf func(context.Context) Session, list []mcp.Tool) []mcp.Tool {
	s := SessionFrom(ctx)
	if sessionOf != nil {
		s = sessionOf(ctx)
	}
	if s.Err != nil {
		return nil
	}
	if !slices.ContainsFunc(list, func(t mcp.Tool) bool { return t.Name == "s3_presign" }) {
		// Nothing here depends on the grants: a tools/call of another tool
		// (mcp-go filters the one tool called) asks the vault nothing.
		return list
	}
	gs, err := tb.vault.CallerGrants(ctx, s.Caller)
	if err != nil {
		return list // the calls will say why
	}
	return Offered(gs, list)
}

// Options select what is offered, in the fixed order of Toolsets.
type Options struct {
	Toolsets []string // nil or ["all"]: every toolset
	Tools    []string // only these tools (after Toolsets)
	Exclude  []string // never these tools
	ReadOnly bool     // offer only read-only tools
}

// Session is who is calling, as the transport established it once for the
// session: never taken from tool arguments or a request's _meta.
type Session struct {
	// Caller is the vault caller the calls are made as: a registered
	// caller, limited to its grants, or "" for the operator.
	Caller string
	// Name names who calls, in the audit and as the owner of kept answers:
	// the caller, or for an operator's session the name the transport gave
	// it (the MCP client's name on stdio without --caller).
	Name      string
	Client    string // MCP client name/version
	SessionID string
	// OAuth names the access token that authenticated Caller over HTTP
	// (never the token), for the audit; zero for an API key or stdio.
	OAuth vault.OAuthIdentity
	// TraceID and SpanID name the trace and span of the tool call, when the
	// server traces; they are recorded with every call the tool makes.
	TraceID, SpanID string `json:",omitempty"`
	// Err, when set, is why the session's caller may make no call (a
	// revoked caller); every tool that calls the vault returns it.
	Err error `json:"-"`
}

type sessionKey struct{}

// WithSession returns ctx carrying s; the server calls it for every request.
func WithSession(ctx context.Context, s Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the Session of ctx (zero when none).
func SessionFrom(ctx context.Context) Session {
	s, _ := ctx.Value(sessionKey{}).(Session)
	return s
}
