package sqlcol

import (
	"context"
	"fmt"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Approvals are the statements of the table approvals, written once with an
// engine's placeholders. Both engines read and write the columns in the
// order of ApprovalColumns, through ApprovalArgs and ApprovalDest.
type Approvals struct {
	Insert string // the arguments: ApprovalArgs
	Get    string // by id
	// Move sets status, decided_by and decided_at of the approval whose id
	// and status match, and returns its columns; its arguments: MoveArgs.
	Move string
}

// ApprovalColumns are the columns of approvals, in the order of
// ApprovalDest and ApprovalArgs.
const ApprovalColumns = "id, created_at, expires, caller, caller_name, client, grant_id, grant_name, " +
	"tool, operation, summary, digest, audit_id, status, decided_by, decided_at"

// ApprovalStatements writes the statements with placeholder(n) for the n-th
// argument (from 1).
func ApprovalStatements(placeholder func(n int) string) Approvals {
	return Approvals{
		Insert: Insert("approvals", ApprovalColumns, placeholder),
		Get:    "SELECT " + ApprovalColumns + " FROM approvals WHERE id = " + placeholder(1),
		// decided_by and decided_at change only when a decider is named.
		Move: fmt.Sprintf("UPDATE approvals SET status = %[1]s, "+
			"decided_by = CASE WHEN %[2]s = '' THEN decided_by ELSE %[2]s END, "+
			"decided_at = CASE WHEN %[2]s = '' THEN decided_at ELSE %[3]s END "+
			"WHERE id = %[4]s AND status = %[5]s RETURNING "+ApprovalColumns,
			placeholder(1), placeholder(2), placeholder(3), placeholder(4), placeholder(5)),
	}
}

// ApprovalList is the query of the approvals q selects, newest first, and
// its arguments.
func ApprovalList(q store.ApprovalQuery, placeholder func(n int) string) (string, []any) {
	var args []any
	query := "SELECT " + ApprovalColumns + " FROM approvals"
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
	var e Encoder
	args := []any{a.ID, e.Time("creation time", a.CreatedAt), e.Time("expiry", a.Expires), a.Caller, a.CallerName, a.Client,
		a.GrantID, a.GrantName, a.Tool, a.Operation, a.Summary, a.Digest, a.AuditID, a.Status, a.DecidedBy,
		e.Time("decision time", a.DecidedAt)}
	return args, e.Err
}

// MoveArgs are the arguments of Move.
func MoveArgs(id, from, to, by string, at time.Time) ([]any, error) {
	var e Encoder
	return []any{to, by, e.Time("decision time", at), id, from}, e.Err
}

// ApprovalDest are the scan targets of a row of approvals into a.
func ApprovalDest(a *store.Approval) []any {
	return []any{&a.ID, NullTime{&a.CreatedAt}, NullTime{&a.Expires}, &a.Caller, &a.CallerName, &a.Client,
		&a.GrantID, &a.GrantName, &a.Tool, &a.Operation, &a.Summary, &a.Digest, &a.AuditID, &a.Status,
		&a.DecidedBy, NullTime{&a.DecidedAt}}
}

// CreateApproval implements store.Store.
func (t *Tables) CreateApproval(ctx context.Context, a *store.Approval) error {
	args, err := ApprovalArgs(a)
	if err == nil {
		_, err = t.db.Exec(ctx, t.sql.approvals.Insert, args...)
		err = t.explain(err)
	}
	if err != nil {
		return fmt.Errorf("create approval %s: %w", a.ID, err)
	}
	return nil
}

// GetApproval implements store.Store.
func (t *Tables) GetApproval(ctx context.Context, id string) (*store.Approval, error) {
	a, err := scanApproval(t.db.QueryRow(ctx, t.sql.approvals.Get, id))
	if err != nil {
		return nil, fmt.Errorf("get approval %s: %w", id, t.explain(err))
	}
	return a, nil
}

// ListApprovals implements store.Store.
func (t *Tables) ListApprovals(ctx context.Context, q store.ApprovalQuery) ([]*store.Approval, error) {
	query, args := ApprovalList(q, t.db.Placeholder)
	out, err := readRows(ctx, t, query, scanApproval, args...)
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	return out, nil
}

// MoveApproval implements store.Store. When it changes no row, the
// approval is absent (ErrNotFound), or its status is no longer from
// (store.ErrConflict, naming what it is).
func (t *Tables) MoveApproval(ctx context.Context, id, from, to, by string, at time.Time) (*store.Approval, error) {
	args, err := MoveArgs(id, from, to, by, at)
	if err != nil {
		return nil, fmt.Errorf("move approval %s to %s: %w", id, to, err)
	}
	a, err := scanApproval(t.db.WriteRow(ctx, t.sql.approvals.Move, args...))
	if err = t.explain(err); notFound(err) { // nothing moved
		cur, err := t.GetApproval(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("move approval %s to %s: %w", id, to, err)
		}
		return nil, fmt.Errorf("move approval %s to %s: it is %s, not %s: %w", id, to, cur.Status, from, store.ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("move approval %s to %s: %w", id, to, err)
	}
	return a, nil
}

// scanApproval reads a row of approvals (ApprovalColumns).
func scanApproval(row Row) (*store.Approval, error) {
	var a store.Approval
	if err := row.Scan(ApprovalDest(&a)...); err != nil {
		return nil, err
	}
	return &a, nil
}
