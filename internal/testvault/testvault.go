// Package testvault opens vaults for tests: in a fresh home, on the
// embedded SQLite store, with an environment of the test's choosing, fast
// retries and no logs, closed when the test ends; and adds grants with the
// documentation's example key.
package testvault

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	_ "github.com/alter-mcp/alter-mcp/store/sqlite" // the default store
	"github.com/alter-mcp/alter-mcp/vault"
)

// AWS's documentation example key: signatures made with it verify against
// the test servers that know it, and it is no one's.
const (
	KeyID  = "AKIAIOSFODNN7EXAMPLE"
	Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Key is the example key as static credentials.
func Key() vault.StaticCredentials {
	return vault.StaticCredentials{AccessKeyID: KeyID, SecretAccessKey: Secret}
}

// Open opens a vault in a new home under t.TempDir() (or o.Home) whose
// environment is env (AWS_ENDPOINT_URL, ...; nothing else is read), with
// retries 1 to 5 ms apart and logs discarded unless o says otherwise. mod,
// if not nil, adjusts the options last. The vault is closed when t ends.
func Open(t testing.TB, env map[string]string, mod func(*vault.Options)) *vault.Vault {
	t.Helper()
	o := vault.Options{
		Home:           filepath.Join(t.TempDir(), "home"),
		Getenv:         func(k string) string { return env[k] },
		RetryBaseDelay: time.Millisecond,
		RetryMaxDelay:  5 * time.Millisecond,
		Logger:         slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&o)
	}
	v, err := vault.Open(t.Context(), o)
	if err != nil {
		t.Fatalf("open the vault: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// Grant adds a grant named name with policy p and the example key, or the
// credentials given.
func Grant(t testing.TB, v *vault.Vault, name string, p policy.Policy, creds ...vault.StaticCredentials) vault.Grant {
	t.Helper()
	c := Key()
	if len(creds) > 0 {
		c = creds[0]
	}
	g, err := v.AddGrant(t.Context(), vault.GrantSpec{Name: name, Static: &c, Policy: p})
	if err != nil {
		t.Fatalf("add grant %s: %v", name, err)
	}
	return g
}
