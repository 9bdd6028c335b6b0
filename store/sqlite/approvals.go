package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

// SQLite numbers its parameters ?1, ?2, ... as PostgreSQL does $1, $2, ...:
// the statement to move an approval names some twice.
func numbered(n int) string { return "?" + strconv.Itoa(n) }

var approvalSQL = sqlcol.ApprovalStatements(numbered)

// CreateApproval implements store.Store.
func (s *Store) CreateApproval(ctx context.Context, a *store.Approval) error {
	args, err := sqlcol.ApprovalArgs(a)
	if err == nil {
		_, err = s.write.ExecContext(ctx, approvalSQL.Insert, args...)
		if _, unique, _ := constraint(err); unique {
			err = fmt.Errorf("id taken: %w", store.ErrConflict)
		}
	}
	if err != nil {
		return fmt.Errorf("create approval %s: %w", a.ID, err)
	}
	return nil
}

// GetApproval implements store.Store.
func (s *Store) GetApproval(ctx context.Context, id string) (*store.Approval, error) {
	var a store.Approval
	err := s.queryRow(ctx, s.read, approvalSQL.Get, id).Scan(sqlcol.ApprovalDest(&a)...)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get approval %s: %w", id, err)
	}
	return &a, nil
}

// ListApprovals implements store.Store.
func (s *Store) ListApprovals(ctx context.Context, q store.ApprovalQuery) ([]*store.Approval, error) {
	query, args := sqlcol.ApprovalList(q, numbered)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	defer rows.Close()
	var out []*store.Approval
	for rows.Next() {
		var a store.Approval
		if err := rows.Scan(sqlcol.ApprovalDest(&a)...); err != nil {
			return nil, fmt.Errorf("list approvals: %w", err)
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	return out, nil
}

// MoveApproval implements store.Store.
func (s *Store) MoveApproval(ctx context.Context, id, from, to, by string, at time.Time) (*store.Approval, error) {
	args, err := sqlcol.MoveArgs(id, from, to, by, at)
	if err != nil {
		return nil, fmt.Errorf("move approval %s to %s: %w", id, to, err)
	}
	var a store.Approval
	err = s.write.QueryRowContext(ctx, approvalSQL.Move, args...).Scan(sqlcol.ApprovalDest(&a)...)
	if errors.Is(err, sql.ErrNoRows) { // nothing moved
		return nil, sqlcol.MoveMissed(id, from, to, func() (*store.Approval, error) { return s.GetApproval(ctx, id) })
	}
	if err != nil {
		return nil, fmt.Errorf("move approval %s to %s: %w", id, to, err)
	}
	return &a, nil
}
