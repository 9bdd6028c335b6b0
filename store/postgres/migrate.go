package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// migrations are the schema's versions: migrations[i] takes a database from
// version i to i+1. Append only; never edit one that has shipped.
//
// Times are bigint unix nanoseconds, NULL for the zero time; byte slices
// are bytea, NULL when empty. Names and ids compare byte by byte (COLLATE
// "C"), as the store's contract orders them, whatever the database's
// locale. Unique constraints are named "table.column", so a conflict names
// what is taken without showing the value.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE grants (
	id                 text COLLATE "C" NOT NULL,
	name               text COLLATE "C" NOT NULL,
	description        text    NOT NULL,
	source             text    NOT NULL,
	source_config      bytea,
	access_key_id      text    NOT NULL,
	sealed             bytea,
	key_id             text    NOT NULL,
	credentials_expire bigint,
	policy             bytea,
	created_at         bigint,
	updated_at         bigint,
	revoked            boolean NOT NULL,
	expires            bigint,
	version            bigint  NOT NULL,
	CONSTRAINT "grants.id" PRIMARY KEY (id),
	CONSTRAINT "grants.name" UNIQUE (name)
);
CREATE INDEX grants_created ON grants (created_at NULLS FIRST, id);

CREATE TABLE callers (
	name       text COLLATE "C" NOT NULL,
	key_hash   bytea,            -- NULL for a caller without a key
	grants     text[]  NOT NULL,
	created_at bigint,
	updated_at bigint,
	revoked    boolean NOT NULL,
	version    bigint  NOT NULL,
	CONSTRAINT "callers.name" PRIMARY KEY (name),
	CONSTRAINT "callers.key_hash" UNIQUE (key_hash)
);

-- seq is assigned by AppendAudit (head+1, head+2, ...) while it holds the
-- lock on audit_head, so the chain has no gaps and one order.
CREATE TABLE audit (
	seq       bigint NOT NULL,
	id        text   NOT NULL,
	time      bigint,
	kind      text   NOT NULL,
	entry_id  text   NOT NULL,
	caller    text   NOT NULL,
	grant_id  text   NOT NULL,
	tool      text   NOT NULL,
	decision  text   NOT NULL,
	operation text   NOT NULL,
	data      bytea,
	prev_hash text   NOT NULL,
	hash      text   NOT NULL,
	CONSTRAINT "audit.seq" PRIMARY KEY (seq)
);
-- Each index ends with seq, so "field = $1 ORDER BY seq" reads it in order.
CREATE INDEX audit_time      ON audit (time, seq);
CREATE INDEX audit_entry_id  ON audit (entry_id, seq);
CREATE INDEX audit_caller    ON audit (caller, seq);
CREATE INDEX audit_grant_id  ON audit (grant_id, seq);
CREATE INDEX audit_tool      ON audit (tool, seq);
CREATE INDEX audit_decision  ON audit (decision, seq);
CREATE INDEX audit_operation ON audit (operation, seq);

-- The chain's head: one row, locked by every append (SELECT ... FOR
-- UPDATE) from reading it to committing the records chained to it. It is
-- the one place where replicas queue to append.
CREATE TABLE audit_head (
	one  boolean NOT NULL DEFAULT true,
	seq  bigint  NOT NULL,
	hash text    NOT NULL,
	CONSTRAINT "audit_head.one" PRIMARY KEY (one),
	CONSTRAINT "audit_head.single_row" CHECK (one)
);
INSERT INTO audit_head (seq, hash) VALUES (0, '');

CREATE TABLE rotations (
	grant_id          text COLLATE "C" NOT NULL,
	step              text   NOT NULL,
	old_access_key_id text   NOT NULL,
	new_access_key_id text   NOT NULL,
	sealed            bytea,
	key_id            text   NOT NULL,
	started_at        bigint,
	updated_at        bigint,
	CONSTRAINT "rotations.grant_id" PRIMARY KEY (grant_id),
	CONSTRAINT "rotations.grant" FOREIGN KEY (grant_id) REFERENCES grants (id)
);

CREATE TABLE settings (
	name  text COLLATE "C" NOT NULL,
	value bytea,
	CONSTRAINT "settings.name" PRIMARY KEY (name)
);
`,
	// 2: callers known by the subject of an OAuth access token. The issuer
	// is '' for any trusted issuer, never NULL, so that ('', sub) is unique
	// too; the subject is NULL for a caller without one.
	`
ALTER TABLE callers ADD COLUMN oauth_issuer  text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE callers ADD COLUMN oauth_subject text COLLATE "C";
ALTER TABLE callers ADD CONSTRAINT "callers.oauth_subject" UNIQUE (oauth_subject, oauth_issuer);
`,
	// 3: a counter of the changes to grants and callers, bumped by
	// triggers in the transaction of each change, so that a replica keeping
	// them in memory sees another's changes with one cheap read (Version).
	`
CREATE TABLE data_version (
	one     boolean NOT NULL DEFAULT true,
	version bigint  NOT NULL,
	CONSTRAINT "data_version.one" PRIMARY KEY (one),
	CONSTRAINT "data_version.single_row" CHECK (one)
);
INSERT INTO data_version (one, version) VALUES (true, 0);
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE data_version SET version = version + 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER grants_data_version AFTER INSERT OR UPDATE OR DELETE ON grants
	FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER callers_data_version AFTER INSERT OR UPDATE OR DELETE ON callers
	FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
`,
	// 4: writes held until an operator approves or rejects them.
	`
CREATE TABLE approvals (
	id          text COLLATE "C" NOT NULL,
	created_at  bigint,
	expires     bigint,
	caller      text NOT NULL,
	caller_name text NOT NULL,
	client      text NOT NULL,
	grant_id    text NOT NULL,
	grant_name  text NOT NULL,
	tool        text NOT NULL,
	operation   text NOT NULL,
	summary     text NOT NULL,
	digest      text NOT NULL,
	audit_id    text NOT NULL,
	status      text NOT NULL,
	decided_by  text NOT NULL,
	decided_at  bigint,
	CONSTRAINT "approvals.id" PRIMARY KEY (id)
);
CREATE INDEX approvals_created ON approvals (created_at, id);
CREATE INDEX approvals_status  ON approvals (status, created_at, id);
`,
}

// schemaVersion is the newest schema this build knows.
var schemaVersion = len(migrations)

// migrate brings the database up to schemaVersion in one transaction that
// holds an advisory lock, so that replicas starting together migrate one
// after the other: the second finds the work done. The lock's key is the
// schema's name, so that databases with several alter-mcp schemas (one per
// search_path) migrate each on its own.
func (s *Store) migrate(ctx context.Context) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('alter-mcp migrate ' || current_schema(), 0))`); err != nil {
			return fmt.Errorf("lock the schema for migration: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer NOT NULL PRIMARY KEY,
	applied_at bigint  NOT NULL
)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
			return fmt.Errorf("read the schema version: %w", err)
		}
		if v > schemaVersion {
			return fmt.Errorf("the database was migrated by a newer alter-mcp (schema %d, this build knows %d)", v, schemaVersion)
		}
		for ; v < schemaVersion; v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migrate to schema %d: %w", v+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
				v+1, time.Now().UnixNano()); err != nil {
				return fmt.Errorf("migrate to schema %d: %w", v+1, err)
			}
		}
		return nil
	})
}

// Version implements store.Versioned: the count of changes to grants and
// callers, one row read by primary key.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT version FROM data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the data version: %w", s.explain(err))
	}
	return v, nil
}
