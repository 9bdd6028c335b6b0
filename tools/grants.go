package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/vault"
)

type listGrantsArgs struct{}

// grantInfo is what an agent sees of a grant: enough to choose one and to
// know what it allows, never its credentials.
type grantInfo struct {
	ID              string   `json:"grant_id"`
	Name            string   `json:"name"`
	Description     string   `json:"description,omitempty"`
	Default         bool     `json:"default,omitempty"`
	AllowedServices []string `json:"allowed_services"` // empty: every service
	DeniedServices  []string `json:"denied_services,omitempty"`
	AllowedRegions  []string `json:"allowed_regions"` // empty: every region
	DeniedRegions   []string `json:"denied_regions,omitempty"`
	AllowedActions  []string `json:"allowed_actions,omitempty"`
	DeniedActions   []string `json:"denied_actions,omitempty"`
	ReadOnly        bool     `json:"read_only"`
	ConfirmWrites   bool     `json:"confirm_writes,omitempty"`
	RequireReason   bool     `json:"require_reason,omitempty"`
	// IssueCredentials: the grant may call operations that hand out
	// credentials, tokens or signed URLs (sts:GetSessionToken, ...).
	IssueCredentials bool `json:"issue_credentials,omitempty"`
	// CustomerHosts are the hosts anyone can own (Lambda function URLs, API
	// Gateway, AppSync, ...) the grant may call; empty: none.
	CustomerHosts []string  `json:"customer_hosts,omitempty"`
	Expires       time.Time `json:"expires,omitzero"`
}

type listGrantsResult struct {
	Grants []grantInfo `json:"grants"`
	Note   string      `json:"note"`
}

func listGrants(tb *toolbox) tool {
	def := newTool[listGrantsArgs, listGrantsResult]("list_grants",
		"List the AWS grants you may use. A grant is a set of AWS credentials kept by the vault, with a policy "+
			"that says which services, regions and actions it allows; you never see its keys. "+
			"Call this first, to pick the grant_id that other tools take (it may be omitted when you have exactly one "+
			"grant, or one is marked default), and to know before calling whether a grant is read-only, which services "+
			"and regions it allows, whether it requires a reason, whether writes need the user's confirmation, "+
			"whether it may call operations that hand out credentials (issue_credentials; off unless set), and which hosts "+
			"anyone can own (Lambda function URLs, API Gateway, AppSync, ...) it may reach (customer_hosts; none unless listed). "+
			"Then call aws_whoami to see which AWS identity a grant acts as.",
		localReadAnnotations("List grants"))
	return tool{toolset: toolsetCore, def: def.Tool, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if _, err := bind[listGrantsArgs](req); err != nil {
			return invalid("list_grants takes no arguments"), nil
		}
		s := session(ctx)
		if s.Err != nil {
			return vaultError(s.Err), nil
		}
		gs, err := tb.vault.CallerGrants(ctx, s.Caller)
		if err != nil {
			return vaultError(err), nil
		}
		out := listGrantsResult{Grants: make([]grantInfo, 0, len(gs))}
		for _, g := range gs {
			p := g.Policy
			gi := grantInfo{
				ID: g.ID, Name: g.Name, Description: g.Description,
				Default:         tb.defaultGrant != "" && (tb.defaultGrant == g.ID || tb.defaultGrant == g.Name),
				AllowedServices: orEmpty(p.AllowServices), DeniedServices: p.DenyServices,
				AllowedRegions: orEmpty(p.AllowRegions), DeniedRegions: p.DenyRegions,
				AllowedActions: p.AllowActions, DeniedActions: p.DenyActions,
				ReadOnly: p.ReadOnly, ConfirmWrites: p.ConfirmWrites, RequireReason: p.RequireReason,
				IssueCredentials: p.IssueCredentials, CustomerHosts: p.AllowCustomerHosts,
				Expires: g.Expires,
			}
			if p.Expires != nil && (gi.Expires.IsZero() || p.Expires.Before(gi.Expires)) {
				gi.Expires = *p.Expires
			}
			out.Grants = append(out.Grants, gi)
		}
		switch {
		case len(gs) == 0:
			out.Note = "You may use no grant. Ask the operator for one (alter-mcp grant add, alter-mcp caller add)."
		case len(gs) == 1:
			out.Note = "You have one grant; tools use it when grant_id is omitted."
		case tb.defaultGrant != "":
			out.Note = "Tools use the grant marked default when grant_id is omitted."
		default:
			out.Note = "Pass grant_id to every AWS tool. An empty allowed_services or allowed_regions list allows every service or region."
		}
		return result(out), nil
	}}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// grantFor picks the grant of a call: the one named, else the default
// grant, else the caller's only grant. It returns a tool error when the
// choice is not clear, listing the grants the caller may use.
//
// A grant named is looked up alone, whoever may use it: Request refuses
// one the caller may not use (or that is revoked or expired), in its own
// words and in the audit. The caller's whole list is read only when no
// grant is named, or the name is no grant's.
func (tb *toolbox) grantFor(ctx context.Context, requested string) (vault.Grant, *mcp.CallToolResult) {
	requested = strings.TrimSpace(requested)
	s := session(ctx)
	if s.Err != nil {
		return vault.Grant{}, vaultError(s.Err)
	}
	want := cmp.Or(requested, tb.defaultGrant)
	if want != "" {
		g, err := tb.vault.Grant(ctx, want)
		switch {
		case err == nil:
			return g, nil
		case !errors.Is(err, vault.ErrGrantNotFound):
			return vault.Grant{}, errorResult(errorBody{Error: "vault_error", Message: err.Error()})
		}
	}
	gs, err := tb.vault.CallerGrants(ctx, s.Caller)
	if err != nil {
		return vault.Grant{}, vaultError(err)
	}
	refs := make([]grantRef, 0, len(gs))
	for _, g := range gs {
		refs = append(refs, grantRef{ID: g.ID, Name: g.Name})
	}
	if want != "" {
		return vault.Grant{}, errorResult(errorBody{Error: "grant_not_found", Grants: refs,
			Message: fmt.Sprintf("No grant has the id or name %q. Use one of the grants listed here (or call list_grants).", text.Clip(want, 80))})
	}
	switch len(gs) {
	case 1:
		return gs[0], nil
	case 0:
		return vault.Grant{}, errorResult(errorBody{Error: "no_grant",
			Message: "You may use no grant, so no AWS call can be made. Ask the operator for one."})
	}
	return vault.Grant{}, errorResult(errorBody{Error: "grant_required", Grants: refs,
		Message: fmt.Sprintf("You may use %d grants: say which with grant_id (see list_grants for what each allows).", len(gs))})
}
