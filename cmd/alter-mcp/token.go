package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/bearer"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
	"github.com/spf13/cobra"
)

const tokenLong = `Make short-term bearer tokens for AWS model endpoints, and read them.

  token bedrock     an Amazon Bedrock API key (bedrock-api-key-...), for
                    AWS_BEARER_TOKEN_BEDROCK or "Authorization: Bearer"
  token anthropic   an AWS External Anthropic token (aws-external-anthropic-api-key-...)
  token decode      what a token says: URL, region, service, expiry, time left

A token is a presigned request, valid in one region for at most 12 hours and
never longer than the credentials that signed it. Its credentials come from a
grant (--grant: the grant's policy applies and issuing is audited), from
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (--from-env), from
an AWS profile (--profile), or, with none of these, from the standard AWS
credential chain, as AWS's own token generator libraries do.`

func newTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Make Bedrock and External Anthropic bearer tokens, or decode one",
		Long:  tokenLong,
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	for _, k := range bearer.Kinds {
		cmd.AddCommand(newTokenKindCmd(a, k))
	}
	cmd.AddCommand(newTokenDecodeCmd(a))
	return cmd
}

func newTokenKindCmd(a *app, kind bearer.Kind) *cobra.Command {
	var (
		vf              vaultFlags
		grant, profile  string
		region, reason  string
		fromEnv, asJSON bool
		lifetime        time.Duration
	)
	cmd := &cobra.Command{
		Use:   kind.Name + " --region REGION [--grant ID | --from-env | --profile P] [--expires 12h]",
		Short: "Print a " + kind.Prefix + "... token",
		Example: fmt.Sprintf(`  # From a grant, for an agent's environment
  export AWS_BEARER_TOKEN_BEDROCK="$(alter-mcp token %s --grant models --region us-west-2)"

  # From the default credential chain, valid for an hour
  alter-mcp token %s --region eu-central-1 --expires 1h`, kind.Name, kind.Name),
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if region == "" {
				region = firstNonEmpty(a.getenv("AWS_REGION"), a.getenv("AWS_DEFAULT_REGION"))
			}
			if region == "" {
				return usagef("--region is required (or set AWS_REGION): a token works in one region")
			}
			sources := 0
			for _, given := range []bool{grant != "", fromEnv, profile != ""} {
				if given {
					sources++
				}
			}
			if sources > 1 {
				return usagef("give one of --grant, --from-env and --profile")
			}
			if _, err := bearer.Lifetime(lifetime, time.Time{}, time.Now()); err != nil {
				return usagef("--expires: %v", err)
			}
			if !cmd.Flags().Changed("grant") && cmd.Flags().Changed("reason") {
				return usagef("--reason is recorded in the audit, which only --grant writes")
			}
			var tok bearer.Token
			if grant != "" {
				err := a.withVault(cmd, &vf, func(ctx context.Context, v *vault.Vault) error {
					var err error
					tok, err = v.Token(ctx, grant, kind, region, lifetime, vault.ClientOptions{Reason: reason, Tool: "alter-mcp token"})
					return err
				})
				if err != nil {
					return err
				}
			} else {
				creds, err := a.tokenCredentials(cmd.Context(), fromEnv, profile)
				if err != nil {
					return err
				}
				if tok, err = bearer.Generate(kind, creds, region, lifetime, time.Now()); err != nil {
					return err
				}
			}
			if time.Until(tok.Expires) < lifetime-time.Second {
				a.log.Warn("the token expires early, with the credentials that signed it", "expires", tok.Expires.UTC().Format(time.RFC3339))
			}
			if asJSON {
				return a.writeJSON(struct {
					Token   string    `json:"token"`
					Kind    string    `json:"kind"`
					Region  string    `json:"region"`
					Expires time.Time `json:"expires"`
				}{tok.Value, kind.Name, region, tok.Expires.UTC()})
			}
			_, err := fmt.Fprintln(a.stdout, tok.Value)
			return err
		},
	}
	vf.register(cmd)
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&region, "region", "", "region the token works in (default $AWS_REGION)")
	fs.StringVar(&grant, "grant", "", "make it from this grant's credentials, under its policy, audited")
	fs.BoolVar(&fromEnv, "from-env", false, "make it from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN")
	fs.StringVar(&profile, "profile", "", "make it from this AWS profile's credentials")
	fs.DurationVar(&lifetime, "expires", bearer.MaxLifetime, "how long the token works, 1s to 12h (never past the credentials' expiry)")
	fs.StringVar(&reason, "reason", "", "why the token is made, for the audit (with --grant)")
	fs.BoolVar(&asJSON, "json", false, "print {token, kind, region, expires} as JSON")
	return cmd
}

// tokenCredentials are the credentials of a token made outside the vault.
func (a *app) tokenCredentials(ctx context.Context, fromEnv bool, profile string) (sigv4.Credentials, error) {
	if fromEnv {
		return credentialsFromEnv(a.getenv)
	}
	p := &credsrc.Profile{Name: profile, Getenv: a.getenv}
	c, err := p.Retrieve(ctx)
	if err != nil {
		return c, fmt.Errorf("no credentials for the token: %w", err)
	}
	return c, nil
}

func newTokenDecodeCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "decode TOKEN|-",
		Short: "Show what a token says: URL, region, service, expiry and time left (no credentials needed)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw := args[0]
			if raw == "-" {
				b, err := io.ReadAll(io.LimitReader(a.stdin, 64<<10))
				if err != nil {
					return fmt.Errorf("read the token from stdin: %w", err)
				}
				raw = string(b)
			}
			info, err := bearer.Decode(strings.TrimSpace(raw))
			if err != nil {
				return usageError{err}
			}
			left := info.Remaining(time.Now()).Truncate(time.Second)
			if asJSON {
				return a.writeJSON(struct {
					bearer.Info
					SecondsLeft int64 `json:"seconds_left"`
				}{info, int64(left / time.Second)})
			}
			status := "valid for " + left.String()
			if left <= 0 {
				status = "expired " + (-left).String() + " ago"
			}
			_, err = fmt.Fprintf(a.stdout, "kind:          %s\nregion:        %s\nservice:       %s\naccess key id: %s\nsession token: %v\nissued:        %s\nexpires:       %s (%s)\nurl:           %s\n",
				info.Kind, info.Region, info.Service, info.AccessKeyID, info.SessionToken,
				info.Issued.UTC().Format(time.RFC3339), info.Expires.UTC().Format(time.RFC3339), status, info.URL)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the token's parts as JSON")
	return cmd
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
