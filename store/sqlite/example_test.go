package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/sqlite"
)

func Example() {
	ctx := context.Background()
	home, err := os.MkdirTemp("", "alter-mcp")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)

	path, err := sqlite.ParseDSN("sqlite://" + filepath.Join(home, "alter.db"))
	if err != nil {
		log.Fatal(err)
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	g := &store.Grant{ID: "grt_1", Name: "reports", Source: "profile", CreatedAt: time.Now()}
	if err := s.CreateGrant(ctx, g); err != nil {
		log.Fatal(err)
	}
	// Records are chained to the head under the store's lock.
	recs, err := s.AppendAudit(ctx, func(head store.AuditHead) ([]store.AuditRecord, error) {
		return []store.AuditRecord{{ID: "aud_1.begin", Kind: "begin", PrevHash: head.Hash, Hash: "h1"}}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Version, recs[0].Seq)
	// Output: 1 1
}
