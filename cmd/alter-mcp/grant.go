package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const grantLong = `A grant is a set of AWS credentials kept encrypted in the vault, named by an id
(grt_...) that agents use instead of a key, and the policy that says what calls
it may make. Secrets go in and never come out: no command prints them.

The vault lives in --home (ALTER_MCP_HOME); its master key comes from
ALTER_MCP_MASTER_KEY or <home>/master.key, which is created on first use.`

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
                     down by --session-policy-file, cached until shortly
                     before the session expires.

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

const policyFileHelp = `A policy file is JSON with these fields, all optional: allow_services,
deny_services, allow_regions, deny_regions, allow_methods, deny_methods,
allow_actions, deny_actions (IAM style, "s3:Get*"), allow_hosts, deny_hosts,
allow_paths, deny_paths (globs), read_only, require_reason, max_body_bytes,
rate and caller_rate ({"per_second": 5, "burst": 10}), not_before, expires,
confirm_writes, deny_presign, issue_credentials, allow_customer_hosts (globs).
Deny wins; an empty allow list allows all. Two things are refused unless the
policy opts in: operations that hand out credentials, tokens or signed URLs
(whoever reads them can use AWS without the vault), and hosts anyone can own,
such as Lambda function URLs and API Gateway APIs (their owner sees the signed
request). Flags given with --policy-file change the file's policy.`

func newGrantCmd(a *app) *cobra.Command {
	var vf vaultFlags
	cmd := &cobra.Command{
		Use:   "grant",
		Short: "Add, list, show, update, rotate and revoke grants",
		Long:  grantLong,
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	vf.register(cmd)
	cmd.AddCommand(
		newGrantAddCmd(a, &vf),
		newGrantListCmd(a, &vf),
		newGrantShowCmd(a, &vf),
		newGrantUpdateCredentialCmd(a, &vf),
		newGrantSetPolicyCmd(a, &vf),
		newGrantRevokeCmd(a, &vf),
		newGrantRotateCmd(a, &vf),
	)
	return cmd
}

// credentialFlags say where a grant's static credentials come from.
type credentialFlags struct {
	fromEnv     bool
	accessKeyID string
	secretStdin bool
	credsExpire string
}

func (f *credentialFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.fromEnv, "from-env", false, "read AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN")
	fs.StringVar(&f.accessKeyID, "access-key-id", "", "access key id (AKIA... or ASIA...); the secret comes from stdin")
	fs.BoolVar(&f.secretStdin, "secret-access-key-stdin", false, "read the secret access key from stdin's first line, and a session token from its second if there is one")
	fs.StringVar(&f.credsExpire, "credentials-expire", "", "when temporary credentials stop working (RFC 3339, a date, or a duration such as 12h)")
}

// credentials reads the credentials the flags point to.
func (a *app) credentials(f *credentialFlags) (vault.StaticCredentials, error) {
	var c vault.StaticCredentials
	switch {
	case f.fromEnv && (f.accessKeyID != "" || f.secretStdin):
		return c, usagef("give --from-env or --access-key-id with --secret-access-key-stdin, not both")
	case f.fromEnv:
		c.AccessKeyID = a.getenv("AWS_ACCESS_KEY_ID")
		c.SecretAccessKey = a.getenv("AWS_SECRET_ACCESS_KEY")
		c.SessionToken = a.getenv("AWS_SESSION_TOKEN")
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return c, usagef("--from-env: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)")
		}
	case f.accessKeyID != "" && f.secretStdin:
		lines, err := readSecretLines(a.stdin, 2)
		if err != nil {
			return c, err
		}
		if len(lines) == 0 || lines[0] == "" {
			return c, usagef("--secret-access-key-stdin: stdin is empty; pipe the secret access key in, for example: printf '%%s\\n' \"$SECRET\" | alter-mcp ...")
		}
		c.AccessKeyID, c.SecretAccessKey = f.accessKeyID, lines[0]
		if len(lines) > 1 {
			c.SessionToken = lines[1]
		}
	case f.accessKeyID != "":
		return c, usagef("--access-key-id needs --secret-access-key-stdin: secrets are never taken as arguments, which other users can see in the process list")
	case f.secretStdin:
		return c, usagef("--secret-access-key-stdin needs --access-key-id")
	default:
		return c, usagef("give credentials: --from-env, or --access-key-id ID --secret-access-key-stdin")
	}
	if f.credsExpire != "" {
		t, err := parseWhen(f.credsExpire, time.Now())
		if err != nil {
			return c, usagef("--credentials-expire: %v", err)
		}
		c.Expires = t
	}
	return c, nil
}

// sourceFlags name the other credential sources: a profile or a role.
type sourceFlags struct {
	profile           string
	roleARN           string
	sourceGrant       string
	externalID        string
	sessionName       string
	duration          time.Duration
	sessionPolicyFile string
	stsRegion         string
}

func (f *sourceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "take credentials from this AWS profile, as the AWS CLI would (default: the default chain)")
	fs.StringVar(&f.roleARN, "role-arn", "", "assume this IAM role with the credentials of --source-grant")
	fs.StringVar(&f.sourceGrant, "source-grant", "", "grant (id or name) whose credentials assume --role-arn")
	fs.StringVar(&f.externalID, "external-id", "", "external id the role's trust policy requires")
	fs.StringVar(&f.sessionName, "session-name", "", "role session name shown in CloudTrail (default alter-mcp-NAME)")
	fs.DurationVar(&f.duration, "duration", 0, "role session duration, 15m to 12h (default: STS's, 1h)")
	fs.StringVar(&f.sessionPolicyFile, "session-policy-file", "", "JSON IAM policy that scopes the role's session down")
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
		for _, f := range []string{"external-id", "session-name", "duration", "session-policy-file", "sts-region"} {
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

// policyFlags edit a policy; only the flags given change it.
type policyFlags struct {
	file                                 string
	allowServices, denyServices          []string
	allowRegions, denyRegions            []string
	allowMethods, denyMethods            []string
	allowActions, denyActions            []string
	allowCustomerHosts                   []string
	readOnly, requireReason, denyPresign bool
	confirmWrites, issueCredentials      bool
	maxBodyBytes                         int64
}

func (f *policyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "policy-file", "", "read the policy from this JSON file (see --help)")
	fs.StringSliceVar(&f.allowServices, "allow-services", nil, "services the grant may call (s3,sts,dynamodb); empty: all")
	fs.StringSliceVar(&f.denyServices, "deny-services", nil, "services the grant may not call")
	fs.StringSliceVar(&f.allowRegions, "allow-regions", nil, "regions the grant may call (us-east-1,eu-*); empty: all")
	fs.StringSliceVar(&f.denyRegions, "deny-regions", nil, "regions the grant may not call")
	fs.StringSliceVar(&f.allowMethods, "allow-methods", nil, "HTTP methods the grant may use; empty: all")
	fs.StringSliceVar(&f.denyMethods, "deny-methods", nil, "HTTP methods the grant may not use")
	fs.StringSliceVar(&f.allowActions, "allow-actions", nil, "IAM actions the grant may call (s3:Get*,sts:GetCallerIdentity); empty: all")
	fs.StringSliceVar(&f.denyActions, "deny-actions", nil, "IAM actions the grant may not call (iam:*)")
	fs.BoolVar(&f.readOnly, "read-only", false, "allow only operations known to be read-only")
	fs.BoolVar(&f.requireReason, "require-reason", false, "refuse calls that give no reason")
	fs.BoolVar(&f.denyPresign, "deny-presign", false, "refuse presigned URLs and bearer tokens")
	fs.BoolVar(&f.confirmWrites, "confirm-writes", false, "ask the user before each write, where the MCP client can ask")
	fs.Int64Var(&f.maxBodyBytes, "max-body-bytes", 0, "largest request body allowed; 0: no limit")
	fs.BoolVar(&f.issueCredentials, "issue-credentials", false,
		"allow operations that hand out credentials, tokens or signed URLs (sts:GetSessionToken, iam:CreateAccessKey); off by default because whoever reads them can use AWS without the vault")
	fs.StringSliceVar(&f.allowCustomerHosts, "allow-customer-hosts", nil,
		"hosts anyone can own (Lambda function URLs, API Gateway, AppSync, OpenSearch) that the grant may call, as globs (**.execute-api.us-east-1.amazonaws.com); none by default because their owner sees the signed request")
}

// apply returns base changed by the flags given, after --policy-file when given.
func (f *policyFlags) apply(base policy.Policy, changed func(string) bool) (policy.Policy, error) {
	p := base
	if f.file != "" {
		data, err := os.ReadFile(f.file)
		if err != nil {
			return p, usagef("--policy-file: %v", err)
		}
		if p, err = policy.Parse(data); err != nil {
			return p, usagef("--policy-file %s: %v", f.file, err)
		}
	}
	lists := []struct {
		flag string
		dst  *[]string
		src  []string
	}{
		{"allow-services", &p.AllowServices, f.allowServices},
		{"deny-services", &p.DenyServices, f.denyServices},
		{"allow-regions", &p.AllowRegions, f.allowRegions},
		{"deny-regions", &p.DenyRegions, f.denyRegions},
		{"allow-methods", &p.AllowMethods, f.allowMethods},
		{"deny-methods", &p.DenyMethods, f.denyMethods},
		{"allow-actions", &p.AllowActions, f.allowActions},
		{"deny-actions", &p.DenyActions, f.denyActions},
		{"allow-customer-hosts", &p.AllowCustomerHosts, f.allowCustomerHosts},
	}
	for _, l := range lists {
		if changed(l.flag) {
			*l.dst = nonEmpty(l.src)
		}
	}
	bools := []struct {
		flag string
		dst  *bool
		src  bool
	}{
		{"read-only", &p.ReadOnly, f.readOnly},
		{"require-reason", &p.RequireReason, f.requireReason},
		{"deny-presign", &p.DenyPresign, f.denyPresign},
		{"confirm-writes", &p.ConfirmWrites, f.confirmWrites},
		{"issue-credentials", &p.IssueCredentials, f.issueCredentials},
	}
	for _, b := range bools {
		if changed(b.flag) {
			*b.dst = b.src
		}
	}
	if changed("max-body-bytes") {
		p.MaxBodyBytes = f.maxBodyBytes
	}
	if err := p.Validate(); err != nil {
		return p, usagef("policy: %v", err)
	}
	return p, nil
}

// nonEmpty drops blank entries, so that --allow-services ” clears a list.
func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
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

func newGrantListCmd(a *app, vf *vaultFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List grants (never their secrets)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				gs, err := v.Grants(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					if gs == nil {
						gs = []vault.Grant{}
					}
					return a.writeJSON(gs)
				}
				if len(gs) == 0 {
					fmt.Fprintln(a.stderr, "no grants yet: add one with 'alter-mcp grant add --help'")
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "GRANT ID\tNAME\tSOURCE\tACCESS KEY\tSTATUS\tPOLICY")
				now := time.Now()
				for _, g := range gs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.ID, g.Name, g.Source, orDash(g.AccessKeyID), grantStatus(g, now), policySummary(g.Policy))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

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

func newGrantUpdateCredentialCmd(a *app, vf *vaultFlags) *cobra.Command {
	var cf credentialFlags
	cmd := &cobra.Command{
		Use:   "update-credential ID|NAME (--from-env | --access-key-id ID --secret-access-key-stdin)",
		Short: "Replace a grant's credentials; its id keeps working",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			creds, err := a.credentials(&cf)
			if err != nil {
				return err
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				return v.UpdateCredential(ctx, args[0], creds)
			})
		},
	}
	cf.register(cmd.Flags())
	return cmd
}

func newGrantSetPolicyCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		pf    policyFlags
		reset bool
	)
	cmd := &cobra.Command{
		Use:   "set-policy ID|NAME [--reset] [--policy-file F] [policy flags]",
		Short: "Change a grant's policy",
		Long: "Change a grant's policy. The flags given change the current policy; --policy-file\n" +
			"replaces it with the file's, and --reset starts from the empty policy (which allows all).\n\n" + policyFileHelp,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().NFlag() == 0 {
				return usagef("say what to change: give --policy-file, --reset or a policy flag (see --help)")
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				g, err := v.Grant(ctx, args[0])
				if err != nil {
					return err
				}
				base := g.Policy
				if reset {
					base = policy.Policy{}
				}
				p, err := pf.apply(base, cmd.Flags().Changed)
				if err != nil {
					return err
				}
				return v.SetPolicy(ctx, g.ID, p)
			})
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.BoolVar(&reset, "reset", false, "start from the empty policy instead of the current one")
	pf.register(fs)
	return cmd
}

func newGrantRevokeCmd(a *app, vf *vaultFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke a grant: every later call with it is refused",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				return v.RevokeGrant(ctx, args[0])
			})
		},
	}
}

func grantStatus(g vault.Grant, now time.Time) string {
	switch {
	case g.Revoked:
		return "revoked"
	case !g.Expires.IsZero() && !now.Before(g.Expires):
		return "expired"
	case !g.CredentialsExpire.IsZero() && !now.Before(g.CredentialsExpire):
		return "credentials expired"
	}
	return "active"
}

// policySummary is a one-line description of a policy for tables and logs.
func policySummary(p policy.Policy) string {
	var parts []string
	add := func(label string, list []string) {
		if len(list) > 0 {
			parts = append(parts, label+"="+strings.Join(list, ","))
		}
	}
	if p.ReadOnly {
		parts = append(parts, "read-only")
	}
	add("services", p.AllowServices)
	add("-services", p.DenyServices)
	add("regions", p.AllowRegions)
	add("-regions", p.DenyRegions)
	add("methods", p.AllowMethods)
	add("-methods", p.DenyMethods)
	add("actions", p.AllowActions)
	add("-actions", p.DenyActions)
	add("customer-hosts", p.AllowCustomerHosts)
	if p.IssueCredentials {
		parts = append(parts, "issues credentials")
	}
	if p.RequireReason {
		parts = append(parts, "reason required")
	}
	if len(parts) == 0 {
		return "allow all"
	}
	return strings.Join(parts, " ")
}

func policyJSON(p policy.Policy) string {
	var sb strings.Builder
	enc := jsonIndent(&sb)
	if err := enc.Encode(p); err != nil {
		return fmt.Sprintf("(cannot show: %v)", err)
	}
	return strings.TrimRight(sb.String(), "\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// age is a rough duration for people: "3 days", "5 hours", "12 minutes".
func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return "moments"
}
