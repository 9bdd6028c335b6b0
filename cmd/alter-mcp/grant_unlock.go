package main

import (
	"context"
	"fmt"
	"os/user"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const grantUnlockLong = `Unlock a role grant whose role requires MFA (grant add --mfa-serial): a person
types the current code of the MFA device, never the agent. The code is read
from the terminal, or from the first line of stdin when it is not one.

The role's session is kept sealed in the store, where serve (every process and
replica) finds it, and serves every caller until it expires (--duration of the
grant, 1h by default); then the grant is locked again, and its calls fail with
an error that names this command. Its source identity names the person who
unlocked it (--as, default the user's login name). Each unlock is audited: who,
which grant, until when.`

func newGrantUnlockCmd(a *app, vf *vaultFlags) *cobra.Command {
	var as string
	cmd := &cobra.Command{
		Use:     "unlock ID|NAME",
		Short:   "Unlock a role grant that requires MFA with the device's current code",
		Long:    grantUnlockLong,
		Example: "  alter-mcp grant unlock breakglass\n  printf '%s\\n' 123456 | alter-mcp grant unlock breakglass --as alice",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			person := as
			if person == "" {
				if u, err := user.Current(); err == nil {
					person = u.Username
				}
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				g, err := v.Grant(ctx, args[0])
				if err != nil {
					return err
				}
				if g.MFASerial == "" {
					return usagef("grant %s does not assume a role that requires MFA", g.Name)
				}
				if isTerminal(a.stderr) {
					fmt.Fprintf(a.stderr, "MFA code of %s for grant %s: ", g.MFASerial, g.Name)
				}
				lines, err := readSecretLines(a.stdin, 1)
				if err != nil {
					return err
				}
				if len(lines) == 0 || lines[0] == "" {
					return usagef("no MFA code was given")
				}
				until, err := v.Unlock(ctx, g.ID, lines[0], person)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "grant %s unlocked until %s (%s)\n", g.Name, until.UTC().Format(time.RFC3339), age(time.Until(until)))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "the person who unlocks, named in the session's source identity and the audit (default: the login name)")
	return cmd
}
