package main

import "github.com/spf13/cobra"

func newVaultCmd(a *app) *cobra.Command {
	var vf vaultFlags
	cmd := &cobra.Command{
		Use:   "vault",
		Short: "Maintain the vault itself: rekey its master key",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	vf.register(cmd)
	cmd.AddCommand(newVaultRekeyCmd(a, &vf))
	return cmd
}
