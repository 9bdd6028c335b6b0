package sqlcol

import (
	"fmt"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Approvals are the statements of the table approvals, written once with an
// engine's placeholders. Both engines read and write the columns in the
// order of approvalColumns, through ApprovalArgs and ApprovalDest.
type Approvals struct {
	Insert string // the arguments: ApprovalArgs
	Get    string // by id
	// Move sets status, decided_by and decided_at of the approval whose id
	// and status match, and returns its columns; its arguments: MoveArgs.
	Move string
}

const approvalColumns = "id, created_at, expires, caller, caller_name, client, grant_id, grant_name, " +
	"tool, operation, summary, digest, audit_id, status, decided_by, decided_at"

// ApprovalStatements writes the statements with placeholder(n) for the n-th
// argument (from 1).
func ApprovalStatements(placeholder func(n int) string) Approvals {
	n := strings.Count(approvalColumns, ",") + 1
	ph := make([]string, n)
	for i := range ph {
		ph[i] = placeholder(i + 1)
	}
	return Approvals{
		Insert: "INSERT INTO approvals (" + approvalColumns + ") VALUES (" + strings.Join(ph, ", ") + ")",
		Get:    "SELECT " + approvalColumns + " FROM approvals WHERE id = " + placeholder(1),
		// decided_by and decided_at change only when a decider is named.
		Move: fmt.Sprintf("UPDATE approvals SET status = %[1]s, "+
			"decided_by = CASE WHEN %[2]s = '' THEN decided_by ELSE %[2]s END, "+
			"decided_at = CASE WHEN %[2]s = '' THEN decided_at ELSE %[3]s END "+
			"WHERE id = %[4]s AND status = %[5]s RETURNING "+approvalColumns,
			placeholder(1), placeholder(2), placeholder(3), placeholder(4), placeholder(5)),
	}
}

// ApprovalList is the query of the approvals q selects, newest first, and
// its arguments.
func ApprovalList(q store.ApprovalQuery, placeholder func(n int) string) (string, []any) {
	var args []any
	query := "SELECT " + approvalColumns + " FROM approvals"
	if q.Status != "" {
		args = append(args, q.Status)
		query += " WHERE status = " + placeholder(len(args))
	}
	query += " ORDER BY created_at DESC, id DESC"
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += " LIMIT " + placeholder(len(args))
	}
	return query, args
}

// ApprovalArgs are a's columns as Insert takes them; an error names a time
// the store cannot keep.
func ApprovalArgs(a *store.Approval) ([]any, error) {
	var err error
	t := func(field string, v time.Time) any {
		n, null, e := Nanos(field, v)
		if e != nil && err == nil {
			err = e
		}
		if null {
			return nil
		}
		return n
	}
	args := []any{a.ID, t("creation time", a.CreatedAt), t("expiry", a.Expires), a.Caller, a.CallerName, a.Client,
		a.GrantID, a.GrantName, a.Tool, a.Operation, a.Summary, a.Digest, a.AuditID, a.Status, a.DecidedBy,
		t("decision time", a.DecidedAt)}
	return args, err
}

// MoveArgs are the arguments of Move.
func MoveArgs(id, from, to, by string, at time.Time) ([]any, error) {
	n, null, err := Nanos("decision time", at)
	var nanos any = n
	if null {
		nanos = nil
	}
	return []any{to, by, nanos, id, from}, err
}

// ApprovalDest are the scan targets of a row of approvals into a.
func ApprovalDest(a *store.Approval) []any {
	return []any{&a.ID, NullTime{&a.CreatedAt}, NullTime{&a.Expires}, &a.Caller, &a.CallerName, &a.Client,
		&a.GrantID, &a.GrantName, &a.Tool, &a.Operation, &a.Summary, &a.Digest, &a.AuditID, &a.Status,
		&a.DecidedBy, NullTime{&a.DecidedAt}}
}

// NullTime scans a time column (int64 unix nanoseconds, NULL for the zero
// time) into T, in UTC.
type NullTime struct{ T *time.Time }

// Scan implements sql.Scanner (pgx calls it too).
func (n NullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.T = time.Time{}
	case int64:
		*n.T = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("time column holds %T, want an integer", src)
	}
	return nil
}
