package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
	"github.com/spf13/cobra"
)

const doctorLong = `Check that alter-mcp can work: the home folder, the store (that it answers,
its version and a round trip's time), the master key,
where AWS calls are routed, and every grant's credentials (STS GetCallerIdentity,
made as the operator and audited), with the clock's skew against AWS and the age
and status of each access key. One line per check; a failed check says what to
do. The exit status is 1 when any check fails (warnings do not fail).`

// checkResult is one line of doctor's report.
type checkResult struct {
	Status string `json:"status"` // ok | warn | fail | skip
	Check  string `json:"check"`
	Detail string `json:"detail"`
}

func newDoctorCmd(a *app) *cobra.Command {
	var (
		vf      vaultFlags
		asJSON  bool
		offline bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the vault, the routing and every grant's credentials",
		Long:  doctorLong,
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var results []checkResult
			report := func(status, check, format string, args ...any) {
				r := checkResult{Status: status, Check: check, Detail: fmt.Sprintf(format, args...)}
				results = append(results, r)
				if !asJSON {
					fmt.Fprintf(a.stdout, "%-5s %-24s %s\n", strings.ToUpper(r.Status), r.Check, r.Detail)
				}
			}
			v, err := a.openVault(cmd.Context(), &vf)
			if err != nil {
				report("fail", "vault", "%v", err)
			} else {
				a.doctor(cmd.Context(), v, report, offline, timeout)
				v.Close()
			}
			if asJSON {
				if err := a.writeJSON(results); err != nil {
					return err
				}
			}
			failed := 0
			for _, r := range results {
				if r.Status == "fail" {
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d checks failed", failed, len(results))
			}
			return nil
		},
	}
	vf.register(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&asJSON, "json", false, "print the checks as a JSON array")
	fs.BoolVar(&offline, "offline", false, "check only what needs no call to AWS")
	fs.DurationVar(&timeout, "timeout", 20*time.Second, "time allowed for each grant's checks")
	return cmd
}

func (a *app) doctor(ctx context.Context, v *vault.Vault, report func(status, check, format string, args ...any), offline bool, timeout time.Duration) {
	info := v.Info()
	if fi, err := os.Stat(info.Home); err == nil {
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			report("warn", "home", "%s is mode %04o: others may read it; run chmod 700 %s", info.Home, mode, info.Home)
		} else {
			report("ok", "home", "%s (%04o)", info.Home, mode)
		}
	} else if info.Store != "" && strings.HasPrefix(info.Store, "sqlite:") {
		report("fail", "home", "%v", err)
	}
	a.doctorStore(ctx, v, report)
	report("ok", "master key", "%s from %s", info.MasterKeyID, info.MasterKeySource)

	services := []string{"sts", "iam", "s3", "bedrock-runtime"}
	routes := v.Routes(services...)
	if len(routes) == 0 {
		report("ok", "routing", "calls go to AWS (AWS_ENDPOINT_URL is not set)")
	}
	if base, ok := routes["*"]; ok {
		report("warn", "routing", "AWS_ENDPOINT_URL sends calls for AWS hosts to %s, not to AWS", base)
	}
	for _, s := range services {
		if u, ok := routes[s]; ok {
			report("warn", "routing "+s, "AWS_ENDPOINT_URL for %s sends its calls to %s", s, u)
		}
	}

	grants, err := v.Grants(ctx)
	if err != nil {
		report("fail", "grants", "%v", err)
		return
	}
	if len(grants) == 0 {
		report("warn", "grants", "no grants yet: add one with 'alter-mcp grant add --help'")
	}
	now := time.Now()
	for _, g := range grants {
		name := "grant " + g.Name
		switch {
		case g.Revoked:
			report("skip", name, "revoked")
			continue
		case !g.Expires.IsZero() && !now.Before(g.Expires):
			report("warn", name, "expired at %s; renew it or revoke it", g.Expires.UTC().Format(time.RFC3339))
			continue
		case offline:
			report("skip", name, "not checked (--offline)")
			continue
		}
		a.doctorGrant(ctx, v, g, name, report, timeout)
	}
}

// doctorStore checks that the store answers, and for a shared one that
// the replicas can share the master key.
func (a *app) doctorStore(ctx context.Context, v *vault.Vault, report func(status, check, format string, args ...any)) {
	info := v.Info()
	c, ok := v.Store().(store.Checker)
	if !ok {
		report("ok", "store", "%s", orDash(info.Store))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	detail, err := c.Check(ctx)
	if err != nil {
		report("fail", "store", "%s: %v", orDash(info.Store), err)
		return
	}
	report("ok", "store", "%s (%s)", orDash(info.Store), detail)
	if shared := strings.HasPrefix(info.Store, "postgres"); shared && info.MasterKeySource != vault.EnvMasterKey {
		report("warn", "master key", "the store is shared, and the master key comes from %s: every replica needs this same key; give it to all of them in %s (from a secret manager)", info.MasterKeySource, vault.EnvMasterKey)
	}
}

func (a *app) doctorGrant(ctx context.Context, v *vault.Vault, g vault.Grant, name string, report func(status, check, format string, args ...any), timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := v.CheckGrant(ctx, g.ID)
	if c.Err != nil {
		report("fail", name, "%v%s", c.Err, credentialHint(c.Err, g))
		return
	}
	report("ok", name, "%s (account %s)", c.Identity.ARN, c.Identity.Account)
	if c.SkewKnown {
		abs := c.Skew.Abs()
		switch {
		case abs > 5*time.Minute:
			report("fail", "clock", "this machine's clock is %s off AWS's; AWS refuses signatures more than 5 minutes off: sync the clock (NTP)", c.Skew)
		case abs > time.Minute:
			report("warn", "clock", "this machine's clock is %s off AWS's; sync it (NTP) before it reaches 5 minutes", c.Skew)
		}
	}
	if g.Source != "static" || g.HasSessionToken {
		return
	}
	k, err := v.KeyInfo(ctx, g.ID)
	switch {
	case err != nil:
		report("warn", name+" key", "cannot read the key's age and status: %v", err)
	case k.Status == "Inactive":
		report("warn", name+" key", "%s is Inactive in IAM: calls with it will fail; give the grant an active key with 'alter-mcp grant update-credential %s'", k.AccessKeyID, g.Name)
	case k.Age(time.Now()) > vault.MaxKeyAge:
		report("warn", name+" key", "%s is %d days old (over %d): rotate it with 'alter-mcp grant rotate %s'", k.AccessKeyID, int(k.Age(time.Now()).Hours()/24), int(vault.MaxKeyAge.Hours()/24), g.Name)
	case k.Created.IsZero():
		report("ok", name+" key", "%s; age unknown: %s", k.AccessKeyID, strings.Join(k.Notes, "; "))
	default:
		report("ok", name+" key", "%s is %s, %d days old", k.AccessKeyID, k.Status, int(k.Age(time.Now()).Hours()/24))
	}
}

// credentialHint says what to do about a grant whose credentials AWS refused.
func credentialHint(err error, g vault.Grant) string {
	var ae *credsrc.APIError
	if !errors.As(err, &ae) {
		var ue *url.Error
		if errors.As(err, &ue) {
			return "; AWS could not be reached: check the network, a proxy (HTTPS_PROXY) or AWS_ENDPOINT_URL"
		}
		return ""
	}
	switch ae.Code {
	case "InvalidClientTokenId", "InvalidAccessKeyId":
		return fmt.Sprintf("; the key does not exist or is inactive in IAM: set a working key with 'alter-mcp grant update-credential %s'", g.Name)
	case "SignatureDoesNotMatch":
		return fmt.Sprintf("; the secret does not match the key id: set it again with 'alter-mcp grant update-credential %s'", g.Name)
	case "ExpiredToken", "ExpiredTokenException":
		return fmt.Sprintf("; the temporary credentials expired: set new ones with 'alter-mcp grant update-credential %s'", g.Name)
	case "AccessDenied":
		return "; the credentials work but may not call this: check the IAM policy (or the role's trust policy)"
	}
	return ""
}
