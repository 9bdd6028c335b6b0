// Package pgtest gives tests a PostgreSQL schema of their own, in the
// database that ALTER_MCP_TEST_POSTGRES names (a postgres:// URL of a user
// that may create schemas). .ci/run starts a throwaway PostgreSQL and sets
// it, with ALTER_MCP_REQUIRE_POSTGRES=1, so that in CI these tests never
// skip; elsewhere they skip, saying how to run them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables of the tests.
const (
	EnvURL     = "ALTER_MCP_TEST_POSTGRES"
	EnvRequire = "ALTER_MCP_REQUIRE_POSTGRES"
)

// Admin returns the URL of the test database, or skips t (fails it when
// EnvRequire is set) when there is none.
func Admin(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		msg := "no PostgreSQL to test with: set " + EnvURL + "=postgres://USER@HOST:PORT/DB (a user that may create schemas); .ci/run starts one"
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("%s (and %s is set)", msg, EnvRequire)
		}
		t.Skip(msg)
	}
	return u
}

// URL makes a fresh, empty schema in the test database and returns a URL
// whose connections use it (search_path). The schema is dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	admin := Admin(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "alter_test_" + hex.EncodeToString(b)
	Exec(t, admin, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { Exec(t, admin, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs statements on a connection of its own to the database at rawURL.
func Exec(t testing.TB, rawURL, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// LockHead locks the audit chain's head row from a session of its own, as
// a replica appending to the chain does (SELECT ... FOR UPDATE on
// audit_head), and holds it until the transaction ends or the connection
// closes; the connection closes when t ends.
func LockHead(t testing.TB, rawURL string) (*pgx.Conn, pgx.Tx) {
	t.Helper()
	holder, err := pgx.Connect(context.Background(), rawURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close(context.Background()) })
	tx, err := holder.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(context.Background(), `SELECT 1 FROM audit_head FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	return holder, tx
}
