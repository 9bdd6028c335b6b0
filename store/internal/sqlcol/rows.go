package sqlcol

import (
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// The columns of each table, in the order of its Dest (what a row scans
// into) and Args (what a row is written from). The key comes first.
const (
	GrantColumns = `id, name, description, source, source_config, access_key_id, sealed, key_id,
	credentials_expire, policy, created_at, updated_at, revoked, expires, version`
	CallerColumns   = `name, key_hash, grants, created_at, updated_at, revoked, version, oauth_issuer, oauth_subject`
	AuditColumns    = `seq, id, time, kind, entry_id, caller, grant_id, tool, decision, operation, data, prev_hash, hash`
	RotationColumns = `grant_id, step, old_access_key_id, new_access_key_id, sealed, key_id, started_at, updated_at`
	SettingColumns  = `name, value`
)

// Insert is the statement that adds a row of every one of columns to
// table, with placeholder(n) for the n-th argument (from 1).
func Insert(table, columns string, placeholder func(n int) string) string {
	return "INSERT INTO " + table + " (" + columns + ") VALUES (" + list(len(split(columns)), placeholder) + ")"
}

// Update is the optimistic update of a row of table: it sets every one of
// columns after the key, then takes the key and the version the row must
// still have (arguments as UpdateArgs orders them).
func Update(table, columns string, placeholder func(n int) string) string {
	cols := split(columns)
	set := make([]string, len(cols)-1)
	for i, c := range cols[1:] {
		set[i] = c + " = " + placeholder(i+1)
	}
	return "UPDATE " + table + " SET " + strings.Join(set, ", ") +
		" WHERE " + cols[0] + " = " + placeholder(len(cols)) + " AND version = " + placeholder(len(cols)+1)
}

// UpdateArgs are the arguments of Update from those of Insert (the key
// first) and the version the row must still have.
func UpdateArgs(args []any, version int64) []any {
	return append(append(args[1:len(args):len(args)], args[0]), version)
}

// Upsert is the statement that adds a row of every one of columns to
// table, or sets the columns after the key of the row whose key it has.
func Upsert(table, columns string, placeholder func(n int) string) string {
	cols := split(columns)
	set := make([]string, len(cols)-1)
	for i, c := range cols[1:] {
		set[i] = c + " = excluded." + c
	}
	return Insert(table, columns, placeholder) + " ON CONFLICT (" + cols[0] + ") DO UPDATE SET " + strings.Join(set, ", ")
}

func split(columns string) []string {
	cols := strings.Split(columns, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return cols
}

func list(n int, placeholder func(n int) string) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = placeholder(i + 1)
	}
	return strings.Join(ph, ", ")
}

// Encoder turns record fields into column values, keeping the first error.
type Encoder struct{ Err error }

// Time is t as unix nanoseconds, or NULL (nil) for the zero time. A time
// outside what an int64 of nanoseconds holds is an error naming field
// (see Nanos): storing it would change it.
func (e *Encoder) Time(field string, t time.Time) any {
	n, null, err := Nanos(field, t)
	if err != nil && e.Err == nil {
		e.Err = err
	}
	if null {
		return nil
	}
	return n
}

// Blob is b, or NULL when empty: nil and empty are the same to the store,
// and NULL keeps "no key" out of unique indexes.
func Blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// Row is a row to scan: database/sql's *Row and *Rows, and pgx's Row.
type Row interface{ Scan(dest ...any) error }

// ScanGrant reads a row of grants (GrantColumns).
func ScanGrant(row Row) (*store.Grant, error) {
	var g store.Grant
	if err := row.Scan(GrantDest(&g)...); err != nil {
		return nil, err
	}
	return &g, nil
}

// GrantDest are the scan targets of a row of grants into g.
func GrantDest(g *store.Grant) []any {
	return []any{&g.ID, &g.Name, &g.Description, &g.Source, &g.SourceConfig, &g.AccessKeyID,
		&g.Sealed, &g.KeyID, NullTime{&g.CredentialsExpire}, &g.Policy, NullTime{&g.CreatedAt},
		NullTime{&g.UpdatedAt}, &g.Revoked, NullTime{&g.Expires}, &g.Version}
}

// GrantArgs are g's columns as Insert takes them, with version as its
// version; an error names a time the store cannot keep.
func GrantArgs(g *store.Grant, version int64) ([]any, error) {
	var e Encoder
	args := []any{g.ID, g.Name, g.Description, g.Source, Blob(g.SourceConfig), g.AccessKeyID,
		Blob(g.Sealed), g.KeyID, e.Time("credentials expiry", g.CredentialsExpire), Blob(g.Policy),
		e.Time("created time", g.CreatedAt), e.Time("updated time", g.UpdatedAt),
		g.Revoked, e.Time("expiry", g.Expires), version}
	return args, e.Err
}

// CallerDest are the scan targets of a row of callers into c, with grants
// the target of its grants column: each engine keeps a list its own way.
func CallerDest(c *store.Caller, grants any) []any {
	return []any{&c.Name, &c.KeyHash, grants, NullTime{&c.CreatedAt}, NullTime{&c.UpdatedAt},
		&c.Revoked, &c.Version, &c.OAuthIssuer, NullString{&c.OAuthSubject}}
}

// CallerArgs are c's columns as Insert takes them, with version as its
// version and grants as the engine keeps c.Grants.
func CallerArgs(c *store.Caller, version int64, grants any) ([]any, error) {
	var e Encoder
	args := []any{c.Name, Blob(c.KeyHash), grants, e.Time("created time", c.CreatedAt),
		e.Time("updated time", c.UpdatedAt), c.Revoked, version, c.OAuthIssuer, NullIfEmpty(c.OAuthSubject)}
	return args, e.Err
}

// AuditDest are the scan targets of a row of audit into r.
func AuditDest(r *store.AuditRecord) []any {
	return []any{&r.Seq, &r.ID, NullTime{&r.Time}, &r.Kind, &r.EntryID, &r.Caller,
		&r.GrantID, &r.Tool, &r.Decision, &r.Operation, &r.Data, &r.PrevHash, &r.Hash}
}

// AuditArgs are r's columns as Insert takes them. r.Time becomes the time
// as stored, which is how ListAudit returns it.
func AuditArgs(r *store.AuditRecord) ([]any, error) {
	var e Encoder
	t := e.Time("time", r.Time)
	if e.Err != nil {
		return nil, e.Err
	}
	if t != nil {
		r.Time = time.Unix(0, t.(int64)).UTC()
	}
	return []any{r.Seq, r.ID, t, r.Kind, r.EntryID, r.Caller, r.GrantID, r.Tool, r.Decision,
		r.Operation, Blob(r.Data), r.PrevHash, r.Hash}, nil
}

// RotationDest are the scan targets of a row of rotations into r.
func RotationDest(r *store.Rotation) []any {
	return []any{&r.GrantID, &r.Step, &r.OldAccessKeyID, &r.NewAccessKeyID, &r.Sealed, &r.KeyID,
		NullTime{&r.StartedAt}, NullTime{&r.UpdatedAt}}
}

// RotationArgs are r's columns as Insert and Upsert take them.
func RotationArgs(r *store.Rotation) ([]any, error) {
	var e Encoder
	args := []any{r.GrantID, r.Step, r.OldAccessKeyID, r.NewAccessKeyID, Blob(r.Sealed), r.KeyID,
		e.Time("start time", r.StartedAt), e.Time("updated time", r.UpdatedAt)}
	return args, e.Err
}
