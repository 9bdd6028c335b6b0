package main

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

// vaultFlags locate the vault; grant, caller and later commands share them.
type vaultFlags struct {
	home  string
	store string
}

func (f *vaultFlags) register(cmd *cobra.Command) {
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.home, "home", "", "folder for the store and master key (default $XDG_DATA_HOME/alter-mcp, else ~/.local/share/alter-mcp)")
	pf.StringVar(&f.store, "store", "", "store DSN (default sqlite://<home>/alter.db)")
}

// openVault opens the vault the flags and environment name. The master key
// comes from ALTER_MCP_MASTER_KEY or <home>/master.key, as vault.Open decides.
func (a *app) openVault(ctx context.Context, f *vaultFlags, sinks ...audit.Sink) (*vault.Vault, error) {
	v, err := vault.Open(ctx, vault.Options{
		Home:       f.home,
		Store:      f.store,
		Logger:     a.log,
		Getenv:     a.getenv,
		AuditSinks: sinks,
	})
	if err != nil {
		return nil, fmt.Errorf("open the vault: %w", err)
	}
	return v, nil
}

// withVault runs fn with an open vault and closes it after.
func (a *app) withVault(cmd *cobra.Command, f *vaultFlags, fn func(ctx context.Context, v *vault.Vault) error) error {
	ctx := cmd.Context()
	v, err := a.openVault(ctx, f)
	if err != nil {
		return err
	}
	err = fn(ctx, v)
	if cerr := v.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the vault: %w", cerr)
	}
	return err
}
