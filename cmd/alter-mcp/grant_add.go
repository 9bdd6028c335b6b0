package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const grantAddLong = `Add a grant with a policy and print its id alone on stdout. Its credentials come
from one of:

  an access key      --from-env, or --access-key-id with the secret on stdin;
                     sealed with the master key in the store.
  an AWS profile     --profile NAME ("default" for the default chain), resolved
                     as the AWS CLI does (environment, shared files, SSO,
                     credential_process, assume-role profiles, web identity,
                     container and instance metadata; the legacy boto file for
                     the default profile) each time credentials are needed, in
                     the process that signs. Nothing secret is stored.
  a role             --role-arn ARN --source-grant ID: STS AssumeRole signed
                     with the source grant's credentials, optionally scoped
                     down by --session-policy-file or by a session policy
                     derived from the grant's own (--session-policy-from-grant),
                     one session per caller, cached until shortly before it
                     expires. Its AssumeRole sets SourceIdentity alter-mcp.CALLER
                     and the session tags alter-mcp:grant and alter-mcp:caller:
                     the role's trust policy must allow sts:AssumeRole,
                     sts:SetSourceIdentity and sts:TagSession.

`

const grantAddExample = `  # From the standard AWS variables, read-only S3 in two regions
  alter-mcp grant add --name s3-reader --from-env \
    --allow-services s3 --allow-regions us-east-1,eu-west-1 --read-only

  # The secret on stdin (line 1), and a session token (line 2) for temporary keys
  printf '%s\n' "$SECRET" | alter-mcp grant add --name ci \
    --access-key-id AKIAIOSFODNN7EXAMPLE --secret-access-key-stdin

  # A policy from a JSON file, with an expiry
  alter-mcp grant add --name audit --from-env --policy-file audit.json --expires 30d

  # The credentials of an AWS CLI profile (SSO, credential_process, ...)
  alter-mcp grant add --name dev --profile dev-sso --allow-regions eu-west-1

  # A role assumed with another grant's key, scoped down to reading one bucket
  alter-mcp grant add --name reports --source-grant ci \
    --role-arn arn:aws:iam::123456789012:role/reports-reader --external-id 4711 \
    --session-policy-file read-reports.json --duration 1h`

// sourceFlags name the other credential sources: a profile or a role.
type sourceFlags struct {
	profile           string
	roleARN           string
	sourceGrant       string
	externalID        string
	sessionName       string
	duration          time.Duration
	sessionPolicyFile string
	sessionPolicyMine bool
	stsRegion         string
	mfaSerial         string
}

func (f *sourceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "take credentials from this AWS profile, as the AWS CLI would (default: the default chain)")
	fs.StringVar(&f.roleARN, "role-arn", "", "assume this IAM role with the credentials of --source-grant")
	fs.StringVar(&f.sourceGrant, "source-grant", "", "grant (id or name) whose credentials assume --role-arn")
	fs.StringVar(&f.externalID, "external-id", "", "external id the role's trust policy requires")
	fs.StringVar(&f.sessionName, "session-name", "", "role session name shown in CloudTrail (default alter-mcp-NAME)")
	fs.DurationVar(&f.duration, "duration", 0, "role session duration, 15m to 12h (default: STS's, 1h)")
	fs.StringVar(&f.sessionPolicyFile, "session-policy-file", "", "JSON IAM policy that scopes the role's session down")
	fs.BoolVar(&f.sessionPolicyMine, "session-policy-from-grant", false, "scope the role's sessions down by a session policy derived from the grant's policy (its actions, services and regions)")
	fs.StringVar(&f.mfaSerial, "mfa-serial", "", "the MFA device the role requires (its ARN): a person unlocks the grant with grant unlock")
	fs.StringVar(&f.stsRegion, "sts-region", "", "region of the STS endpoint that assumes the role (default us-east-1)")
}

// grantSource puts the credential source the flags name into spec.
func (a *app) grantSource(spec *vault.GrantSpec, cf *credentialFlags, sf *sourceFlags, changed func(string) bool) error {
	static := cf.fromEnv || cf.accessKeyID != "" || cf.secretStdin
	role := sf.roleARN != "" || sf.sourceGrant != ""
	profile := changed("profile")
	n := 0
	for _, given := range []bool{static, role, profile} {
		if given {
			n++
		}
	}
	if n > 1 {
		return usagef("give one credential source: an access key (--from-env or --access-key-id), --profile, or --role-arn with --source-grant")
	}
	if !role {
		for _, f := range []string{"external-id", "session-name", "duration", "session-policy-file", "session-policy-from-grant", "sts-region", "mfa-serial"} {
			if changed(f) {
				return usagef("--%s applies only with --role-arn and --source-grant", f)
			}
		}
	}
	switch {
	case profile:
		spec.Profile = sf.profile
		if spec.Profile == "" {
			spec.Profile = "default"
		}
	case role:
		if sf.roleARN == "" || sf.sourceGrant == "" {
			return usagef("a role grant needs both --role-arn and --source-grant")
		}
		spec.AssumeRole = &vault.AssumeRoleSpec{
			RoleARN: sf.roleARN, SourceGrant: sf.sourceGrant, ExternalID: sf.externalID,
			SessionName: sf.sessionName, Duration: sf.duration, Region: sf.stsRegion,
			SessionPolicyFromGrant: sf.sessionPolicyMine, MFASerial: sf.mfaSerial,
		}
		if sf.sessionPolicyMine && sf.sessionPolicyFile != "" {
			return usagef("give --session-policy-file or --session-policy-from-grant, not both")
		}
		if sf.sessionPolicyFile != "" {
			data, err := os.ReadFile(sf.sessionPolicyFile)
			if err != nil {
				return usagef("--session-policy-file: %v", err)
			}
			spec.AssumeRole.SessionPolicy = strings.TrimSpace(string(data))
		}
	default:
		creds, err := a.credentials(cf)
		if err != nil {
			return err
		}
		spec.Static = &creds
	}
	return nil
}

func newGrantAddCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		name, description, expires string
		cf                         credentialFlags
		sf                         sourceFlags
		pf                         policyFlags
	)
	cmd := &cobra.Command{
		Use:     "add --name NAME (--from-env | --access-key-id ID --secret-access-key-stdin | --profile P | --role-arn ARN --source-grant ID) [policy flags]",
		Short:   "Store credentials as a new grant and print its id",
		Long:    grantAddLong + policyFileHelp,
		Example: grantAddExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return usagef("--name is required: a short unique name such as s3-reader")
			}
			spec := vault.GrantSpec{Name: name, Description: description}
			if expires != "" {
				t, err := parseWhen(expires, time.Now())
				if err != nil {
					return usagef("--expires: %v", err)
				}
				spec.Expires = t
			}
			p, err := pf.apply(policy.Policy{}, cmd.Flags().Changed)
			if err != nil {
				return err
			}
			spec.Policy = p
			if err := a.grantSource(&spec, &cf, &sf, cmd.Flags().Changed); err != nil {
				return err
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				g, err := v.AddGrant(ctx, spec)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(a.stdout, g.ID)
				return err
			})
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&name, "name", "", "unique name of the grant (required)")
	fs.StringVar(&description, "description", "", "what the grant is for, shown to agents by list_grants")
	cf.register(fs)
	sf.register(fs)
	pf.register(fs)
	fs.StringVar(&expires, "expires", "", "when the grant stops working (RFC 3339, a date, or a duration such as 30d)")
	return cmd
}
