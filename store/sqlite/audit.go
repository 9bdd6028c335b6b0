package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

const auditColumns = `seq, id, time, kind, entry_id, caller, grant_id, tool, decision, operation,
	data, prev_hash, hash`

// AppendAudit implements store.Store. The write transaction is the chain's
// lock: BEGIN IMMEDIATE takes SQLite's write lock before the head is read,
// so no append in this process or another can slip in between reading the
// head and committing the records chained to it.
func (s *Store) AppendAudit(ctx context.Context, build func(head store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
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
	insert, err := s.stmt(ctx, s.write, `INSERT INTO audit (`+auditColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
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
			var e encoder
			t := e.time("time", r.Time)
			if e.err != nil {
				return fmt.Errorf("record %d: %w", i, e.err)
			}
			if t != nil {
				r.Time = time.Unix(0, t.(int64)).UTC() // as stored and as ListAudit returns it
			}
			if _, err := stmt.ExecContext(ctx, r.Seq, r.ID, t, r.Kind, r.EntryID, r.Caller, r.GrantID,
				r.Tool, r.Decision, r.Operation, blob(r.Data), r.PrevHash, r.Hash); err != nil {
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
	query, args := sqlcol.AuditSelect(auditColumns, q, func(int) string { return "?" })
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var recs []store.AuditRecord
	for rows.Next() {
		var r store.AuditRecord
		if err := rows.Scan(&r.Seq, &r.ID, nullTime{&r.Time}, &r.Kind, &r.EntryID, &r.Caller,
			&r.GrantID, &r.Tool, &r.Decision, &r.Operation, &r.Data, &r.PrevHash, &r.Hash); err != nil {
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
