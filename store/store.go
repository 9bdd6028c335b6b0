// Package store defines what alter-mcp keeps: grants, callers, audit records,
// rotation state, writes held for approval and a few settings. It holds interfaces, plain records and
// the registry that opens a store by URL (Open); store/sqlite is the
// embedded default and store/postgres the one many replicas share, and each
// registers its URL schemes when a program imports it. Everything
// backend-specific stays inside those packages, and store/storetest is the
// conformance suite that every backend must pass.
//
// The store never sees a secret in the clear: credentials arrive sealed by
// the vault, and caller API keys arrive as hashes.
//
// Every backend keeps values exactly as given: byte slices byte for byte (a
// nil and an empty slice are not told apart), and times to the nanosecond,
// returned in UTC, with the zero time staying zero. A time a backend cannot
// keep exactly is an error, never silently changed.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every backend returns (wrapped with context), so callers can use errors.Is.
var (
	// ErrNotFound: no record with that id or name.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique name or id is taken, or an update lost a race
	// (the record's Version changed since it was read).
	ErrConflict = errors.New("conflict")
)

// Grant is a stored grant. Sealed holds the credential secrets encrypted by
// the vault (AES-256-GCM, the grant id as additional data); the store treats
// it as opaque bytes.
type Grant struct {
	ID          string // "grt_…"
	Name        string // unique
	Description string
	// Source is where the credentials come from: "static", "profile",
	// "assume_role". SourceConfig is its non-secret configuration as JSON
	// (profile name, role ARN, source grant id, ...).
	Source       string
	SourceConfig []byte
	// AccessKeyID is the static key's id (not secret; shown by grant show).
	AccessKeyID string
	// Sealed is the sealed secret blob and KeyID names the master key that
	// sealed it (so a rekey can move secrets one by one).
	Sealed []byte
	KeyID  string
	// CredentialsExpire is when temporary static credentials (with a session
	// token) stop working; zero for long-term keys.
	CredentialsExpire time.Time
	Policy            []byte // policy.Policy as JSON
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Revoked           bool
	Expires           time.Time // zero: never
	// Version increases with every update; UpdateGrant fails with
	// ErrConflict when the stored Version is not the one passed in.
	Version int64
}

// Caller is someone who may use grants: an MCP client or a program. Only a
// hash of its API key is stored. A caller is known by its Name, which never
// changes.
type Caller struct {
	Name string // unique
	// KeyHash is the SHA-256 of the API key, unique among callers that have
	// one; empty for a caller without a key (such as the operator on stdio).
	KeyHash []byte
	// OAuthSubject maps OAuth access tokens to this caller: a token whose
	// sub is OAuthSubject, from OAuthIssuer, or from any issuer the server
	// trusts when OAuthIssuer is "". Empty for a caller known only by its
	// key. The pair is unique among callers that have a subject.
	OAuthIssuer  string
	OAuthSubject string
	Grants       []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Revoked      bool
	Version      int64
}

// AuditRecord is one row of the audit log as stored. The audit package owns
// its meaning: Data is the entry's canonical JSON, and Hash chains each
// record to the one before it. The indexed fields copy parts of Data so that
// queries need not parse it.
type AuditRecord struct {
	Seq       int64 // assigned by the store, increasing, starting at 1
	ID        string
	Time      time.Time
	Kind      string // "begin", "end", "interrupted", ... as the audit package defines
	EntryID   string // the entry this record belongs to (begin and end share it)
	Caller    string
	GrantID   string
	Tool      string
	Decision  string
	Operation string
	Data      []byte
	PrevHash  string
	Hash      string
}

// AuditHead is the newest record of the chain, or the zero value for an empty log.
type AuditHead struct {
	Seq  int64
	Hash string
}

// AuditQuery selects audit records; zero fields do not filter.
type AuditQuery struct {
	AfterSeq  int64     // records with Seq > AfterSeq
	Since     time.Time // records with Time >= Since
	Until     time.Time // records with Time < Until
	EntryID   string
	Kind      string
	Caller    string
	GrantID   string
	Tool      string
	Decision  string
	Operation string
	// Limit caps the number of records; 0 means no cap. With Newest set the
	// newest Limit records are returned, still in increasing Seq order.
	Limit  int
	Newest bool
}

// Rotation is the state of a key rotation in progress, so that a crash at
// any step can resume. Sealed holds the pending new secret, sealed like a
// grant's.
type Rotation struct {
	GrantID        string
	Step           string
	OldAccessKeyID string
	NewAccessKeyID string
	Sealed         []byte
	KeyID          string
	StartedAt      time.Time
	UpdatedAt      time.Time
}

// Approval is a write held until a person approves or rejects it: a call on
// a grant whose policy sets confirm_writes, from an MCP client that cannot
// ask its user. The server that holds the call waits for the approval's
// Status to leave ApprovalPending; an operator decides from the console or
// the command line, in the same process or another sharing the store.
type Approval struct {
	ID         string // "apr_…"
	CreatedAt  time.Time
	Expires    time.Time // the server stops waiting, and the approval expires
	Caller     string    // who asked: the vault caller, or "" for the operator
	CallerName string    // the session's name for the audit and the page
	Client     string    // the MCP client's name and version
	GrantID    string
	GrantName  string
	Tool       string
	Operation  string // "s3:PutObject"
	// Summary is what the approver is shown: method, redacted URL, headers,
	// the actions headers imply, body size and the agent's reason.
	Summary string
	// Digest binds the approval to the exact call (grant, method, URL,
	// headers, body): a held call is sent only if its digest is this one.
	Digest string
	// AuditID is the audit entry that records the call's outcome.
	AuditID   string
	Status    string // one of the Approval* statuses
	DecidedBy string // who decided: "alice (console)", "timeout", ...
	DecidedAt time.Time
}

// The statuses of an Approval. Only a pending approval can be decided; an
// approved one becomes sent once its call goes out, so it is used once.
const (
	ApprovalPending   = "pending"
	ApprovalApproved  = "approved"
	ApprovalRejected  = "rejected"
	ApprovalExpired   = "expired"
	ApprovalWithdrawn = "withdrawn" // the client gave up (cancelled the call, or the session ended)
	ApprovalSent      = "sent"
)

// ApprovalQuery selects approvals; zero fields do not filter.
type ApprovalQuery struct {
	Status string
	Limit  int // the newest Limit approvals; 0: no cap
}

// Store is a backend. All methods are safe for concurrent use, and every
// write is durable when the method returns.
type Store interface {
	CreateGrant(ctx context.Context, g *Grant) error // ErrConflict on a taken id or name; sets Version to 1
	GetGrant(ctx context.Context, id string) (*Grant, error)
	GetGrantByName(ctx context.Context, name string) (*Grant, error)
	ListGrants(ctx context.Context) ([]*Grant, error) // ordered by CreatedAt (zero first), then ID byte by byte
	// UpdateGrant replaces the grant whose ID and Version match g's and
	// increments g.Version; ErrNotFound when there is no such id,
	// ErrConflict when the version moved on or the new name is taken.
	UpdateGrant(ctx context.Context, g *Grant) error

	CreateCaller(ctx context.Context, c *Caller) error // ErrConflict on a taken name, key hash or OAuth issuer and subject; sets Version to 1
	GetCaller(ctx context.Context, name string) (*Caller, error)
	GetCallerByKeyHash(ctx context.Context, hash []byte) (*Caller, error) // an empty hash finds none
	// GetCallerByOAuthSubject finds the caller whose OAuthIssuer is issuer
	// (exactly: "" finds the callers of any issuer) and OAuthSubject is
	// subject; an empty subject finds none.
	GetCallerByOAuthSubject(ctx context.Context, issuer, subject string) (*Caller, error)
	ListCallers(ctx context.Context) ([]*Caller, error) // ordered by name, byte by byte
	// UpdateCaller replaces the caller whose Name and Version match c's and
	// increments c.Version; ErrNotFound when there is no such name,
	// ErrConflict when the version moved on or the new key hash or OAuth
	// subject is taken.
	UpdateCaller(ctx context.Context, c *Caller) error

	// AppendAudit appends records to the chain atomically. It calls build
	// with the current head while holding the chain's lock (no other append
	// runs in between, in this process or another sharing the store), stores
	// what build returns in order, assigns their Seq, and commits once:
	// one durable write for a whole batch. If build returns an error nothing
	// is stored and that error is returned.
	//
	// The i-th record returned gets Seq head.Seq+1+i (whatever build set),
	// so build may cover Seq in what it hashes. build runs inside the lock:
	// it must be quick and must not write to the store itself.
	AppendAudit(ctx context.Context, build func(head AuditHead) ([]AuditRecord, error)) ([]AuditRecord, error)
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error) // increasing Seq

	// PutRotation inserts or replaces the rotation of r.GrantID; ErrNotFound
	// when there is no grant with that id.
	PutRotation(ctx context.Context, r *Rotation) error
	GetRotation(ctx context.Context, grantID string) (*Rotation, error)
	DeleteRotation(ctx context.Context, grantID string) error // no error when absent

	// GetSetting and PutSetting keep small named values such as the
	// master-key check; GetSetting returns ErrNotFound when unset.
	GetSetting(ctx context.Context, name string) ([]byte, error)
	PutSetting(ctx context.Context, name string, value []byte) error
	// CreateSetting stores a value only if the name is unset, atomically:
	// ErrConflict when it is set (by this process or another), so that of
	// two processes making a value at once, exactly one wins.
	CreateSetting(ctx context.Context, name string, value []byte) error

	// CreateApproval stores a new approval; ErrConflict on a taken id.
	CreateApproval(ctx context.Context, a *Approval) error
	GetApproval(ctx context.Context, id string) (*Approval, error)
	// ListApprovals returns the approvals q selects, newest first (by
	// CreatedAt, then ID).
	ListApprovals(ctx context.Context, q ApprovalQuery) ([]*Approval, error)
	// MoveApproval changes the status of approval id from from to to, as
	// one atomic step, and returns the approval as it now is; with by set it
	// also records who decided and when (at). ErrNotFound when there is no
	// such approval, ErrConflict when its status is not from (another
	// process or replica moved it first): of two deciders, exactly one wins.
	MoveApproval(ctx context.Context, id, from, to, by string, at time.Time) (*Approval, error)

	Close() error
}

// Checker is implemented by backends that can say what they are connected
// to (server and schema versions, a round trip's time), for doctor; Check
// fails as the store's calls would, naming what to fix.
type Checker interface {
	Check(ctx context.Context) (string, error)
}

// Versioned is implemented by backends that count the changes made to
// grants and callers (policies live in grants), so that a reader can keep
// them in memory and ask, with one cheap query, whether anything changed
// since: the vault's cache (vault/cache.go). Version changes in the same
// transaction as every grant or caller change, by any process or replica
// sharing the store, and never goes back.
type Versioned interface {
	Version(ctx context.Context) (int64, error)
}
