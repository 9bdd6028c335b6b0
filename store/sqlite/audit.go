package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var insertAudit = sqlcol.Insert("audit", sqlcol.AuditColumns, qmark)

// AppendAudit implements store.Store. The write transaction is the chain's
// lock: BEGIN IMMEDIATE takes SQLite's write lock before the head is read,
// so no append in this process or another can slip in between reading the
// head and committing the records chained to it.
func (s *Store) AppendAudit(ctx context.Context, build func(head store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	ctx = uncancelled(ctx)
	var (
		recs     []store.AuditRecord
		buildErr error
	)
	// Prepared before the transaction: the one write connection is the
	// transaction's until it ends.
	headStmt, err := s.stmt(ctx, s.write, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`)
	if err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	insert, err := s.stmt(ctx, s.write, insertAudit)
	if err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var head store.AuditHead
		err := tx.StmtContext(ctx, headStmt).QueryRowContext(ctx).Scan(&head.Seq, &head.Hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read head: %w", err)
		}
		recs, buildErr = build(head)
		if buildErr != nil {
			return buildErr
		}
		if len(recs) == 0 {
			return nil
		}
		stmt := tx.StmtContext(ctx, insert)
		for i := range recs {
			r := &recs[i]
			r.Seq = head.Seq + 1 + int64(i)
			args, err := sqlcol.AuditArgs(r)
			if err == nil {
				_, err = stmt.ExecContext(ctx, args...)
			}
			if err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
		}
		return nil
	})
	switch {
	case buildErr != nil:
		return nil, buildErr // the caller's own error, as build returned it
	case err != nil:
		return nil, fmt.Errorf("append audit: %w", err)
	}
	return recs, nil
}

// ListAudit implements store.Store.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("list audit: negative limit %d", q.Limit)
	}
	query, args := sqlcol.AuditSelect(q, qmark)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var recs []store.AuditRecord
	for rows.Next() {
		var r store.AuditRecord
		if err := rows.Scan(sqlcol.AuditDest(&r)...); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	if q.Newest {
		slices.Reverse(recs)
	}
	return recs, nil
}
