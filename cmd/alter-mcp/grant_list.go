package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

func newGrantListCmd(a *app, vf *vaultFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List grants (never their secrets)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				gs, err := v.Grants(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					if gs == nil {
						gs = []vault.Grant{}
					}
					return a.writeJSON(gs)
				}
				if len(gs) == 0 {
					fmt.Fprintln(a.stderr, "no grants yet: add one with 'alter-mcp grant add --help'")
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "GRANT ID\tNAME\tSOURCE\tACCESS KEY\tSTATUS\tPOLICY")
				now := time.Now()
				for _, g := range gs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.ID, g.Name, g.Source, orDash(g.AccessKeyID), grantStatus(g, now), policySummary(g.Policy))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}
