// Package tools holds alter-mcp's MCP tools, one file per area (grants.go,
// aws_request.go, s3.go, catalog.go, ...), each tool a constructor that
// returns its definition and handler side by side. Tools call the vault;
// nothing below this package knows MCP exists.
package tools

import (
	"context"
	"log/slog"

	"github.com/alter-mcp/alter-mcp/vault"
)

// Deps is what the tools need.
type Deps struct {
	Vault *vault.Vault
	// DefaultGrant is used when a call names no grant_id (serve --default-grant).
	DefaultGrant string
	// SpoolDir keeps truncated response bodies for read_response; "" means
	// a folder under the vault's home.
	SpoolDir string
	Logger   *slog.Logger
}

// Options select what is offered, in the fixed order of Toolsets.
type Options struct {
	Toolsets []string // nil or ["all"]: every toolset
	Tools    []string // only these tools (after Toolsets)
	Exclude  []string // never these tools
	ReadOnly bool     // offer only read-only tools
}

// Session is who is calling, as the transport established it: never taken
// from tool arguments.
type Session struct {
	Caller    string // vault caller name ("" on stdio without --caller: the MCP client's name)
	Client    string // MCP client name/version
	SessionID string
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
