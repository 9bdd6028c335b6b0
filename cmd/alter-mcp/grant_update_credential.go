package main

import (
	"context"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

func newGrantUpdateCredentialCmd(a *app, vf *vaultFlags) *cobra.Command {
	var cf credentialFlags
	cmd := &cobra.Command{
		Use:   "update-credential ID|NAME (--from-env | --access-key-id ID --secret-access-key-stdin)",
		Short: "Replace a grant's credentials; its id keeps working",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			creds, err := a.credentials(&cf)
			if err != nil {
				return err
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				return v.UpdateCredential(ctx, args[0], creds)
			})
		},
	}
	cf.register(cmd.Flags())
	return cmd
}
