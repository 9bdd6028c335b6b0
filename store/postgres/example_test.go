package postgres_test

import (
	"context"
	"log"

	"github.com/alter-mcp/alter-mcp/store"
	_ "github.com/alter-mcp/alter-mcp/store/postgres" // registers postgres:// with store.Open
)

// Replicas open one database by its URL; the first to start creates the
// tables. The password comes from PGPASSWORD or ~/.pgpass.
func Example() {
	ctx := context.Background()
	s, err := store.Open(ctx, "postgres://alter@db.internal:5432/alter?sslmode=verify-full&pool_max_conns=16")
	if err != nil {
		log.Fatal(err) // "cannot reach PostgreSQL (...)", the URL's password hidden
	}
	defer s.Close()

	// Appends from every replica are serialized by the chain's head row.
	_, err = s.AppendAudit(ctx, func(head store.AuditHead) ([]store.AuditRecord, error) {
		return []store.AuditRecord{{ID: "aud_1.begin", Kind: "begin", PrevHash: head.Hash, Hash: "h1"}}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
