package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const callerLong = `A caller is who uses grants: an MCP client connecting over HTTP, or a program.
Each has an API key (alter_key_...) that it sends as "Authorization: Bearer KEY";
the vault keeps only a hash of it, so the key is shown once, when it is made.
A caller may use only the grants it was given.

A caller added with --oauth-subject has no API key: it is known by the OAuth
access tokens whose subject (sub) is that, from --oauth-issuer or from any
issuer serve --oauth-issuer trusts. For a client-credentials token the subject
is the client's id at most identity providers.`

func newCallerCmd(a *app) *cobra.Command {
	var vf vaultFlags
	cmd := &cobra.Command{
		Use:   "caller",
		Short: "Add, list and revoke callers and their API keys",
		Long:  callerLong,
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	vf.register(cmd)
	cmd.AddCommand(newCallerAddCmd(a, &vf), newCallerListCmd(a, &vf), newCallerRevokeCmd(a, &vf))
	return cmd
}

func newCallerAddCmd(a *app, vf *vaultFlags) *cobra.Command {
	var grants []string
	var subject, issuer string
	cmd := &cobra.Command{
		Use:   "add NAME [--grants ID,...] [--oauth-subject SUB [--oauth-issuer URL]]",
		Short: "Add a caller and print its API key, once; or one known by OAuth tokens",
		Example: `  # A caller for a shared HTTP server, allowed two grants
  alter-mcp caller add ci-agent --grants grt_abc123,s3-reader > ci-agent.key

  # A caller known by the tokens of an OAuth client (client credentials)
  alter-mcp caller add reports-agent --grants s3-reader \
    --oauth-subject 0oa8f5j3ecb5w3dF35d7 --oauth-issuer https://example.okta.com/oauth2/default`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			// --oauth-issuer alone means nothing: ALTER_MCP_OAUTH_ISSUER, set
			// for serve, must not stop a caller with an API key.
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				if subject != "" {
					c, err := v.AddOAuthCaller(ctx, args[0], nonEmpty(grants), issuer, subject)
					if err == nil {
						a.log.Info("caller added: it has no API key, its OAuth tokens name it", "caller", c.Name, "oauth_subject", c.OAuthSubject, "oauth_issuer", orDash(c.OAuthIssuer))
					}
					return err
				}
				c, key, err := v.AddCaller(ctx, args[0], nonEmpty(grants))
				if err != nil {
					return err
				}
				a.log.Info("the API key is printed once, on stdout: keep it now, only its hash is stored", "caller", c.Name)
				_, err = fmt.Fprintln(a.stdout, key)
				return err
			})
		},
	}
	cmd.Flags().StringSliceVar(&grants, "grants", nil, "grants (ids or names) the caller may use")
	cmd.Flags().StringVar(&subject, "oauth-subject", "", "know the caller by OAuth access tokens with this subject (sub), instead of an API key")
	cmd.Flags().StringVar(&issuer, "oauth-issuer", "", "with --oauth-subject: only tokens of this issuer (default: any issuer serve --oauth-issuer trusts)")
	return cmd
}

func newCallerListCmd(a *app, vf *vaultFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List callers and the grants each may use",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				cs, err := v.Callers(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					if cs == nil {
						cs = []vault.Caller{}
					}
					return a.writeJSON(cs)
				}
				if len(cs) == 0 {
					fmt.Fprintln(a.stderr, "no callers yet: add one with 'alter-mcp caller add NAME --grants ID'")
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tSTATUS\tCREATED\tGRANTS\tOAUTH")
				for _, c := range cs {
					status := "active"
					if c.Revoked {
						status = "revoked"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, status, c.CreatedAt.UTC().Format(time.RFC3339), orDash(strings.Join(c.Grants, ",")), oauthOf(c))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func newCallerRevokeCmd(a *app, vf *vaultFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a caller: its API key stops working at once",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				return v.RevokeCaller(ctx, args[0])
			})
		},
	}
}

// oauthOf shows the tokens a caller is known by: SUBJECT@ISSUER, SUBJECT
// for any issuer, - for none.
func oauthOf(c vault.Caller) string {
	switch {
	case c.OAuthSubject == "":
		return "-"
	case c.OAuthIssuer == "":
		return c.OAuthSubject
	}
	return c.OAuthSubject + "@" + c.OAuthIssuer
}
