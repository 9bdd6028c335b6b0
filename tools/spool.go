package tools

// The spool keeps response bodies too long for one tool result, so that
// read_response (and the resource alter://responses/{id}) can hand them out
// in slices. Bodies are kept on disk, never in memory: the tool holds the
// slice it returns and one copy buffer, and streams the rest of the body to
// the spool file.
//
// Bounds: each body is cut at maxEach bytes, the spool holds at most
// maxTotal bytes (the oldest bodies are dropped first) and each body lives
// for ttl. Files live in a folder of their own per process (mode 0700,
// files 0600) under the spool directory; folders that earlier processes
// left behind are removed once they are older than ttl. Ids are 160 random
// bits, and each body can be read only by the caller whose call made it.

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Spool defaults.
const (
	spoolTTL      = time.Hour
	spoolMaxTotal = 256 << 20
	spoolMaxEach  = 64 << 20
	spoolBuffer   = 32 << 10
	// spoolDirPrefix names the per-process folders.
	spoolDirPrefix = "responses-"
	responseIDLen  = 4 + 32 // "rsp_" and 160 bits in base32
)

var errNoResponse = errors.New("no such response")

type spool struct {
	base     string // "" : a temporary folder
	ttl      time.Duration
	maxTotal int64
	maxEach  int64
	now      func() time.Time

	mu      sync.Mutex
	dir     string // this process's folder, made on first use
	entries map[string]*spoolEntry
	order   []string // ids, oldest first
	total   int64
}

// spoolEntry is one kept body.
type spoolEntry struct {
	id          string
	path        string
	caller      string
	contentType string
	size        int64
	// complete is false when the body was cut at maxEach.
	complete bool
	created  time.Time
}

func newSpool(base string) *spool {
	return &spool{base: base, ttl: spoolTTL, maxTotal: spoolMaxTotal, maxEach: spoolMaxEach, now: time.Now,
		entries: map[string]*spoolEntry{}}
}

// folder makes this process's folder on first use, and removes the
// folders of earlier processes that are older than the ttl.
func (s *spool) folder() (string, error) {
	if s.dir != "" {
		return s.dir, nil
	}
	base := s.base
	if base == "" {
		base = filepath.Join(os.TempDir(), fmt.Sprintf("alter-mcp-spool-%d", os.Getuid()))
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("make the response spool %s: %w", base, err)
	}
	// MkdirAll leaves an existing folder's mode alone; this one holds
	// AWS answers and must be the user's alone.
	if err := os.Chmod(base, 0o700); err != nil {
		return "", fmt.Errorf("make the response spool %s private: %w", base, err)
	}
	if olds, err := os.ReadDir(base); err == nil {
		for _, d := range olds {
			info, err := d.Info()
			if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), spoolDirPrefix) && s.now().Sub(info.ModTime()) > s.ttl {
				os.RemoveAll(filepath.Join(base, d.Name()))
			}
		}
	}
	dir, err := os.MkdirTemp(base, spoolDirPrefix)
	if err != nil {
		return "", fmt.Errorf("make the response spool: %w", err)
	}
	s.dir = dir
	return dir, nil
}

// newResponseID returns "rsp_" and 160 random bits.
func newResponseID() string {
	b := make([]byte, 20)
	rand.Read(b)
	return "rsp_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// keep writes head and then the rest of the body (up to maxEach bytes in
// all) to a new spool file for caller. It returns the entry; its size is
// the bytes kept and complete says whether rest reached its end.
func (s *spool) keep(caller, contentType string, head []byte, rest io.Reader) (*spoolEntry, error) {
	s.mu.Lock()
	s.expire()
	dir, err := s.folder()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	e := &spoolEntry{id: newResponseID(), caller: caller, contentType: contentType, created: s.now()}
	e.path = filepath.Join(dir, e.id)
	f, err := os.OpenFile(e.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool the response: %w", err)
	}
	n, err := f.Write(head)
	if err == nil {
		// One byte past the cap tells a body that fits from one that is cut.
		var m int64
		m, err = io.CopyBuffer(f, io.LimitReader(rest, s.maxEach-int64(n)+1), make([]byte, spoolBuffer))
		e.size = int64(n) + m
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(e.path)
		return nil, fmt.Errorf("spool the response: %w", err)
	}
	e.complete = e.size <= s.maxEach
	if !e.complete {
		e.size = s.maxEach
		if err := os.Truncate(e.path, e.size); err != nil {
			os.Remove(e.path)
			return nil, fmt.Errorf("spool the response: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[e.id] = e
	s.order = append(s.order, e.id)
	s.total += e.size
	for s.total > s.maxTotal && len(s.order) > 1 {
		s.drop(s.order[0])
	}
	return e, nil
}

// get returns caller's entry id. An id that is unknown, expired, dropped
// or another caller's is errNoResponse, all alike.
func (s *spool) get(caller, id string) (*spoolEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	e, ok := s.entries[id]
	if !ok || e.caller != caller {
		return nil, errNoResponse
	}
	return e, nil
}

// read reads up to n bytes of e from off. The entry may be dropped
// meanwhile: its file is then gone, and that is errNoResponse too.
func (s *spool) read(e *spoolEntry, off, n int64) ([]byte, error) {
	if off >= e.size || n <= 0 {
		return nil, nil
	}
	f, err := os.Open(e.path)
	if err != nil {
		return nil, errNoResponse
	}
	defer f.Close()
	buf := make([]byte, min(n, e.size-off))
	k, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read the spooled response: %w", err)
	}
	return buf[:k], nil
}

// expire drops the entries older than the ttl. s.mu is held.
func (s *spool) expire() {
	now := s.now()
	for len(s.order) > 0 {
		e := s.entries[s.order[0]]
		if now.Sub(e.created) <= s.ttl {
			return
		}
		s.drop(e.id)
	}
}

// drop removes an entry and its file. s.mu is held.
func (s *spool) drop(id string) {
	e, ok := s.entries[id]
	if !ok {
		return
	}
	delete(s.entries, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.total -= e.size
	os.Remove(e.path)
}

// Close removes this process's spool folder and everything in it: kept
// answers live no longer than the server that kept them.
func (s *spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir == "" {
		return nil
	}
	err := os.RemoveAll(s.dir)
	s.dir, s.entries, s.order, s.total = "", map[string]*spoolEntry{}, nil, 0
	return err
}
