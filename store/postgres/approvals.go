package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

func dollar(n int) string { return "$" + strconv.Itoa(n) }

var approvalSQL = sqlcol.ApprovalStatements(dollar)

// CreateApproval implements store.Store.
func (s *Store) CreateApproval(ctx context.Context, a *store.Approval) error {
	args, err := sqlcol.ApprovalArgs(a)
	if err == nil {
		_, err = s.pool.Exec(ctx, approvalSQL.Insert, args...)
		err = s.explain(mapUnique(err))
	}
	if err != nil {
		return fmt.Errorf("create approval %s: %w", a.ID, err)
	}
	return nil
}

// GetApproval implements store.Store.
func (s *Store) GetApproval(ctx context.Context, id string) (*store.Approval, error) {
	var a store.Approval
	if err := s.pool.QueryRow(ctx, approvalSQL.Get, id).Scan(sqlcol.ApprovalDest(&a)...); err != nil {
		return nil, fmt.Errorf("get approval %s: %w", id, s.explain(notFound(err)))
	}
	return &a, nil
}

// ListApprovals implements store.Store.
func (s *Store) ListApprovals(ctx context.Context, q store.ApprovalQuery) ([]*store.Approval, error) {
	query, args := sqlcol.ApprovalList(q, dollar)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", s.explain(err))
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
		return nil, fmt.Errorf("list approvals: %w", s.explain(err))
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
	err = s.pool.QueryRow(ctx, approvalSQL.Move, args...).Scan(sqlcol.ApprovalDest(&a)...)
	if errors.Is(err, pgx.ErrNoRows) { // nothing moved
		return nil, sqlcol.MoveMissed(id, from, to, func() (*store.Approval, error) { return s.GetApproval(ctx, id) })
	}
	if err != nil {
		return nil, fmt.Errorf("move approval %s to %s: %w", id, to, s.explain(err))
	}
	return &a, nil
}
