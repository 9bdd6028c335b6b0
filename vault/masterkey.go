package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// masterKeyFile is the master key's file in the home folder: the key in
// standard base64 and a newline, mode 0600.
const masterKeyFile = "master.key"

// loadMasterKey returns a copy of the master key and says where it came
// from: opts, ALTER_MCP_MASTER_KEY, or <home>/master.key. The file is made
// only when mayCreate (the store holds nothing sealed yet): a store with
// secrets and no key must not silently get a new key.
func loadMasterKey(opt []byte, home string, getenv func(string) string, mayCreate bool) ([]byte, string, error) {
	if opt != nil {
		if len(opt) != masterKeySize {
			return nil, "Options.MasterKey", fmt.Errorf("Options.MasterKey is %d bytes; the master key must be %d", len(opt), masterKeySize)
		}
		return bytes.Clone(opt), "Options.MasterKey", nil
	}
	if env := getenv(EnvMasterKey); env != "" {
		key, err := decodeKey([]byte(env))
		if err != nil {
			return nil, EnvMasterKey, fmt.Errorf("%s: %w", EnvMasterKey, err)
		}
		return key, EnvMasterKey, nil
	}
	path := filepath.Join(home, masterKeyFile)
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !mayCreate {
			return nil, path, fmt.Errorf("%w: the store holds secrets sealed with a master key, but there is no %s and %s is not set; restore the key file or set the variable",
				ErrWrongMasterKey, path, EnvMasterKey)
		}
		key, err = createKeyFile(home, path)
	}
	if err != nil {
		return nil, path, err
	}
	return key, path, nil
}

// ParseMasterKey reads a master key as ALTER_MCP_MASTER_KEY and the key
// file hold it: 32 bytes in base64 (standard or URL alphabet, padded or
// not, surrounding whitespace ignored), for Rekey.
func ParseMasterKey(text []byte) ([]byte, error) { return decodeKey(text) }

// decodeKey reads a base64 master key (standard or URL alphabet, padded or
// not, surrounding whitespace ignored).
func decodeKey(text []byte) ([]byte, error) {
	s := string(bytes.TrimSpace(text))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != masterKeySize {
				clear(key)
				return nil, fmt.Errorf("the master key is %d bytes; it must be %d, in base64 (make one with: head -c 32 /dev/urandom | base64)", len(key), masterKeySize)
			}
			return key, nil
		}
	}
	return nil, errors.New("the master key is not base64 (make one with: head -c 32 /dev/urandom | base64)")
}

// readKeyFile reads the key file, refusing one that others may read.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("master key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s has mode %04o: group or others may read it; run chmod 600 %s (and consider the key exposed if others did)",
			path, info.Mode().Perm(), path)
	}
	text := make([]byte, 0, 64)
	buf := make([]byte, 256)
	for {
		n, err := f.Read(buf[:cap(buf)])
		text = append(text, buf[:n]...)
		if err != nil || len(text) > 1024 {
			break
		}
	}
	clear(buf)
	defer clear(text)
	key, err := decodeKey(text)
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile makes a new random key and writes it crash-safely: a
// temporary file in the same folder, written and synced, then linked into
// place (which fails when another process made the key first; its key is
// then used) and the folder synced.
func createKeyFile(home, path string) ([]byte, error) {
	if err := makeHome(home); err != nil {
		return nil, err
	}
	key := make([]byte, masterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make a master key: %w", err)
	}
	existing, err := writeKeyFile(home, path, key)
	if err != nil || existing != nil {
		clear(key)
		return existing, err
	}
	return key, nil
}

// writeKeyFile writes key to path (in folder home) crash-safely, as
// createKeyFile describes, unless path exists: then it returns the key in
// it and writes nothing.
func writeKeyFile(home, path string, key []byte) (existing []byte, err error) {
	text := []byte(base64.StdEncoding.EncodeToString(key) + "\n")
	defer clear(text)

	tmp, err := os.CreateTemp(home, ".master.key.*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("write master key: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	_, werr := tmp.Write(text)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("write master key %s: %w", tmpName, werr)
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		// No hard links on this file system: rename, which is atomic too.
		if err := os.Rename(tmpName, path); err != nil {
			return nil, fmt.Errorf("write master key %s: %w", path, err)
		}
	}
	syncDir(home) // best effort, as the folder may not support it
	return nil, nil
}

// syncDir makes the folder's entries (a new or renamed file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}
