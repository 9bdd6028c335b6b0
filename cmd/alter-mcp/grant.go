package main

import (
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const grantLong = `A grant is a set of AWS credentials kept encrypted in the vault, named by an id
(grt_...) that agents use instead of a key, and the policy that says what calls
it may make. Secrets go in and never come out: no command prints them.

The vault lives in --home (ALTER_MCP_HOME); its master key comes from
ALTER_MCP_MASTER_KEY or <home>/master.key, which is created on first use.`

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
		newGrantUnlockCmd(a, &vf),
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
