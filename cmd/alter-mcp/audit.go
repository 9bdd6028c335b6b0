package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const auditLong = `The audit trail records every call made through the vault, allowed or denied:
who called (caller, MCP client, session), why (reason, context), with which
grant, which AWS operation (CloudTrail's eventName and eventSource, the IAM
action), and what AWS answered (status, the request id that joins CloudTrail,
error, bytes, duration).

Each call is written as records in one hash chain, each record's hash an
HMAC-SHA256 keyed with the vault's audit key over the previous hash and the
record: "verify" finds a record that was changed, removed, inserted or
reordered. The commands open the vault (--home, --store, and the master key
from ALTER_MCP_MASTER_KEY or <home>/master.key), which holds that key sealed.
Opening it also marks interrupted the calls whose process died before their
end was recorded.

An entry is shown as its newest record tells it: "running" until its end
record, "interrupted" when it never came.`

func newAuditCmd(a *app) *cobra.Command {
	var vf vaultFlags
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "List, follow, show, verify and export the audit trail, and reconcile it with CloudTrail",
		Long:  auditLong,
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	vf.register(cmd)
	cmd.AddCommand(
		newAuditListCmd(a, &vf),
		newAuditTailCmd(a, &vf),
		newAuditShowCmd(a, &vf),
		newAuditVerifyCmd(a, &vf),
		newAuditExportCmd(a, &vf),
		newAuditReconcileCmd(a, &vf),
	)
	return cmd
}

// auditFilter are the flags that select entries.
type auditFilter struct {
	since, caller, grant, tool, decision, operation string
}

func (f *auditFilter) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.since, "since", "", "only records written since: a duration ago (90m, 12h, 7d), an RFC 3339 time or a date")
	fs.StringVar(&f.caller, "caller", "", "only calls by this caller")
	fs.StringVar(&f.grant, "grant", "", "only calls with this grant (id or name)")
	fs.StringVar(&f.tool, "tool", "", "only calls made by this MCP tool (aws_request)")
	fs.Var(newEnum(&f.decision, "", "allow", "deny"), "decision", "only allowed or only denied calls")
	fs.StringVar(&f.operation, "operation", "", "only calls of this operation, as CloudTrail names it (GetObject)")
}

// query turns the flags into an audit.Query; a grant name is looked up.
// A filter set in the environment is said on stderr: ALTER_MCP_CALLER is
// also serve's --caller, and an empty listing should not puzzle anyone.
func (a *app) query(ctx context.Context, v *vault.Vault, f *auditFilter) (audit.Query, error) {
	for flag, val := range map[string]string{"since": f.since, "caller": f.caller, "grant": f.grant, "tool": f.tool,
		"decision": f.decision, "operation": f.operation} {
		if val != "" && strings.EqualFold(a.getenv(envName(flag)), val) {
			a.log.Info("filtering the audit by "+flag+" from the environment", "variable", envName(flag), "value", val)
		}
	}
	q := audit.Query{Caller: f.caller, Tool: f.tool, Decision: f.decision, Operation: f.operation}
	if f.since != "" {
		t, err := parseSince(f.since, time.Now())
		if err != nil {
			return q, usagef("--since: %v", err)
		}
		q.Since = t
	}
	if strings.Contains(f.operation, ":") {
		return q, usagef("--operation %s: give the operation's name as CloudTrail's eventName (GetObject), not the IAM action", f.operation)
	}
	if f.grant != "" {
		q.GrantID = f.grant
		if !strings.HasPrefix(f.grant, "grt_") {
			g, err := v.Grant(ctx, f.grant)
			switch {
			case err == nil:
				q.GrantID = g.ID
			case !errors.Is(err, vault.ErrGrantNotFound):
				return q, err
			}
		}
	}
	return q, nil
}

// parseSince reads a point in the past: RFC 3339, a date (midnight UTC),
// or a duration ago ("90m", "12h", "7d").
func parseSince(s string, now time.Time) (time.Time, error) {
	t, err := parseTimeOrOffset(s, now, -1)
	if err != nil {
		return t, fmt.Errorf("%q is not a time: write a duration ago such as 90m, 12h or 7d, an RFC 3339 time (2027-01-31T00:00:00Z) or a date (2027-01-31)", s)
	}
	return t, nil
}

// printable is s safe for a terminal: text with control characters (which
// an agent may have written, to move the cursor or recolor the screen) is
// quoted.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// dash is s, or "-" when empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return printable(s)
}

// outcome is how an entry ended, for people.
func outcome(e audit.Entry) string {
	switch {
	case e.Outcome == "" && e.Kind == audit.KindBegin:
		return "running"
	case e.Outcome == audit.OutcomeDenied && e.Rule != "":
		return "denied:" + e.Rule
	}
	return dash(e.Outcome)
}

// writeLine prints e as one line of JSON: its record's canonical JSON with
// the hashes.
func (a *app) writeLine(e audit.Entry) error {
	line, err := audit.Line(e)
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(line)
	return err
}
