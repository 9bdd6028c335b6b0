package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const auditVerifyLong = `Walk the audit chain from its first record and check each record's hash (an
HMAC keyed with the vault's audit key over the previous hash and the record), its
place, and its indexed columns. It prints one line: "ok: ..." with the number of
records and the head (seq and hash) and exits 0, or names the first record that
was changed, removed (missing), inserted or reordered and exits 1.

Records cut from the end of the chain leave nothing to notice: keep the head it
prints somewhere else, and check later that the chain still holds it.`

func newAuditVerifyCmd(a *app, vf *vaultFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the audit chain; exit 1 naming the first record that was tampered with",
		Long:  auditVerifyLong,
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				rep, err := v.AuditLog().Verify(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, rep)
				if rep.Problem != nil {
					return errors.New("the audit chain does not verify: " + rep.Problem.Error())
				}
				return nil
			})
		},
	}
}
