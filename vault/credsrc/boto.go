package credsrc

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// BotoFiles lists the legacy boto config files in the order boto3 reads
// them: only $BOTO_CONFIG when it is set, else /etc/boto.cfg then ~/.boto.
func BotoFiles(getenv func(string) string) []string {
	if f := getenv("BOTO_CONFIG"); f != "" {
		return []string{f}
	}
	files := []string{"/etc/boto.cfg"}
	if home := getenv("HOME"); home != "" {
		files = append(files, filepath.Join(home, ".boto"))
	}
	return files
}

// ReadBoto returns the credentials of the first file that has both
// aws_access_key_id and aws_secret_access_key in its [Credentials] section,
// as botocore's BotoProvider does, and that file's name. Missing files are
// skipped; ok is false when no file has credentials.
func ReadBoto(files []string) (creds sigv4.Credentials, file string, ok bool, err error) {
	for _, f := range files {
		section, err := iniSection(f, "Credentials")
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return sigv4.Credentials{}, "", false, err
		}
		id, secret := section["aws_access_key_id"], section["aws_secret_access_key"]
		if id != "" && secret != "" {
			return sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret}, f, true, nil
		}
	}
	return sigv4.Credentials{}, "", false, nil
}

// iniSection reads one section of an INI file the way Python's
// RawConfigParser does for simple files: option names are case-insensitive,
// "name = value" or "name: value", whole-line comments start with # or ;,
// and a later option of the same name wins. Values are never logged.
func iniSection(path, want string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	in := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			name, ok := strings.CutSuffix(line[1:], "]")
			if !ok {
				return nil, fmt.Errorf("%s line %d: a section header must end with ]", path, n)
			}
			in = strings.TrimSpace(name) == want
		case in:
			i := strings.IndexAny(line, "=:")
			if i <= 0 {
				return nil, fmt.Errorf("%s line %d: expected name = value", path, n)
			}
			out[strings.ToLower(strings.TrimSpace(line[:i]))] = strings.TrimSpace(line[i+1:])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
