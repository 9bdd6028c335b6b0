package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

// grantDetail is what grant show prints: the grant and, for an access key,
// what IAM says about it.
type grantDetail struct {
	vault.Grant
	Key      *vault.KeyInfo `json:"key,omitempty"`
	KeyError string         `json:"key_error,omitempty"`
}

func newGrantShowCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		asJSON, offline bool
		timeout         time.Duration
	)
	cmd := &cobra.Command{
		Use:   "show ID|NAME",
		Short: "Show one grant: its source, its access key's age and last use, and its policy (never the secret)",
		Long: "Show one grant. For a long-term access key, IAM is asked (with the grant's own key, when\n" +
			"its policy allows iam:ListAccessKeys and iam:GetAccessKeyLastUsed) for the key's age and\n" +
			"status and when, where and for which service it was last used. --offline skips that.",
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				g, err := v.Grant(ctx, args[0])
				if err != nil {
					return err
				}
				d := grantDetail{Grant: g}
				if !offline && g.Source == "static" && !g.HasSessionToken && !g.Revoked {
					kctx, cancel := context.WithTimeout(ctx, timeout)
					k, err := v.KeyInfo(kctx, g.ID)
					cancel()
					if err != nil {
						d.KeyError = err.Error()
					} else {
						d.Key = &k
					}
				}
				if asJSON {
					return a.writeJSON(d)
				}
				return writeGrantText(a, d)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.Flags().BoolVar(&offline, "offline", false, "do not ask IAM about the access key")
	cmd.Flags().DurationVar(&timeout, "timeout", 20*time.Second, "time allowed for asking IAM")
	return cmd
}

func writeGrantText(a *app, d grantDetail) error {
	g := d.Grant
	now := time.Now()
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	row("grant id", g.ID)
	row("name", g.Name)
	if g.Description != "" {
		row("description", g.Description)
	}
	row("status", grantStatus(g, now))
	row("source", g.Source)
	switch {
	case g.Profile != "":
		row("profile", g.Profile)
	case g.RoleARN != "":
		row("role", g.RoleARN)
		row("source grant", g.SourceGrant)
		sessions := " (one session per caller, source identity alter-mcp.CALLER)"
		if g.MFASerial != "" {
			sessions = " (one session for every caller, unlocked by a person)"
		}
		row("session name", g.SessionName+sessions)
		if g.SessionPolicyFromGrant {
			row("session policy", "derived from the grant's policy")
		}
		if g.MFASerial != "" {
			row("MFA device", g.MFASerial+" (unlock with: alter-mcp grant unlock "+g.Name+")")
		}
	default:
		row("access key id", orDash(g.AccessKeyID))
	}
	if g.HasSessionToken {
		row("session token", "yes (temporary credentials)")
	}
	if !g.CredentialsExpire.IsZero() {
		row("credentials expire", g.CredentialsExpire.UTC().Format(time.RFC3339))
	}
	row("created", g.CreatedAt.UTC().Format(time.RFC3339)+" ("+age(now.Sub(g.CreatedAt))+" ago)")
	row("updated", g.UpdatedAt.UTC().Format(time.RFC3339))
	if !g.Expires.IsZero() {
		row("expires", g.Expires.UTC().Format(time.RFC3339))
	}
	if k := d.Key; k != nil {
		if !k.Created.IsZero() {
			age := fmt.Sprintf("%s (%d days old)", k.Created.UTC().Format(time.RFC3339), int(k.Age(now).Hours()/24))
			if k.Age(now) > vault.MaxKeyAge {
				age += ": rotate it with 'alter-mcp grant rotate " + g.Name + "'"
			}
			row("key created", age)
		}
		if k.Status != "" {
			row("key status", k.Status)
		}
		if k.UserName != "" {
			row("iam user", k.UserName)
		}
		switch {
		case !k.LastUsed.IsZero():
			row("key last used", fmt.Sprintf("%s, %s in %s", k.LastUsed.UTC().Format(time.RFC3339), orDash(k.LastService), orDash(k.LastRegion)))
		case len(k.Notes) == 0:
			row("key last used", "never, as far as IAM knows")
		}
		for _, n := range k.Notes {
			row("key note", n)
		}
	}
	if d.KeyError != "" {
		row("key", "IAM could not be asked: "+d.KeyError)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "policy:")
	enc := policyJSON(g.Policy)
	_, err := fmt.Fprintln(a.stdout, enc)
	return err
}
