package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
)

// A Sink receives every record a Log commits, after the commit, to ship it
// elsewhere (a SIEM, a log collector). The store stays the source of
// truth: a sink's error is logged, and the call goes on. e is the entry as
// the record holds it, with Seq, Kind, PrevHash and Hash set.
type Sink interface {
	Append(ctx context.Context, e Entry) error
}

// Line is the form sinks and exports write a record in: its canonical JSON,
// prev_hash and hash included, and a newline. Removing prev_hash and hash
// gives back the bytes the hash covers.
func Line(e Entry) ([]byte, error) {
	b, err := CanonicalJSON(e)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// WriterSink writes each record as a line of JSON to a writer, such as
// stderr for a log collector.
type WriterSink struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriterSink returns a sink that writes to w.
func NewWriterSink(w io.Writer) *WriterSink { return &WriterSink{w: w} }

// Append implements Sink.
func (s *WriterSink) Append(_ context.Context, e Entry) error {
	line, err := Line(e)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err = s.w.Write(line)
	return err
}

// FileSink appends records as lines of JSON to a file (mode 0600), and
// rotates it by size: when a line would take the file past MaxBytes, it
// becomes PATH.1, PATH.1 becomes PATH.2, and so on; the oldest beyond
// Backups is removed. Lines are never split across files.
type FileSink struct {
	path     string
	maxBytes int64
	backups  int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// OpenFileSink opens (or creates) the file at path. maxBytes 0 never
// rotates; backups is how many rotated files are kept (0: none, the file
// starts over).
func OpenFileSink(path string, maxBytes int64, backups int) (*FileSink, error) {
	if maxBytes < 0 || backups < 0 {
		return nil, fmt.Errorf("audit file %s: negative size or backups", path)
	}
	s := &FileSink{path: path, maxBytes: maxBytes, backups: backups}
	if err := s.openFile(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *FileSink) openFile() error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("audit file: %w", err)
	}
	s.f, s.size = f, info.Size()
	return nil
}

// Append implements Sink.
func (s *FileSink) Append(_ context.Context, e Entry) error {
	line, err := Line(e)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return fmt.Errorf("audit file %s: %w", s.path, fs.ErrClosed)
	}
	if s.maxBytes > 0 && s.size > 0 && s.size+int64(len(line)) > s.maxBytes {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	n, err := s.f.Write(line)
	s.size += int64(n)
	if err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	return nil
}

// rotate shifts the backups by one and starts a new file.
func (s *FileSink) rotate() error {
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	s.f = nil
	name := func(i int) string {
		if i == 0 {
			return s.path
		}
		return fmt.Sprintf("%s.%d", s.path, i)
	}
	if err := os.Remove(name(s.backups)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("audit file: rotate: %w", err)
	}
	for i := s.backups - 1; i >= 0; i-- {
		if err := os.Rename(name(i), name(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("audit file: rotate: %w", err)
		}
	}
	return s.openFile()
}

// Close closes the file.
func (s *FileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
