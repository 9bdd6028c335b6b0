package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const auditVerifyLong = `Walk the audit chain from its first record and check each record's hash (an
HMAC keyed with the vault's audit key over the previous hash and the record), its
place, and its indexed columns. It prints one line: "ok: ..." with the number of
records and the head (seq and hash) and exits 0, or names the first record that
was changed, removed (missing), inserted or reordered and exits 1.

Records cut from the end of the chain leave nothing to notice by themselves:
keep the head it prints somewhere else (seq 96 hash 420d... as 96:420d...), and
give it later with --anchor: verify then also fails when the chain no longer
holds that record with that hash (truncated, or rewritten with the audit key).

serve --audit-file keeps such a head outside the store all along: every record
it commits is also a line of that file. --anchor-file takes the newest record
of such a file as the anchor.`

func newAuditVerifyCmd(a *app, vf *vaultFlags) *cobra.Command {
	var anchors, anchorFiles []string
	cmd := &cobra.Command{
		Use:   "verify [--anchor SEQ:HASH]... [--anchor-file FILE]...",
		Short: "Check the audit chain; exit 1 naming the first record that was tampered with",
		Long:  auditVerifyLong,
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var heads []store.AuditHead
			for _, s := range anchors {
				h, err := audit.ParseAnchor(s)
				if err != nil {
					return usagef("--anchor: %v", err)
				}
				heads = append(heads, h)
			}
			for _, f := range anchorFiles {
				h, err := audit.ReadAnchorFile(f)
				if err != nil {
					return usagef("--anchor-file: %v", err)
				}
				heads = append(heads, h)
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				rep, err := v.AuditLog().Verify(ctx)
				if err != nil {
					return err
				}
				for _, h := range heads {
					if err := v.AuditLog().CheckAnchor(ctx, rep, h); err != nil {
						return err
					}
				}
				fmt.Fprintln(a.stdout, rep)
				if rep.Problem != nil {
					return errors.New("the audit chain does not verify: " + rep.Problem.Error())
				}
				return nil
			})
		},
	}
	cmd.Flags().StringArrayVar(&anchors, "anchor", nil, "a head an earlier verify printed, as SEQ:HASH, that the chain must still hold; repeatable")
	cmd.Flags().StringArrayVar(&anchorFiles, "anchor-file", nil, "a file serve --audit-file writes, whose newest record the chain must still hold; repeatable")
	return cmd
}
