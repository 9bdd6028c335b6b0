package main

import (
	"net"

	"github.com/alter-mcp/alter-mcp/oauth"
	"github.com/alter-mcp/alter-mcp/server"
)

// oauth returns the token verifier the --oauth-* flags describe, or nil
// without --oauth-issuer. The resource is by default the URL of l.
func (f *serveFlags) oauth(t server.Transport, l net.Listener) (*oauth.Verifier, error) {
	issuers := nonEmpty(f.oauthIssuers)
	if len(issuers) == 0 || t == server.Stdio {
		return nil, nil
	}
	resource := f.oauthResource
	if resource == "" {
		path := server.HTTPPath
		if t == server.SSE {
			path = server.SSEPath
		}
		var err error
		addr := f.listen
		if l != nil {
			// The port :0 picked, under the name the operator gave.
			if host, _, err := net.SplitHostPort(f.listen); err == nil {
				_, port, _ := net.SplitHostPort(l.Addr().String())
				addr = net.JoinHostPort(host, port)
			}
		}
		if resource, err = oauth.DefaultResource(addr, f.tlsCert != "", path); err != nil {
			return nil, usagef("%v", err)
		}
	}
	var rules []oauth.ClaimRule
	for _, s := range nonEmpty(f.oauthClaimRules) {
		r, err := oauth.ParseClaimRule(s)
		if err != nil {
			return nil, usagef("--oauth-claim-caller: %v", err)
		}
		rules = append(rules, r)
	}
	v, err := oauth.New(oauth.Config{
		Issuers:    issuers,
		Resource:   resource,
		Audience:   f.oauthAudience,
		Scopes:     nonEmpty(f.oauthScopes),
		ClaimRules: rules,
	})
	if err != nil {
		return nil, usagef("%v", err)
	}
	return v, nil
}
