package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema's versions: migrations[i] takes a database from
// version i to i+1. Append only; never edit one that has shipped.
//
// Times are INTEGER unix nanoseconds in UTC, NULL for the zero time. Byte
// slices are BLOBs, NULL when empty. Tables are STRICT so a wrong type is
// an error rather than a silent conversion.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE grants (
	id                 TEXT    NOT NULL PRIMARY KEY,
	name               TEXT    NOT NULL UNIQUE,
	description        TEXT    NOT NULL,
	source             TEXT    NOT NULL,
	source_config      BLOB,
	access_key_id      TEXT    NOT NULL,
	sealed             BLOB,
	key_id             TEXT    NOT NULL,
	credentials_expire INTEGER,
	policy             BLOB,
	created_at         INTEGER,
	updated_at         INTEGER,
	revoked            INTEGER NOT NULL,
	expires            INTEGER,
	version            INTEGER NOT NULL
) STRICT;
CREATE INDEX grants_created ON grants (created_at, id);

CREATE TABLE callers (
	name       TEXT    NOT NULL PRIMARY KEY,
	key_hash   BLOB    UNIQUE,          -- NULL for a caller without a key
	grants     TEXT    NOT NULL,        -- JSON array of grant ids
	created_at INTEGER,
	updated_at INTEGER,
	revoked    INTEGER NOT NULL,
	version    INTEGER NOT NULL
) STRICT;

-- seq is the rowid; AppendAudit assigns it (head+1, head+2, ...) inside
-- the write transaction, so the chain has no gaps.
CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY,
	id        TEXT    NOT NULL,
	time      INTEGER,
	kind      TEXT    NOT NULL,
	entry_id  TEXT    NOT NULL,
	caller    TEXT    NOT NULL,
	grant_id  TEXT    NOT NULL,
	tool      TEXT    NOT NULL,
	decision  TEXT    NOT NULL,
	operation TEXT    NOT NULL,
	data      BLOB,
	prev_hash TEXT    NOT NULL,
	hash      TEXT    NOT NULL
) STRICT;
-- Each index implicitly ends with seq (the rowid), so "field = ? ORDER BY
-- seq" reads the index in order.
CREATE INDEX audit_time      ON audit (time);
CREATE INDEX audit_entry_id  ON audit (entry_id);
CREATE INDEX audit_caller    ON audit (caller);
CREATE INDEX audit_grant_id  ON audit (grant_id);
CREATE INDEX audit_tool      ON audit (tool);
CREATE INDEX audit_decision  ON audit (decision);
CREATE INDEX audit_operation ON audit (operation);

CREATE TABLE rotations (
	grant_id          TEXT    NOT NULL PRIMARY KEY REFERENCES grants (id),
	step              TEXT    NOT NULL,
	old_access_key_id TEXT    NOT NULL,
	new_access_key_id TEXT    NOT NULL,
	sealed            BLOB,
	key_id            TEXT    NOT NULL,
	started_at        INTEGER,
	updated_at        INTEGER
) STRICT;

CREATE TABLE settings (
	name  TEXT NOT NULL PRIMARY KEY,
	value BLOB
) STRICT;
`,
	// 2: callers known by the subject of an OAuth access token. The issuer
	// is '' for any trusted issuer, never NULL, so that ('', sub) is unique
	// too; the subject is NULL for a caller without one.
	`
ALTER TABLE callers ADD COLUMN oauth_issuer  TEXT NOT NULL DEFAULT '';
ALTER TABLE callers ADD COLUMN oauth_subject TEXT;
CREATE UNIQUE INDEX callers_oauth_subject ON callers (oauth_subject, oauth_issuer);
`,
	// 3: a counter of the changes to grants and callers, bumped by
	// triggers in the transaction of each change, so that a process keeping
	// them in memory sees another's changes with one cheap read (Version).
	`
CREATE TABLE data_version (
	one     INTEGER NOT NULL PRIMARY KEY CHECK (one = 1),
	version INTEGER NOT NULL
) STRICT;
INSERT INTO data_version (one, version) VALUES (1, 0);
CREATE TRIGGER grants_insert_version AFTER INSERT ON grants BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER grants_update_version AFTER UPDATE ON grants BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER grants_delete_version AFTER DELETE ON grants BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER callers_insert_version AFTER INSERT ON callers BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER callers_update_version AFTER UPDATE ON callers BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER callers_delete_version AFTER DELETE ON callers BEGIN UPDATE data_version SET version = version + 1; END;
`,
	// 4: writes held until an operator approves or rejects them.
	`
CREATE TABLE approvals (
	id          TEXT    NOT NULL PRIMARY KEY,
	created_at  INTEGER,
	expires     INTEGER,
	caller      TEXT    NOT NULL,
	caller_name TEXT    NOT NULL,
	client      TEXT    NOT NULL,
	grant_id    TEXT    NOT NULL,
	grant_name  TEXT    NOT NULL,
	tool        TEXT    NOT NULL,
	operation   TEXT    NOT NULL,
	summary     TEXT    NOT NULL,
	digest      TEXT    NOT NULL,
	audit_id    TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	decided_by  TEXT    NOT NULL,
	decided_at  INTEGER
) STRICT;
CREATE INDEX approvals_created ON approvals (created_at, id);
CREATE INDEX approvals_status  ON approvals (status, created_at, id);
`,
	// 5: the audit's filter columns are indexed by block in audit_facet,
	// written by the commit that completes a block rather than by every
	// commit (see audit.go); their indexes on audit go.
	`
CREATE TABLE audit_facet (
	field TEXT    NOT NULL,
	value TEXT    NOT NULL,
	block INTEGER NOT NULL,
	PRIMARY KEY (field, value, block)
) STRICT, WITHOUT ROWID;
CREATE TABLE audit_facet_state (
	one   INTEGER NOT NULL PRIMARY KEY CHECK (one = 1),
	next  INTEGER NOT NULL,
	block INTEGER NOT NULL CHECK (block > 0)
) STRICT;
INSERT INTO audit_facet_state (one, next, block) VALUES (1, 0, 128);
` + indexFacetsSQL("(SELECT MAX(seq) + 1 FROM audit) / st.block * st.block") + `;
UPDATE audit_facet_state SET next = COALESCE((SELECT MAX(seq) + 1 FROM audit) / block * block, 0);
DROP INDEX audit_caller;
DROP INDEX audit_grant_id;
DROP INDEX audit_tool;
DROP INDEX audit_decision;
DROP INDEX audit_operation;
`,
}

// schemaVersion is the newest schema this build knows.
var schemaVersion = len(migrations)

// migrate brings the database up to schemaVersion, one migration per
// transaction. Another process may migrate the same file at the same time:
// each step re-reads the version after BEGIN IMMEDIATE has taken the write
// lock, so a step is never applied twice.
func migrate(ctx context.Context, db *sql.DB) error {
	// In a transaction of its own (BEGIN IMMEDIATE on the write pool): as a
	// bare statement, a writer that finds its snapshot stale gets
	// SQLITE_BUSY at once, without waiting on the busy timeout, which
	// processes creating one file together run into.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT`); err != nil {
		tx.Rollback()
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for {
		done, err := migrateOne(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, or reports that none is left.
func migrateOne(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case v > schemaVersion:
		return false, fmt.Errorf("store was written by a newer alter-mcp (schema %d, this build knows %d)", v, schemaVersion)
	case v == schemaVersion:
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migrate to schema %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		v+1, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("migrate to schema %d: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate to schema %d: %w", v+1, err)
	}
	return false, nil
}

// Version implements store.Versioned: the count of changes to grants and
// callers, read with a prepared statement.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("read the data version: %w", err)
	}
	if err := s.queryRow(uncancelled(ctx), s.read, `SELECT version FROM data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the data version: %w", err)
	}
	return v, nil
}

// Check implements store.Checker: SQLite's version, the schema's and the
// journal mode.
func (s *Store) Check(ctx context.Context) (string, error) {
	var version, mode string
	var schema int
	err := s.read.QueryRowContext(ctx, `SELECT sqlite_version(), (SELECT COALESCE(MAX(version), 0) FROM schema_migrations)`).
		Scan(&version, &schema)
	if err == nil {
		err = s.read.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	}
	if err != nil {
		return "", fmt.Errorf("check the store: %w", err)
	}
	return fmt.Sprintf("SQLite %s, schema %d, journal %s", version, schema, mode), nil
}
