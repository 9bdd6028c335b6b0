package main

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const vaultRekeyLong = `Seal every secret of the vault again under a new master key: the grants'
credentials, the pending keys of unfinished rotations, the audit key and the
master-key check. The new key id (mk_...) is printed alone on stdout.

It is crash-safe. The old key keeps opening what it sealed until the last secret
has moved, the vault opens at every point in between, and running the command
again finishes an interrupted rekey.

With the key in <home>/master.key, a new random key (or the one given with
--new-key-stdin) is written to <home>/master.key.next before anything is sealed
with it, and replaces master.key at the end. While master.key.next exists the
vault opens with both keys and warns that a rekey is unfinished.

With ALTER_MCP_MASTER_KEY, give the new key on stdin (--new-key-stdin) and then
set ALTER_MCP_MASTER_KEY to it wherever alter-mcp runs. If the rekey is
interrupted, run it again the same way; or set ALTER_MCP_MASTER_KEY to the new
key and ALTER_MCP_MASTER_KEY_PREVIOUS to the old one, which opens everything and
lets "alter-mcp vault rekey" finish without --new-key-stdin.

Processes that serve from the store meanwhile (replicas) keep working only if
they hold the new key too: restart them first with ALTER_MCP_MASTER_KEY set to
the new key and ALTER_MCP_MASTER_KEY_PREVIOUS to the store's, then run this
with the same two variables. Otherwise stop them first: with the old key alone
they cannot open what has moved.`

const vaultRekeyExample = `  # The key in <home>/master.key: a new random key
  alter-mcp vault rekey

  # The key in ALTER_MCP_MASTER_KEY
  head -c 32 /dev/urandom | base64 > new.key
  alter-mcp vault rekey --new-key-stdin < new.key
  export ALTER_MCP_MASTER_KEY="$(cat new.key)"

  # Replicas serving meanwhile, restarted with both keys beforehand
  ALTER_MCP_MASTER_KEY="$(cat new.key)" ALTER_MCP_MASTER_KEY_PREVIOUS="$(cat old.key)" \
    alter-mcp vault rekey`

func newVaultRekeyCmd(a *app, vf *vaultFlags) *cobra.Command {
	var newKeyStdin bool
	cmd := &cobra.Command{
		Use:     "rekey [--new-key-stdin]",
		Short:   "Seal every secret again under a new master key",
		Long:    vaultRekeyLong,
		Example: vaultRekeyExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var key []byte
			if newKeyStdin {
				lines, err := readSecretLines(a.stdin, 1)
				if err != nil {
					return err
				}
				if len(lines) == 0 || lines[0] == "" {
					return usagef("--new-key-stdin: stdin is empty; pipe the new key in, for example: head -c 32 /dev/urandom | base64 > new.key; alter-mcp vault rekey --new-key-stdin < new.key")
				}
				if key, err = vault.ParseMasterKey([]byte(lines[0])); err != nil {
					return usagef("--new-key-stdin: %v", err)
				}
				defer clear(key)
			}
			fromEnv := a.getenv(vault.EnvMasterKey) != ""
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				if err := v.Rekey(ctx, key); err != nil {
					if key == nil && fromEnv && errors.Is(err, vault.ErrInvalid) {
						return usagef("the master key comes from %s, so give the new one with --new-key-stdin: %v", vault.EnvMasterKey, err)
					}
					return err
				}
				info := v.Info()
				if fromEnv {
					a.log.Warn("every secret is sealed with the new master key: set "+vault.EnvMasterKey+" to it wherever alter-mcp runs, unset "+
						vault.EnvMasterKeyPrevious+", and restart running servers", "key_id", info.MasterKeyID)
				} else {
					a.log.Info("every secret is sealed with the new master key", "key_id", info.MasterKeyID,
						"file", filepath.Join(info.Home, "master.key"))
				}
				_, err := a.stdout.Write([]byte(info.MasterKeyID + "\n"))
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&newKeyStdin, "new-key-stdin", false, "read the new master key (32 bytes, base64) from stdin's first line")
	return cmd
}
