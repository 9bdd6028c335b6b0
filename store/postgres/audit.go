package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var insertAudit = sqlcol.Insert("audit", sqlcol.AuditColumns, dollar)

// AppendAudit implements store.Store. One transaction locks the chain's
// head row, reads it, inserts the records build chains to it and moves the
// head: an append from any replica waits for the one before it to commit,
// then reads the head that one left, so the chain never forks and Seq has
// no gaps. The records and the head's move go in one round trip.
func (s *Store) AppendAudit(ctx context.Context, build func(head store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	var (
		recs     []store.AuditRecord
		buildErr error
	)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var head store.AuditHead
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head FOR UPDATE`).Scan(&head.Seq, &head.Hash); err != nil {
			return fmt.Errorf("lock the chain's head: %w", s.explain(err))
		}
		recs, buildErr = build(head)
		if buildErr != nil {
			return buildErr
		}
		if len(recs) == 0 {
			return nil
		}
		var b pgx.Batch
		for i := range recs {
			r := &recs[i]
			r.Seq = head.Seq + 1 + int64(i)
			args, err := sqlcol.AuditArgs(r)
			if err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
			b.Queue(insertAudit, args...)
		}
		last := recs[len(recs)-1]
		b.Queue(`UPDATE audit_head SET seq = $1, hash = $2`, last.Seq, last.Hash)
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("insert %d records: %w", len(recs), err)
		}
		return nil
	})
	switch {
	case buildErr != nil:
		return nil, buildErr // the caller's own error, as build returned it
	case err != nil:
		return nil, fmt.Errorf("append audit: %w", s.explain(err))
	}
	return recs, nil
}

// ListAudit implements store.Store.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("list audit: negative limit %d", q.Limit)
	}
	query, args := sqlcol.AuditSelect(q, dollar)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", s.explain(err))
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AuditRecord, error) {
		var r store.AuditRecord
		err := row.Scan(sqlcol.AuditDest(&r)...)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", s.explain(err))
	}
	if q.Newest {
		slices.Reverse(recs)
	}
	return recs, nil
}
