package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
	"github.com/alter-mcp/alter-mcp/store/storetest"
)

// TestConformanceFacets runs the suite with audit_facet brought up to date
// every few records, so that its queries meet records on both sides of
// what audit_facet covers.
func TestConformanceFacets(t *testing.T) {
	for _, block := range []int64{1, 5} {
		t.Run(fmt.Sprint(block), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				s := open(t, filepath.Join(t.TempDir(), "alter.db"))
				setBlock(t, s, block)
				return s
			})
		})
	}
}

// TestFacetQueries compares ListAudit, which reads audit_facet, with the
// plain query over the audit table alone, for random records appended in
// random batches and random queries, with audit_facet behind by any count.
func TestFacetQueries(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	for _, block := range []int64{1, 2, 3, 17, 64, 128} {
		s, _ := openTemp(t)
		setBlock(t, s, block)
		ctx := t.Context()
		base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		n := 0
		for n < 300 {
			size := 1 + rng.IntN(12)
			_, err := s.AppendAudit(ctx, func(head store.AuditHead) ([]store.AuditRecord, error) {
				recs := make([]store.AuditRecord, size)
				for i := range recs {
					k := n + i
					recs[i] = store.AuditRecord{
						ID: fmt.Sprintf("aud_%03d", k), Time: base.Add(time.Duration(k) * time.Second),
						Kind: pick("begin", "end"), EntryID: fmt.Sprintf("ent_%03d", k/2),
						Caller: pick("claude", "cursor", ""), GrantID: pick("grt_a", "grt_b", "grt_c", ""),
						Tool: pick("aws_request", "s3_list"), Decision: pick("allow", "allow", "deny"),
						Operation: pick("s3:ListObjectsV2", "s3:GetObject", ""), Hash: fmt.Sprint(k),
					}
				}
				return recs, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			n += size
		}
		var next int64
		if err := s.read.QueryRowContext(ctx, `SELECT next FROM audit_facet_state`).Scan(&next); err != nil {
			t.Fatal(err)
		}
		if next%block != 0 || next > int64(n)+1 || int64(n)+1-next >= block {
			t.Errorf("block %d: audit_facet covers the records before %d of %d", block, next, n)
		}
		for range 300 {
			q := store.AuditQuery{
				Caller: pick("", "claude", "cursor", "nobody"), GrantID: pick("", "", "grt_a", "grt_c"),
				Tool: pick("", "", "s3_list"), Decision: pick("", "", "deny"), Operation: pick("", "", "s3:GetObject"),
				Kind: pick("", "", "end"), Limit: pick2(rng, 0, 1, 5, 40), Newest: rng.IntN(2) == 0,
			}
			if rng.IntN(4) == 0 {
				q.AfterSeq = rng.Int64N(int64(n) + 2)
			}
			if rng.IntN(4) == 0 {
				q.Since = base.Add(time.Duration(rng.IntN(n)) * time.Second)
			}
			if rng.IntN(4) == 0 {
				q.Until = base.Add(time.Duration(rng.IntN(n)) * time.Second)
			}
			got, err := s.ListAudit(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			query, args := sqlcol.AuditSelect(q, qmark)
			want, err := listAudit(ctx, s.read, query, args, nil)
			if err != nil {
				t.Fatal(err)
			}
			want = inOrder(want, q)
			if fmt.Sprint(seqs(got)) != fmt.Sprint(seqs(want)) {
				t.Fatalf("block %d, audit_facet before %d of %d: ListAudit(%+v) = %v, want %v", block, next, n, q, seqs(got), seqs(want))
			}
		}
	}
}

// setBlock makes the block of s, a new store, size records long.
func setBlock(t *testing.T, s *Store, size int64) {
	t.Helper()
	if _, err := s.write.ExecContext(t.Context(), `UPDATE audit_facet_state SET block = ?`, size); err != nil {
		t.Fatal(err)
	}
}

func pick2(rng *rand.Rand, vals ...int) int { return vals[rng.IntN(len(vals))] }

func seqs(recs []store.AuditRecord) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

// TestFacetPlans checks how SQLite runs the two queries of a filtered
// ListAudit: audit_facet's key read in order and each record found by its
// rowid; the tail read by rowid from what audit_facet covers. Neither sorts
// (a sort reads every match before the first is returned) nor scans the
// whole table.
func TestFacetPlans(t *testing.T) {
	s, _ := openTemp(t)
	for _, newest := range []bool{false, true} {
		q := store.AuditQuery{GrantID: "grt_a", Decision: "deny", Since: time.Unix(1, 0), AfterSeq: 3, Limit: 10, Newest: newest}
		plan := explain(t, s)(blocksQuery(q, "grant_id", "grt_a", 1024, 128))
		for _, want := range []string{"SEARCH f USING PRIMARY KEY (field=? AND value=? AND block>? AND block<?)", "SEARCH a USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"} {
			if !strings.Contains(plan, want) {
				t.Errorf("newest %v: the blocks' plan has no %q:\n%s", newest, want, plan)
			}
		}
		if strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("newest %v: the blocks' query sorts:\n%s", newest, plan)
		}
		plan = explain(t, s)(tailQuery(q, 1024))
		if !strings.Contains(plan, "SEARCH audit USING INTEGER PRIMARY KEY (rowid>?)") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("newest %v: the tail's plan:\n%s", newest, plan)
		}
	}
}

// explain returns SQLite's plan for a query, a line per step.
func explain(t *testing.T, s *Store) func(query string, args []any) string {
	return func(query string, args []any) string {
		return plan(t, s, query, args)
	}
}

func plan(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFacetMigration opens a store of schema 4, with audit records, in this
// build: migration 5 indexes their whole blocks in audit_facet and drops
// the audit table's filter indexes, and the filtered queries answer as
// before.
func TestFacetMigration(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "alter.db")
	schemaVersion = 4
	s := open(t, path)
	schemaVersion = len(migrations)
	// Records as schema 4's writer wrote them: this build's AppendAudit
	// keeps audit_facet, which schema 4 does not have.
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range 300 {
			r := store.AuditRecord{Seq: int64(i + 1), ID: fmt.Sprint("aud_", i), Time: time.Unix(int64(i), 0), Kind: "begin",
				EntryID: fmt.Sprint("ent_", i), Caller: []string{"claude", "cursor"}[i%2], GrantID: fmt.Sprint("grt_", i%3),
				Tool: "s3_list", Decision: "allow", Operation: "s3:ListObjectsV2", Hash: fmt.Sprint(i)}
			args, err := sqlcol.AuditArgs(&r)
			if err == nil {
				_, err = tx.ExecContext(ctx, insertAudit, args...)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// This build's ListAudit reads audit_facet: the plain query, as schema
	// 4 answered it.
	q := store.AuditQuery{GrantID: "grt_1", Limit: 5, Newest: true}
	query, args := sqlcol.AuditSelect(q, qmark)
	before, err := listAudit(ctx, s.read, query, args, nil)
	before = inOrder(before, q)
	if err != nil || len(before) != 5 {
		t.Fatalf("schema 4: %d records, %v", len(before), err)
	}
	s.Close()

	s = open(t, path)
	defer s.Close()
	var next, facets int64
	if err := s.read.QueryRowContext(ctx, `SELECT (SELECT next FROM audit_facet_state), (SELECT COUNT(*) FROM audit_facet)`).Scan(&next, &facets); err != nil {
		t.Fatal(err)
	}
	if next != 256 || facets != 2*(2+3+1+1+1) { // blocks 0 and 1, each with every value
		t.Errorf("after migration 5: audit_facet covers the records before %d in %d entries, want 256 and 16", next, facets)
	}
	var indexes string
	if err := s.read.QueryRowContext(ctx, `SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'audit' AND sql IS NOT NULL ORDER BY name)`).Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if indexes != "audit_entry_id audit_time" {
		t.Errorf("after migration 5 the audit table's indexes are %q, want audit_entry_id audit_time", indexes)
	}
	after, err := s.ListAudit(ctx, q)
	if err != nil || fmt.Sprint(seqs(after)) != fmt.Sprint(seqs(before)) || !slices.EqualFunc(after, before, func(a, b store.AuditRecord) bool { return a.ID == b.ID }) {
		t.Errorf("after migration 5: %v, %v; before it %v", seqs(after), err, seqs(before))
	}
}

// TestFacetIndexersAgree: the entries the commits add to audit_facet, for
// random records in random batches, are those migration 5's statement
// makes of the same records, block by block (several blocks to a commit
// where blocks are short).
func TestFacetIndexersAgree(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 2))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	for _, block := range []int64{1, 3, 17, 128} {
		s, _ := openTemp(t)
		setBlock(t, s, block)
		ctx := t.Context()
		for n := 0; n < 700; {
			size := 1 + rng.IntN(12)
			_, err := s.AppendAudit(ctx, func(store.AuditHead) ([]store.AuditRecord, error) {
				recs := make([]store.AuditRecord, size)
				for i := range recs {
					recs[i] = store.AuditRecord{
						ID: fmt.Sprint("aud_", n+i), Time: time.Unix(int64(n+i), 0), Kind: "begin", EntryID: fmt.Sprint("ent_", n+i),
						Caller: pick("claude", "cursor", ""), GrantID: pick("grt_a", "grt_b", ""), Tool: pick("s3_list", "aws_request"),
						Decision: pick("allow", "deny", ""), Operation: pick("s3:GetObject", "s3:ListObjectsV2", "", "claude"),
						Hash: fmt.Sprint(n + i),
					}
				}
				return recs, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			n += size
		}
		entries := func(q interface {
			QueryContext(context.Context, string, ...any) (*sql.Rows, error)
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}) (next int64, out []string) {
			if err := q.QueryRowContext(ctx, `SELECT next FROM audit_facet_state`).Scan(&next); err != nil {
				t.Fatal(err)
			}
			rows, err := q.QueryContext(ctx, `SELECT field, value, block FROM audit_facet ORDER BY field, value, block`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var f, v string
				var b int64
				if err := rows.Scan(&f, &v, &b); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%s=%s@%d", f, v, b))
			}
			return next, out
		}
		next, got := entries(s.read)
		if next < 700-block {
			t.Fatalf("block %d: audit_facet covers the records before %d of 700 or more", block, next)
		}
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_facet; UPDATE audit_facet_state SET next = 0`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, indexFacetsSQL(fmt.Sprint(next))); err != nil {
			t.Fatal(err)
		}
		_, want := entries(tx)
		if len(got) == 0 || !slices.Equal(got, want) {
			t.Errorf("block %d: the commits indexed\n%v\nmigration 5's statement\n%v", block, got, want)
		}
		tx.Rollback()
	}
}
