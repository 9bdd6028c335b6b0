package main

import (
	"context"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

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
