package main

import (
	"context"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const auditExportLong = `Write the audit trail to stdout: every entry the filters select, once, in the
state its newest record tells, in the order they completed (calls still running
come last).

jsonl: one JSON object per line, each its record's canonical JSON (RFC 8785)
with prev_hash and hash; without those two it is exactly what the hash covers.
csv: a header and one row per entry; text that a spreadsheet would take for a
formula (starting with = + - @) gets a leading apostrophe.`

func newAuditExportCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		f      auditFilter
		format string
	)
	cmd := &cobra.Command{
		Use:     "export --format jsonl|csv [filters]",
		Short:   "Write the audit trail as JSON lines or CSV",
		Long:    auditExportLong,
		Example: "  alter-mcp audit export --since 7d > audit.jsonl\n  alter-mcp audit export --format csv --decision deny > denied.csv",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				q, err := a.query(ctx, v, &f)
				if err != nil {
					return err
				}
				n, err := v.AuditLog().Export(ctx, a.stdout, format, q)
				if err != nil {
					return err
				}
				a.log.Debug("audit exported", "entries", n, "format", format)
				return nil
			})
		},
	}
	fs := cmd.Flags()
	f.register(fs)
	fs.Var(newEnum(&format, audit.FormatJSONL, audit.FormatJSONL, audit.FormatCSV), "format", "jsonl or csv")
	return cmd
}
