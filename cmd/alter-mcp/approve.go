package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const approvalsLong = `List the writes held for an operator's approval.

A write on a grant whose policy sets confirm_writes needs a person's word. When the
MCP client can ask its user (elicitation), it does; when it cannot, the server holds
the call (serve --approval-wait, 2m by default) until an operator approves or rejects
it here, with 'alter-mcp approve ID' or 'alter-mcp reject ID', or in the console. The
store is shared, so decide from any machine that opens it. Each decision, with who
made it, is in the call's audit entry.`

func newApprovalsCmd(a *app) *cobra.Command {
	var vf vaultFlags
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:     "approvals",
		Short:   "List the writes waiting for an operator's approval",
		Long:    approvalsLong,
		Example: "  alter-mcp approvals\n  alter-mcp approvals --decided --json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, &vf, func(ctx context.Context, v *vault.Vault) error {
				status := vault.ApprovalPending
				if all {
					status = ""
				}
				as, err := v.Approvals(ctx, status, 200)
				if err != nil {
					return err
				}
				if asJSON {
					if as == nil {
						as = []vault.Approval{}
					}
					return a.writeJSON(as)
				}
				if len(as) == 0 {
					fmt.Fprintln(a.stderr, "no writes wait for approval")
					return nil
				}
				now := time.Now()
				for _, ap := range as {
					fmt.Fprintf(a.stdout, "%s  %s  %s on grant %s, asked by %s %s ago\n", ap.ID, ap.Status, cmp.Or(ap.Operation, "an unknown operation"),
						ap.GrantName, ap.CallerName, now.Sub(ap.CreatedAt).Round(time.Second))
					if ap.Status == vault.ApprovalPending {
						fmt.Fprintf(a.stdout, "    expires in %s: alter-mcp approve %s  or  alter-mcp reject %s\n", ap.Expires.Sub(now).Round(time.Second), ap.ID, ap.ID)
					} else if ap.DecidedBy != "" {
						fmt.Fprintf(a.stdout, "    by %s at %s\n", ap.DecidedBy, ap.DecidedAt.Local().Format(time.DateTime))
					}
					for _, l := range strings.Split(ap.Summary, "\n") {
						fmt.Fprintf(a.stdout, "    | %s\n", l)
					}
				}
				return nil
			})
		},
	}
	vf.register(cmd)
	cmd.Flags().BoolVar(&all, "decided", false, "list decided, expired and withdrawn approvals too (the newest 200)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func newApproveCmd(a *app) *cobra.Command { return newDecideCmd(a, true) }
func newRejectCmd(a *app) *cobra.Command  { return newDecideCmd(a, false) }

// newDecideCmd is approve (approve true) or reject.
func newDecideCmd(a *app, approve bool) *cobra.Command {
	var vf vaultFlags
	var as string
	verb, done, short := "approve", "approved", "Approve a held write: the waiting call is sent to AWS"
	if !approve {
		verb, done, short = "reject", "rejected", "Reject a held write: the waiting call is refused, and nothing is sent"
	}
	cmd := &cobra.Command{
		Use:     verb + " ID",
		Short:   short,
		Long:    short + ".\n\n" + approvalsLong,
		Example: "  alter-mcp approvals\n  alter-mcp " + verb + " apr_…",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			who := cmp.Or(strings.TrimSpace(as), operatorName())
			return a.withVault(cmd, &vf, func(ctx context.Context, v *vault.Vault) error {
				ap, err := v.DecideApproval(ctx, args[0], approve, who+" (cli)")
				if errors.Is(err, vault.ErrApprovalNotFound) {
					return fmt.Errorf("%w (alter-mcp approvals lists the writes waiting)", err)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s %s: %s on grant %s, asked by %s\n", done, ap.ID, cmp.Or(ap.Operation, "an unknown operation"), ap.GrantName, ap.CallerName)
				return nil
			})
		},
	}
	vf.register(cmd)
	cmd.Flags().StringVar(&as, "operator", "", "who decides, as the audit records it (default: your login name)")
	return cmd
}

// operatorName is the login name of who runs the command.
func operatorName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return cmp.Or(os.Getenv("USER"), "operator")
}
