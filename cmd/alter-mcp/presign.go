package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const presignLong = `Make a presigned URL with a grant's credentials: anyone who has the URL may
make that one request until it expires, without credentials of their own.

The grant's policy decides as for the request itself: a grant with
deny_presign refuses, and a read-only grant presigns only read operations.
S3 URLs are signed with UNSIGNED-PAYLOAD. A URL lives 1s to 7 days, and never
longer than the grant's credentials. Issuing is audited (operation Presign,
with the expiry; never the signature).`

func newPresignCmd(a *app) *cobra.Command {
	var (
		vf            vaultFlags
		grant, method string
		reason        string
		expires       time.Duration
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "presign [--grant ID] [-X METHOD] [--expires 15m] URL",
		Short: "Print a presigned URL made with a grant's credentials",
		Long:  presignLong,
		Example: `  # A download link for a report, valid for an hour
  alter-mcp presign --grant reports --expires 1h https://my-bucket.s3.eu-west-1.amazonaws.com/q3.csv

  # An upload link
  alter-mcp presign --grant uploads -X PUT https://my-bucket.s3.eu-west-1.amazonaws.com/incoming/data.json`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if expires < time.Second || expires > vault.MaxPresign {
				return usagef("--expires %s: a presigned URL lives 1s to 168h (7 days)", expires)
			}
			return a.withVault(cmd, &vf, func(ctx context.Context, v *vault.Vault) error {
				g := grant
				if g == "" {
					one, err := onlyGrant(ctx, v)
					if err != nil {
						return err
					}
					g = one
				}
				p, err := v.Presign(ctx, g, method, args[0], expires, vault.ClientOptions{Reason: reason, Tool: "alter-mcp presign"})
				if err != nil {
					return err
				}
				if asJSON {
					return a.writeJSON(p)
				}
				_, err = fmt.Fprintln(a.stdout, p.URL)
				return err
			})
		},
	}
	vf.register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&grant, "grant", "", "grant (id or name) whose credentials sign; may be left out when the vault has one grant")
	fs.StringVarP(&method, "request", "X", http.MethodGet, "HTTP method the URL allows")
	fs.DurationVar(&expires, "expires", 15*time.Minute, "how long the URL works, 1s to 168h")
	fs.StringVar(&reason, "reason", "", "why the URL is made, for the audit")
	fs.BoolVar(&asJSON, "json", false, "print {url, method, expires, headers} as JSON")
	return cmd
}

// onlyGrant is the id of the vault's one usable grant, or an error that
// says to choose.
func onlyGrant(ctx context.Context, v *vault.Vault) (string, error) {
	gs, err := v.Grants(ctx)
	if err != nil {
		return "", err
	}
	var usable []vault.Grant
	for _, g := range gs {
		if !g.Revoked && (g.Expires.IsZero() || time.Now().Before(g.Expires)) {
			usable = append(usable, g)
		}
	}
	switch len(usable) {
	case 1:
		return usable[0].ID, nil
	case 0:
		return "", fmt.Errorf("the vault has no usable grant: add one with 'alter-mcp grant add --help'")
	}
	return "", usagef("the vault has %d grants: choose one with --grant (see 'alter-mcp grant list')", len(usable))
}
