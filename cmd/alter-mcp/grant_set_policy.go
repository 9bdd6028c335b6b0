package main

import (
	"context"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

func newGrantSetPolicyCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		pf    policyFlags
		reset bool
	)
	cmd := &cobra.Command{
		Use:   "set-policy ID|NAME [--reset] [--policy-file F] [policy flags]",
		Short: "Change a grant's policy",
		Long: "Change a grant's policy. The flags given change the current policy; --policy-file\n" +
			"replaces it with the file's, and --reset starts from the empty policy (which allows all).\n\n" + policyFileHelp,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().NFlag() == 0 {
				return usagef("say what to change: give --policy-file, --reset or a policy flag (see --help)")
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				g, err := v.Grant(ctx, args[0])
				if err != nil {
					return err
				}
				base := g.Policy
				if reset {
					base = policy.Policy{}
				}
				p, err := pf.apply(base, cmd.Flags().Changed)
				if err != nil {
					return err
				}
				return v.SetPolicy(ctx, g.ID, p)
			})
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.BoolVar(&reset, "reset", false, "start from the empty policy instead of the current one")
	pf.register(fs)
	return cmd
}
