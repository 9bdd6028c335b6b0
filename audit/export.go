package audit

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// CSVColumns are the columns of a CSV export, in order: the entry's JSON
// names.
var CSVColumns = []string{
	"seq", "kind", "id", "time", "recorded_at", "caller", "client", "session_id", "tool", "file", "reason", "context",
	"grant_id", "grant_name", "decision", "rule", "service", "region", "operation", "event_source", "action",
	"read_only", "method", "url", "endpoint", "request_bytes", "request_sha256", "status", "request_id",
	"amz_id_2", "error_code", "error_message", "response_bytes", "duration_ms", "attempts", "outcome",
	"writer_host", "writer_pid", "prev_hash", "hash",
}

// Export writes the entries q selects (q.Limit is ignored) to w: one line
// of canonical JSON each (FormatJSONL, the form of Line, so that each line
// can be checked against its hash), or CSV with a header (FormatCSV). It
// reads the log in pages and writes each entry once, when its end (or
// interrupted) record comes by; entries still in flight come last, in the
// state of their begin record. It returns how many entries it wrote.
func (l *Log) Export(ctx context.Context, w io.Writer, format string, q Query) (int, error) {
	var write func(Entry) error
	bw := bufio.NewWriter(w)
	switch format {
	case FormatJSONL:
		write = func(e Entry) error {
			line, err := Line(e)
			if err != nil {
				return err
			}
			_, err = bw.Write(line)
			return err
		}
	case FormatCSV:
		cw := csv.NewWriter(bw)
		if err := cw.Write(CSVColumns); err != nil {
			return 0, err
		}
		write = func(e Entry) error {
			cw.Write(csvRow(e))
			cw.Flush()
			return cw.Error()
		}
	default:
		return 0, fmt.Errorf("audit: export format %q: use %s or %s", format, FormatJSONL, FormatCSV)
	}

	n := 0
	running := map[string]Entry{}
	err := l.scan(ctx, q, 0, func(r store.AuditRecord) error {
		e, err := entryOf(r)
		if err != nil {
			return err
		}
		if e.Kind == KindBegin {
			running[e.ID] = e
			return nil
		}
		delete(running, e.ID)
		n++
		return write(e)
	})
	if err == nil {
		rest := make([]Entry, 0, len(running))
		for _, e := range running {
			rest = append(rest, e)
		}
		slices.SortFunc(rest, func(a, b Entry) int { return cmp.Compare(a.Seq, b.Seq) })
		for _, e := range rest {
			if err = write(e); err != nil {
				break
			}
			n++
		}
	}
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return n, fmt.Errorf("audit: export: %w", err)
	}
	return n, nil
}

// csvRow is e as CSVColumns. Text that a spreadsheet would run as a
// formula (starting with = + - @ or a tab or carriage return) gets a
// leading apostrophe: what agents write must not run on the auditor's
// machine.
func csvRow(e Entry) []string {
	var host, pid string
	if e.Writer != nil {
		host, pid = e.Writer.Host, strconv.Itoa(e.Writer.PID)
	}
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	tm := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	row := []string{
		num(e.Seq), e.Kind, e.ID, tm(e.Time), tm(e.RecordedAt), e.Caller, e.Client, e.SessionID, e.Tool, e.File, e.Reason, string(e.Context),
		e.GrantID, e.GrantName, e.Decision, e.Rule, e.Service, e.Region, e.Operation, e.EventSource, e.Action,
		strconv.FormatBool(e.ReadOnly), e.Method, e.URL, e.Endpoint, num(e.RequestBytes), e.RequestSHA, strconv.Itoa(e.Status), e.RequestID,
		e.AmzID2, e.ErrorCode, e.ErrorMessage, num(e.ResponseBytes), num(e.DurationMS), strconv.Itoa(e.Attempts), e.Outcome,
		host, pid, e.PrevHash, e.Hash,
	}
	for i, s := range row {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			row[i] = "'" + s
		}
	}
	return row
}
