package vault_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/alter-mcp/alter-mcp/store/sqlite"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

func randomKey(t *testing.T) []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func TestOpenMakesHomeKeyAndStore(t *testing.T) {
	home := filepath.Join(t.TempDir(), "a", "home")
	v, err := vault.Open(t.Context(), vault.Options{Getenv: env{"ALTER_MCP_HOME": home}.get})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{{home, 0o700}, {filepath.Join(home, "master.key"), 0o600}, {filepath.Join(home, "alter.db"), 0o600}} {
		info, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && info.Mode().Perm() != f.mode {
			t.Errorf("%s has mode %04o, want %04o", f.path, info.Mode().Perm(), f.mode)
		}
	}
	text, _ := os.ReadFile(filepath.Join(home, "master.key"))
	if key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text))); err != nil || len(key) != 32 {
		t.Errorf("master.key holds %d bytes of base64 (%v)", len(key), err)
	}
	entries, _ := os.ReadDir(home)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".master.key") {
			t.Errorf("temporary key file %s left behind", e.Name())
		}
	}

	// It opens again with the key it made.
	v, err = vault.Open(t.Context(), vault.Options{Home: home})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	v.Close()
}

func TestHomeResolution(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts vault.Options
		env  env
		want string
	}{
		{"option", vault.Options{Home: filepath.Join(dir, "opt")}, env{"ALTER_MCP_HOME": filepath.Join(dir, "env")}, filepath.Join(dir, "opt")},
		{"ALTER_MCP_HOME", vault.Options{}, env{"ALTER_MCP_HOME": filepath.Join(dir, "env"), "XDG_DATA_HOME": filepath.Join(dir, "xdg")}, filepath.Join(dir, "env")},
		{"XDG_DATA_HOME", vault.Options{}, env{"XDG_DATA_HOME": filepath.Join(dir, "xdg")}, filepath.Join(dir, "xdg", "alter-mcp")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Getenv = tt.env.get
			v, err := vault.Open(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			v.Close()
			if _, err := os.Stat(filepath.Join(tt.want, "alter.db")); err != nil {
				t.Errorf("no store in %s: %v", tt.want, err)
			}
		})
	}
	t.Run("HOME", func(t *testing.T) {
		t.Setenv("HOME", filepath.Join(dir, "user"))
		v, err := vault.Open(t.Context(), vault.Options{Getenv: env{}.get})
		if err != nil {
			t.Fatal(err)
		}
		v.Close()
		if _, err := os.Stat(filepath.Join(dir, "user", ".local", "share", "alter-mcp", "master.key")); err != nil {
			t.Error(err)
		}
	})
}

func TestStoreDSN(t *testing.T) {
	dir := t.TempDir()
	key := randomKey(t)
	open := func(dsn string) error {
		v, err := vault.Open(t.Context(), vault.Options{Home: dir, Getenv: env{"ALTER_MCP_STORE": dsn}.get, MasterKey: key})
		if err == nil {
			v.Close()
		}
		return err
	}
	if err := open("sqlite://" + filepath.Join(dir, "other.db")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.db")); err != nil {
		t.Error("ALTER_MCP_STORE was not used:", err)
	}
	// The vault links no driver: this test program imports store/sqlite
	// only, and a postgres URL says which package to import.
	err := open("postgres://alter:hunter2@db.internal/alter")
	if err == nil || !strings.Contains(err.Error(), `no driver for "postgres"`) ||
		!strings.Contains(err.Error(), "store/postgres") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("postgres: %v", err)
	}
	err = open("mysql://db/alter")
	if err == nil || !strings.Contains(err.Error(), `no driver for "mysql"`) || !strings.Contains(err.Error(), "sqlite") {
		t.Errorf("mysql: %v", err)
	}

	// A store the caller opened is used as is and left open.
	s, err := sqlite.Open(t.Context(), filepath.Join(dir, "backend.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v, err := vault.Open(t.Context(), vault.Options{Backend: s, MasterKey: key, Home: filepath.Join(dir, "unused")})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if _, err := s.ListGrants(t.Context()); err != nil {
		t.Errorf("Close closed the caller's store: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "unused")); err == nil {
		t.Error("a home folder was made though nothing is kept in it")
	}
}

func TestWrongMasterKey(t *testing.T) {
	home := t.TempDir()
	keyA, keyB := randomKey(t), randomKey(t)
	v, err := vault.Open(t.Context(), vault.Options{Home: home, MasterKey: keyA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddGrant(t.Context(), vault.GrantSpec{Name: "g", Static: &vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}}); err != nil {
		t.Fatal(err)
	}
	v.Close()

	for _, tt := range []struct {
		name string
		opts vault.Options
	}{
		{"option", vault.Options{Home: home, MasterKey: keyB}},
		{"ALTER_MCP_MASTER_KEY", vault.Options{Home: home, Getenv: env{"ALTER_MCP_MASTER_KEY": base64.StdEncoding.EncodeToString(keyB)}.get}},
		{"no key file", vault.Options{Home: home, Getenv: env{}.get}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vault.Open(t.Context(), tt.opts)
			if !errors.Is(err, vault.ErrWrongMasterKey) {
				t.Fatalf("err = %v, want ErrWrongMasterKey", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(home, "master.key")); err == nil {
		t.Error("a new master key was made for a store that has secrets")
	}

	// The right key, from the environment, in either base64 alphabet.
	v, err = vault.Open(t.Context(), vault.Options{Home: home, Getenv: env{"ALTER_MCP_MASTER_KEY": base64.RawURLEncoding.EncodeToString(keyA)}.get})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()

	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(keyA[:16])} {
		_, err := vault.Open(t.Context(), vault.Options{Home: home, Getenv: env{"ALTER_MCP_MASTER_KEY": bad}.get})
		if err == nil || !strings.Contains(err.Error(), "ALTER_MCP_MASTER_KEY") {
			t.Errorf("ALTER_MCP_MASTER_KEY=%q: %v", bad, err)
		}
	}
	if _, err := vault.Open(t.Context(), vault.Options{Home: home, MasterKey: keyA[:31]}); err == nil {
		t.Error("a 31-byte master key was accepted")
	}
}

func TestMasterKeyFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	home := t.TempDir()
	v, err := vault.Open(t.Context(), vault.Options{Home: home, Getenv: env{}.get})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	path := filepath.Join(home, "master.key")
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		os.Chmod(path, mode)
		_, err := vault.Open(t.Context(), vault.Options{Home: home, Getenv: env{}.get})
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: err = %v, want a refusal that says chmod 600", mode, err)
		}
	}
	os.Chmod(path, 0o400)
	v, err = vault.Open(t.Context(), vault.Options{Home: home, Getenv: env{}.get})
	if err != nil {
		t.Fatalf("mode 0400: %v", err)
	}
	v.Close()
}

// TestMasterKeyFirstUseRace: processes that start together on a new home
// agree on one key (the file is linked into place, never overwritten).
func TestMasterKeyFirstUseRace(t *testing.T) {
	home := t.TempDir()
	var wg sync.WaitGroup
	keys := make([][]byte, 4)
	for i := range keys {
		wg.Go(func() {
			// Separate stores, one key file: the key must not change under
			// anyone.
			v, err := vault.Open(t.Context(), vault.Options{Home: home, Getenv: env{
				"ALTER_MCP_STORE": "sqlite://" + filepath.Join(home, string(rune('a'+i))+".db")}.get})
			if err != nil {
				t.Error(err)
				return
			}
			v.Close()
			keys[i], _ = os.ReadFile(filepath.Join(home, "master.key"))
		})
	}
	wg.Wait()
	for i := range keys {
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatal("the master key changed while vaults were opening")
		}
	}
	for i := range keys {
		v, err := vault.Open(t.Context(), vault.Options{Home: home, Getenv: env{
			"ALTER_MCP_STORE": "sqlite://" + filepath.Join(home, string(rune('a'+i))+".db")}.get})
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		v.Close()
	}
}

func TestCustomEndpointsValidated(t *testing.T) {
	_, err := vault.Open(t.Context(), vault.Options{Home: t.TempDir(), MasterKey: randomKey(t),
		Custom: []urlparse.Custom{{URL: "localhost:4566"}}})
	if err == nil {
		t.Error("a malformed custom endpoint was accepted")
	}
}

// TestWorldWritableHomeRefused: a home every user may write to is refused,
// before a store or a master key is made in it.
func TestWorldWritableHomeRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err := vault.Open(t.Context(), vault.Options{Home: home, Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "writable by every user") {
		t.Fatalf("Open on a 0777 home: %v", err)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("files were made in the refused home: %v", entries)
	}
	os.Chmod(home, 0o700)
	v, err := vault.Open(t.Context(), vault.Options{Home: home, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatalf("Open on a 0700 home: %v", err)
	}
	v.Close()
}
