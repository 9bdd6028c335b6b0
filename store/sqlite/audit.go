package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var insertAudit = sqlcol.Insert("audit", sqlcol.AuditColumns, qmark)

// The audit's filter columns (caller, grant, tool, decision, operation) are
// indexed in audit_facet, not by indexes on audit. An index on audit is
// written by every commit, and a commit waits for its sync: in WAL mode each
// page a commit changes is a frame, two writes the sync then waits for, and
// five indexes were five pages of every call's begin record.
//
// audit_facet indexes blocks of records instead: an entry (field, value,
// block) says that a record with seq in [block×B, block×B+B) has that value
// in that column, B being audit_facet_state's block (128). The commit that
// completes a block adds its entries, one for each value it holds, in a few
// pages once in B records. audit_facet_state's next is the first record of
// the first block not indexed. A query filtered on one of those columns
// reads the blocks audit_facet names, and the records from next on
// directly, in one read transaction (ListAudit).
//
// facetFields are the columns audit_facet indexes; an entry's field is
// the column's name.
var facetFields = [...]string{"caller", "grant_id", "tool", "decision", "operation"}

// indexFacetsSQL is migration 5's statement: it adds the entries of the
// records from next up to the record bound (an SQL expression, excluded, on
// a block's start), reading those records once for each column. A commit
// indexes its block with indexFacets instead, which reads them once;
// TestFacetIndexersAgree holds the two to the same entries.
func indexFacetsSQL(bound string) string {
	var b strings.Builder
	b.WriteString("WITH st AS (SELECT next, block FROM audit_facet_state)\nINSERT INTO audit_facet (field, value, block)")
	for i, col := range facetFields {
		if i > 0 {
			b.WriteString("\nUNION")
		}
		fmt.Fprintf(&b, " SELECT '%[1]s', %[1]s, seq / st.block FROM st, audit WHERE seq >= st.next AND seq < %[2]s AND %[1]s <> ''", col, bound)
	}
	return b.String()
}

// The statements of indexFacets. facetValues gives each distinct
// combination of a block's values once: a block of calls from one agent
// through one grant is a row or two, not 128.
const (
	facetState   = `SELECT next, block FROM audit_facet_state`
	setFacetNext = `UPDATE audit_facet_state SET next = ?`
	insertFacet  = `INSERT INTO audit_facet (field, value, block) VALUES (?, ?, ?)`
)

var facetValues = "SELECT DISTINCT seq / ?3, " + strings.Join(facetFields[:], ", ") +
	" FROM audit WHERE seq >= ?1 AND seq < ?2"

// facetStmts are indexFacets's statements, prepared on the write
// connection.
type facetStmts struct{ state, values, insert, setNext *sql.Stmt }

// prepareFacets prepares indexFacets's statements, outside any
// transaction (the one write connection is a transaction's until it ends),
// the first time it is called; after that it hands back the same ones.
func (s *Store) prepareFacets(ctx context.Context) (facetStmts, error) {
	if f := s.facets.Load(); f != nil {
		return *f, nil
	}
	var f facetStmts
	for _, p := range []struct {
		st    **sql.Stmt
		query string
	}{{&f.state, facetState}, {&f.values, facetValues}, {&f.insert, insertFacet}, {&f.setNext, setFacetNext}} {
		st, err := s.stmt(ctx, s.write, p.query)
		if err != nil {
			return f, err
		}
		*p.st = st
	}
	s.facets.Store(&f)
	return f, nil
}

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
		due      int64 // when audit_facet is next due, if this commit read it
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
	facets, err := s.prepareFacets(ctx)
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
		last := head.Seq + int64(len(recs))
		if last < s.facetDue.Load() {
			return nil
		}
		due, err = indexFacets(ctx, tx, facets, last)
		return err
	})
	switch {
	case buildErr != nil:
		return nil, buildErr // the caller's own error, as build returned it
	case err != nil:
		return nil, fmt.Errorf("append audit: %w", err)
	}
	if due > 0 {
		s.facetDue.Store(due)
	}
	return recs, nil
}

// indexFacets adds to audit_facet, in tx, the blocks the record last
// completes, and returns the record that will complete the next block.
// s.facetDue is that record as this process last saw it: another process
// may have indexed since, so this reads where audit_facet stands.
//
// It reads the records once, and each distinct row of their values in a
// block once, and adds an entry for each value that is not empty, with
// statements prepared once. Migration 5's statement, prepared anew and
// reading the records once for each column, took 500-550 µs for a block of
// 128 records on tmpfs; this takes 112-124 µs (BenchmarkIndexFacets). In a
// loop of calls, one begin record in 64 pays it.
func indexFacets(ctx context.Context, tx *sql.Tx, st facetStmts, last int64) (due int64, err error) {
	var next, block int64
	if err := tx.StmtContext(ctx, st.state).QueryRowContext(ctx).Scan(&next, &block); err != nil {
		return 0, fmt.Errorf("read what audit_facet covers: %w", err)
	}
	to := (last + 1) / block * block
	if to > next {
		if err := addFacets(ctx, tx, st, next, to, block); err != nil {
			return 0, fmt.Errorf("index the audit's filter columns: %w", err)
		}
		if _, err := tx.StmtContext(ctx, st.setNext).ExecContext(ctx, to); err != nil {
			return 0, fmt.Errorf("index the audit's filter columns: %w", err)
		}
		next = to
	}
	return next + block - 1, nil
}

// facetEntry is a row of audit_facet: the column (an index into
// facetFields), its value, and the block.
type facetEntry struct {
	column int
	value  string
	block  int64
}

// addFacets adds the entries of the records in [from, to), blocks of
// block records.
func addFacets(ctx context.Context, tx *sql.Tx, st facetStmts, from, to, block int64) error {
	rows, err := tx.StmtContext(ctx, st.values).QueryContext(ctx, from, to, block)
	if err != nil {
		return err
	}
	seen := map[facetEntry]bool{}
	var entries []facetEntry
	var values [len(facetFields)]string
	var b int64
	dest := []any{&b}
	for i := range values {
		dest = append(dest, &values[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		for i, v := range values {
			if e := (facetEntry{i, v, b}); v != "" && !seen[e] {
				seen[e] = true
				entries = append(entries, e)
			}
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	insert := tx.StmtContext(ctx, st.insert)
	for _, e := range entries {
		if _, err := insert.ExecContext(ctx, facetFields[e.column], e.value, e.block); err != nil {
			return err
		}
	}
	return nil
}

// ListAudit implements store.Store. A query on one of the columns
// audit_facet indexes reads the blocks it names and the records after those
// blocks directly: two queries in one read transaction, whose results
// follow each other in seq order.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("list audit: negative limit %d", q.Limit)
	}
	field, value := facet(q)
	if field == "" {
		query, args := sqlcol.AuditSelect(q, qmark)
		recs, err := listAudit(ctx, s.read, query, args, nil)
		if err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		return inOrder(recs, q), nil
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer tx.Rollback()
	var next, block int64
	if err := tx.QueryRowContext(ctx, `SELECT next, block FROM audit_facet_state`).Scan(&next, &block); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	indexed := func(recs []store.AuditRecord, q store.AuditQuery) ([]store.AuditRecord, error) {
		if q.AfterSeq >= next-1 {
			return recs, nil
		}
		query, args := blocksQuery(q, field, value, next, block)
		return listAudit(ctx, tx, query, args, recs)
	}
	tail := func(recs []store.AuditRecord, q store.AuditQuery) ([]store.AuditRecord, error) {
		query, args := tailQuery(q, next)
		return listAudit(ctx, tx, query, args, recs)
	}
	first, then := indexed, tail
	if q.Newest {
		first, then = tail, indexed
	}
	recs, err := first(nil, q)
	if err == nil && (q.Limit == 0 || len(recs) < q.Limit) {
		if q.Limit > 0 {
			q.Limit -= len(recs)
		}
		recs, err = then(recs, q)
	}
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return inOrder(recs, q), nil
}

// blocksQuery is the query of the records q selects in the blocks
// audit_facet names for the value of field, up to the record next.
func blocksQuery(q store.AuditQuery, field, value string, next, block int64) (string, []any) {
	args := []any{block, block, field, value, next / block, (q.AfterSeq + 1) / block}
	where, args := sqlcol.AuditWhere(q, "a.", qmark, args)
	query := "SELECT " + facetColumns + " FROM audit_facet AS f CROSS JOIN audit AS a" +
		" ON a.seq >= f.block * ? AND a.seq < (f.block + 1) * ?" +
		" WHERE f.field = ? AND f.value = ? AND f.block < ? AND f.block >= ?"
	if len(where) > 0 {
		query += " AND " + strings.Join(where, " AND ")
	}
	return sqlcol.AuditOrder(query, q, qmark, args, "f.block", "a.seq")
}

// tailQuery is the query of the records q selects from the record next on.
func tailQuery(q store.AuditQuery, next int64) (string, []any) {
	q.AfterSeq = max(q.AfterSeq, next-1)
	where, args := sqlcol.AuditWhere(q, "", qmark, nil)
	// NOT INDEXED: these are the few records at the end of the rowid.
	query := "SELECT " + sqlcol.AuditColumns + " FROM audit NOT INDEXED WHERE " + strings.Join(where, " AND ")
	return sqlcol.AuditOrder(query, q, qmark, args, "seq")
}

// facetColumns are the audit's columns in a query that names the audit
// table a.
var facetColumns = "a." + strings.ReplaceAll(sqlcol.AuditColumns, ", ", ", a.")

// facet is the column of audit_facet a query reads, and its value: the
// first of the filters it has on grant, caller, operation, tool and
// decision, or none ("") when it has none of them or names an entry (which
// audit_entry_id finds).
func facet(q store.AuditQuery) (field, value string) {
	if q.EntryID != "" {
		return "", ""
	}
	for _, f := range [...]struct{ col, val string }{
		{"grant_id", q.GrantID}, {"caller", q.Caller}, {"operation", q.Operation}, {"tool", q.Tool}, {"decision", q.Decision},
	} {
		if f.val != "" {
			return f.col, f.val
		}
	}
	return "", ""
}

// listAudit appends to recs the records query returns.
func listAudit(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, recs []store.AuditRecord) ([]store.AuditRecord, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.AuditRecord
		if err := rows.Scan(sqlcol.AuditDest(&r)...); err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, rows.Err()
}

// inOrder is recs, read in q's order, in increasing seq order.
func inOrder(recs []store.AuditRecord, q store.AuditQuery) []store.AuditRecord {
	if q.Newest {
		slices.Reverse(recs)
	}
	return recs
}
