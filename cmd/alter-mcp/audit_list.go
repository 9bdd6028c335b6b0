package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const auditListExample = `  alter-mcp audit list --since 24h --decision deny
  alter-mcp audit list --json --limit 0 --grant s3-reader | jq .request_id`

func newAuditListCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		f      auditFilter
		limit  int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list [filters]",
		Short: "List the newest entries of the audit trail",
		Long: "List the newest entries of the audit trail, oldest first, as a table or (--json) as\n" +
			"one JSON object per line, each its record's canonical JSON with prev_hash and hash.",
		Example: auditListExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return usagef("--limit %d: give 0 for all entries, or how many of the newest to show", limit)
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				q, err := a.query(ctx, v, &f)
				if err != nil {
					return err
				}
				q.Limit = limit
				es, err := v.AuditLog().List(ctx, q)
				if err != nil {
					return err
				}
				return a.printEntries(es, asJSON, true)
			})
		},
	}
	fs := cmd.Flags()
	f.register(fs)
	fs.IntVar(&limit, "limit", 50, "how many of the newest entries to show; 0: all")
	fs.BoolVar(&asJSON, "json", false, "one JSON object per line")
	return cmd
}

func newAuditTailCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		f        auditFilter
		limit    int
		asJSON   bool
		follow   bool
		interval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "tail [-f] [filters]",
		Short: "Show the newest entries, and with -f every new one as it is written",
		Long: "Show the newest entries; with -f, keep polling the store and show each entry again\n" +
			"whenever it gets a record: a call shows as running when it begins and again when it\n" +
			"ends. Stop with Ctrl-C.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return usagef("--limit %d: give how many of the newest entries to show first", limit)
			}
			if interval <= 0 {
				return usagef("--interval %v: give a positive duration such as 1s", interval)
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				q, err := a.query(ctx, v, &f)
				if err != nil {
					return err
				}
				q.Limit = limit
				if !follow {
					es, err := v.AuditLog().List(ctx, q)
					if err != nil {
						return err
					}
					return a.printEntries(es, asJSON, true)
				}
				if !asJSON {
					fmt.Fprintf(a.stdout, tailFormat, "TIME", "ID", "CALLER", "GRANT", "ACTION", "OUTCOME", "STATUS", "MS", "REQUEST ID")
				}
				return v.AuditLog().Follow(ctx, q, interval, func(e audit.Entry) error {
					if asJSON {
						return a.writeLine(e)
					}
					_, err := fmt.Fprintf(a.stdout, tailFormat, row(e)...)
					return err
				})
			})
		},
	}
	fs := cmd.Flags()
	f.register(fs)
	fs.IntVar(&limit, "limit", 10, "how many of the newest entries to show first")
	fs.BoolVar(&asJSON, "json", false, "one JSON object per line")
	fs.BoolVarP(&follow, "follow", "f", false, "keep showing entries as they are written")
	fs.DurationVar(&interval, "interval", time.Second, "with -f, how often to look for new records")
	return cmd
}

// tailFormat lays out the rows of tail -f, which come one at a time, in
// fixed columns.
const tailFormat = "%-20s  %-30s  %-12s  %-16s  %-26s  %-16s  %-6s  %6s  %s\n"

// printEntries writes entries as lines of JSON or as table rows, with a
// header when header is set.
func (a *app) printEntries(es []audit.Entry, asJSON, header bool) error {
	if asJSON {
		for _, e := range es {
			if err := a.writeLine(e); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	if header {
		fmt.Fprintln(tw, "TIME\tID\tCALLER\tGRANT\tACTION\tOUTCOME\tSTATUS\tMS\tREQUEST ID")
	}
	for _, e := range es {
		writeRow(tw, e)
	}
	return tw.Flush()
}

func writeRow(w io.Writer, e audit.Entry) {
	r := row(e)
	for i, c := range r {
		sep := "\t"
		if i == len(r)-1 {
			sep = "\n"
		}
		fmt.Fprint(w, c, sep)
	}
}

// row is an entry's table row.
func row(e audit.Entry) []any {
	grant := e.GrantName
	if grant == "" {
		grant = e.GrantID
	}
	action := e.Action
	if action == "" {
		action = e.Operation
	}
	status := "-"
	if e.Status != 0 {
		status = fmt.Sprint(e.Status)
	}
	return []any{e.Time.UTC().Format(time.RFC3339), e.ID, dash(e.Caller), dash(grant), dash(action), outcome(e),
		status, fmt.Sprint(e.DurationMS), dash(e.RequestID)}
}
