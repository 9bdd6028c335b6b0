package tools

// The files folder (serve --files-dir): a folder of the operator's choosing
// that s3_put may upload files from (its file argument) and s3_get may save
// objects into (save_to), so that an object of any size moves between S3
// and the disk without passing through the agent's context or the server's
// memory. Without the folder both arguments are refused.
//
// The agent names files relative to the folder, and never reaches outside
// it: names are local (filepath.IsLocal: no absolute paths, no ..), and
// every file is opened through an os.Root, which refuses symlinks and
// other links that lead out of the folder. Only regular files are
// uploaded. A download is written to a temporary file beside its
// destination and linked into place only when it is whole, so a failed or
// interrupted download never leaves a partial file under the name asked
// for; an existing file is replaced only when the agent says overwrite.

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
)

// errNoFilesDir is why file and save_to are refused without the folder.
var errNoFilesDir = errors.New("the server has no files folder: the operator starts it with --files-dir DIR to let s3_put upload files from DIR and s3_get save objects into it")

// files is the folder of serve --files-dir.
type files struct {
	dir  string
	root *os.Root
}

// openFiles opens dir as the files folder; nil for "".
func openFiles(dir string) (*files, error) {
	if dir == "" {
		return nil, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("files folder %s: %w", dir, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("files folder: %w", err)
	}
	return &files{dir: abs, root: root}, nil
}

func (f *files) Close() error {
	if f == nil {
		return nil
	}
	return f.root.Close()
}

// checkName returns name cleaned (reports//q1.csv is reports/q1.csv), or
// why it is not the name of a file inside the folder.
func (f *files) checkName(arg, name string) (string, error) {
	if f == nil {
		return "", errNoFilesDir
	}
	clean := filepath.Clean(name)
	if name == "" || !filepath.IsLocal(name) || clean == "." || strings.HasSuffix(name, "/") ||
		strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", fmt.Errorf("%s %s: name a file inside the files folder by a relative path without .., such as reports/q1.csv", arg, text.Printable(text.Clip(name, 200)))
	}
	return clean, nil
}

// upload is a file opened for s3_put: its size and SHA-256, read before
// the upload, and the file positioned at its start.
type upload struct {
	name   string // cleaned
	f      *os.File
	size   int64
	sha256 string // base64, as x-amz-checksum-sha256 carries it
}

// openUpload opens name for uploading, reading it once for its checksum.
func (f *files) openUpload(name string) (*upload, error) {
	name, err := f.checkName("file", name)
	if err != nil {
		return nil, err
	}
	fh, err := f.root.OpenFile(name, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, fmt.Errorf("file %s: %s", text.Printable(name), describeFileErr(err))
	}
	u := &upload{name: name, f: fh}
	st, err := fh.Stat()
	switch {
	case err != nil:
		fh.Close()
		return nil, fmt.Errorf("file %s: %w", text.Printable(name), err)
	case !st.Mode().IsRegular():
		fh.Close()
		return nil, fmt.Errorf("file %s is not a regular file (%s): only files are uploaded", text.Printable(name), st.Mode().Type())
	}
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err == nil {
		_, err = fh.Seek(0, io.SeekStart)
	}
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("file %s could not be read: %w", text.Printable(name), err)
	}
	u.size, u.sha256 = n, base64.StdEncoding.EncodeToString(h.Sum(nil))
	return u, nil
}

// download is an object being saved into the folder: written to a
// temporary file, then committed under its name.
type download struct {
	f         *files
	name, tmp string
	overwrite bool
	fh        *os.File
}

// createDownload starts saving into name. Without overwrite, an existing
// name is refused now, and again (atomically) at commit.
func (f *files) createDownload(name string, overwrite bool) (*download, error) {
	name, err := f.checkName("save_to", name)
	if err != nil {
		return nil, err
	}
	if !overwrite {
		if _, err := f.root.Lstat(name); err == nil {
			return nil, fmt.Errorf("save_to %s exists: set overwrite to replace it, or choose another name", text.Printable(name))
		}
	}
	if dir := filepath.Dir(name); dir != "." {
		if err := f.root.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("save_to %s: %s", text.Printable(name), describeFileErr(err))
		}
	}
	d := &download{f: f, name: name, overwrite: overwrite}
	for range 10 {
		d.tmp = filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+"."+strings.ToLower(rand.Text()[:12])+".part")
		fh, err := f.root.OpenFile(d.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("save_to %s: %s", text.Printable(name), describeFileErr(err))
		}
		d.fh = fh
		return d, nil
	}
	return nil, fmt.Errorf("save_to %s: no free temporary name beside it", text.Printable(name))
}

// commit makes the download durable and gives it its name.
func (d *download) commit() error {
	err := d.fh.Sync()
	if cerr := d.fh.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if d.overwrite {
			err = d.f.root.Rename(d.tmp, d.name)
		} else if err = d.f.root.Link(d.tmp, d.name); err == nil {
			err = d.f.root.Remove(d.tmp)
		}
	}
	if err != nil {
		d.f.root.Remove(d.tmp)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("save_to %s appeared while the object was read: set overwrite to replace it", text.Printable(d.name))
		}
		return fmt.Errorf("save_to %s: %s", text.Printable(d.name), describeFileErr(err))
	}
	if dir, err := d.f.root.Open(filepath.Dir(d.name)); err == nil {
		dir.Sync() // the new name, durable too
		dir.Close()
	}
	return nil
}

// abort removes what was written.
func (d *download) abort() {
	d.fh.Close()
	d.f.root.Remove(d.tmp)
}

// transferProgress is how often a file transfer tells the client how far
// it is, when the call asked for progress.
const transferProgress = time.Second

// uploadReader is a file read for its upload from its start: an
// io.ReadSeeker (the vault reads it again for another attempt) that tells
// the client how far it is.
type uploadReader struct {
	*io.SectionReader
	p    *progress
	what string
}

func (r *uploadReader) Read(b []byte) (int, error) {
	n, err := r.SectionReader.Read(b)
	if pos, serr := r.SectionReader.Seek(0, io.SeekCurrent); serr == nil {
		r.p.bytes(pos, r.Size(), r.what)
	}
	return n, err
}

// describeFileErr says what went wrong with a file without the folder's
// absolute path (the agent knows the folder by its relative names).
func describeFileErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file in the files folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case strings.Contains(err.Error(), "escapes from parent"), strings.Contains(err.Error(), "path escapes"):
		return "the name leads outside the files folder (through a link); only files inside it can be used"
	}
	return err.Error()
}
