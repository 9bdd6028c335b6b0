package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

func newAuditShowCmd(a *app, vf *vaultFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one entry, field by field, and its records",
		Long: "Show one entry (aud_...) as its newest record tells it, field by field, and each of its\n" +
			"records with its place in the chain and its hash. --json prints {\"entry\": ..., \"records\": [...]}.",
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				e, recs, err := v.AuditLog().Get(ctx, args[0])
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("audit entry %s not found; audit list shows the ids", args[0])
				}
				if err != nil {
					return err
				}
				if asJSON {
					return a.writeJSON(struct {
						Entry   audit.Entry   `json:"entry"`
						Records []audit.Entry `json:"records"`
					}{e, recs})
				}
				return a.showEntry(e, recs)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the entry and its records as JSON")
	return cmd
}

func (a *app) showEntry(e audit.Entry, recs []audit.Entry) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", name, printable(value))
		}
	}
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	tm := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	status := ""
	if e.Status != 0 {
		status = strconv.Itoa(e.Status)
	}
	writer := ""
	if e.Writer != nil {
		writer = fmt.Sprintf("%s pid %d (%s)", e.Writer.Host, e.Writer.PID, e.Writer.Instance)
	}
	for _, f := range [][2]string{
		{"id", e.ID}, {"time", tm(e.Time)}, {"caller", e.Caller}, {"client", e.Client}, {"session_id", e.SessionID},
		{"tool", e.Tool}, {"file", e.File}, {"reason", e.Reason}, {"context", string(e.Context)},
		{"grant_id", e.GrantID}, {"grant_name", e.GrantName}, {"decision", e.Decision}, {"rule", e.Rule},
		{"service", e.Service}, {"region", e.Region}, {"operation", e.Operation}, {"event_source", e.EventSource},
		{"action", e.Action}, {"read_only", strconv.FormatBool(e.ReadOnly)}, {"method", e.Method}, {"url", e.URL},
		{"endpoint", e.Endpoint}, {"request_bytes", num(e.RequestBytes)}, {"request_sha256", e.RequestSHA},
		{"status", status}, {"request_id", e.RequestID}, {"amz_id_2", e.AmzID2}, {"error_code", e.ErrorCode},
		{"error_message", e.ErrorMessage}, {"response_bytes", num(e.ResponseBytes)}, {"duration_ms", num(e.DurationMS)},
		{"attempts", strconv.Itoa(e.Attempts)}, {"outcome", outcome(e)}, {"writer", writer},
	} {
		field(f[0], f[1])
	}
	fmt.Fprintln(tw, "records:")
	for _, r := range recs {
		fmt.Fprintf(tw, "  seq %d\t%s\t%s\tprev %s\thash %s\n", r.Seq, r.Kind, tm(r.RecordedAt), dash(r.PrevHash), r.Hash)
	}
	return tw.Flush()
}
