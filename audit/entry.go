// Package audit records every call made through the vault, allowed or
// denied, in a hash-chained log kept in the store: who called, why, with
// which grant, which AWS operation, and what AWS answered (with its request
// id, to join CloudTrail). Entries are built only here.
//
// # Records and entries
//
// An entry (one call) is written as records: a begin record, committed
// before the call is sent, and an end record once its answer is complete.
// An entry whose end never came (the process died, or its response body
// was never closed) gets an interrupted record instead. Each record holds
// the whole entry as it stood when the record was written, so the newest
// record of an entry tells all of it; List, Follow and Export show each
// entry in that state (an end record wins over an interrupted one).
//
// # The chain
//
// Every record is chained to the one before it, across entries, processes
// and replicas (the store serializes appends):
//
//	hash = hex(HMAC-SHA256(key, prev_hash || canonical JSON of the record))
//
// where prev_hash is the previous record's hash in lower-case hex (empty
// for the first record), and the record's canonical JSON (RFC 8785, see
// CanonicalJSON) is the entry's fields plus seq (its place in the chain,
// from 1), kind (begin, end or interrupted), recorded_at and writer. The
// store keeps that JSON byte for byte as the record's Data. The key is the
// vault's audit key, so without it no one can forge a record that verifies;
// Verify walks the chain and names the first record that was changed,
// removed, inserted or reordered. Removing records from the end of the
// chain leaves nothing behind to notice; ship records elsewhere (a Sink)
// or keep the head that Verify reports to catch that.
//
// # Durability and group commit
//
// Begin returns once its record is committed: a call is never sent before
// its begin record is on disk. Records of concurrent calls are gathered
// and committed together, one transaction (and one fsync) for all that
// arrived while the previous one was being written.
package audit

import (
	"encoding/json"
	"time"
)

// Approval is a person's decision on one write of a confirm_writes grant.
type Approval struct {
	// ID is the held call's approval (apr_…), decided outside the MCP
	// client; "" when the client asked its user (elicitation).
	ID       string    `json:"id,omitempty"`
	Decision string    `json:"decision"` // approved | rejected | expired | withdrawn | declined
	By       string    `json:"by"`       // who: "alice (console)", "the user of claude-code/1.0", "timeout"
	Via      string    `json:"via"`      // elicitation | console | cli | url | timeout | client
	At       time.Time `json:"at,omitzero"`
}

// Entry is one audited call. JSON names are the public format of the trail.
type Entry struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Caller    string    `json:"caller,omitempty"`
	Client    string    `json:"client,omitempty"`
	SessionID string    `json:"session_id,omitempty"`
	// TokenIssuer, TokenSubject and TokenClientID name the OAuth access
	// token that authenticated Caller over HTTP (its iss, sub and client
	// id); the token itself is never recorded.
	TokenIssuer   string `json:"token_issuer,omitempty"`
	TokenSubject  string `json:"token_subject,omitempty"`
	TokenClientID string `json:"token_client_id,omitempty"`
	Tool          string `json:"tool,omitempty"`
	// File is the local file a tool uploaded from or saved the answer into,
	// relative to the server's files folder (serve --files-dir).
	File        string          `json:"file,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	Context     json.RawMessage `json:"context,omitempty"`
	GrantID     string          `json:"grant_id,omitempty"`
	GrantName   string          `json:"grant_name,omitempty"`
	Decision    string          `json:"decision"` // allow | deny
	Rule        string          `json:"rule,omitempty"`
	Service     string          `json:"service,omitempty"`
	Region      string          `json:"region,omitempty"`
	Operation   string          `json:"operation,omitempty"`
	EventSource string          `json:"event_source,omitempty"`
	Action      string          `json:"action,omitempty"`
	ReadOnly    bool            `json:"read_only"`
	// Inputs are what decided the operation, as sent: X-Amz-Target,
	// Action= in the query and in a form body, the x-amz-* headers that
	// change the operation or the resource (a copy source, an ACL,
	// tagging, object lock, a KMS key) and the Content-Type; values clipped
	// to 256 bytes. With them any refused or odd call can be reconstructed.
	Inputs        map[string]string `json:"inputs,omitempty"`
	Method        string            `json:"method,omitempty"`
	URL           string            `json:"url,omitempty"`      // redacted
	Endpoint      string            `json:"endpoint,omitempty"` // where it was sent, when routed elsewhere (AWS_ENDPOINT_URL)
	RequestBytes  int64             `json:"request_bytes"`
	RequestSHA    string            `json:"request_sha256,omitempty"`
	Status        int               `json:"status,omitempty"`
	RequestID     string            `json:"request_id,omitempty"`
	AmzID2        string            `json:"amz_id_2,omitempty"`
	ErrorCode     string            `json:"error_code,omitempty"`
	ErrorMessage  string            `json:"error_message,omitempty"`
	ResponseBytes int64             `json:"response_bytes"`
	DurationMS    int64             `json:"duration_ms"`
	Attempts      int               `json:"attempts,omitempty"` // requests sent, retries included
	Outcome       string            `json:"outcome,omitempty"`  // ok | aws_error | network_error | denied | interrupted | error
	// Expires is when a presigned URL or bearer token the call issued stops
	// working (operation Presign or IssueBearerToken); the URL or token
	// itself is never recorded.
	Expires time.Time `json:"expires,omitzero"`
	// AccessKeyID is the access key the request was signed with (a role
	// session's temporary key for a role grant), never the secret: what
	// CloudTrail names userIdentity.accessKeyId, so that every use of a key
	// joins its grant, the old keys of rotated grants included.
	AccessKeyID string `json:"access_key_id,omitempty"`
	// TraceID and SpanID name the OpenTelemetry trace of the call and the
	// span of the tool call that made it (W3C trace context, lower-case
	// hex), when the server traces: from a trace to its audit entry and
	// back.
	TraceID string `json:"trace_id,omitempty"`
	SpanID  string `json:"span_id,omitempty"`
	// Approval is who approved or refused a write on a confirm_writes
	// grant, and how; nil for calls that needed no one's word.
	Approval *Approval `json:"approval,omitempty"`

	// The Log sets the rest, for the record it writes (Begin and End set
	// them on the entry they are given) and for the entries it reads back.
	Seq        int64     `json:"seq,omitzero"`         // the record's place in the chain, from 1
	Kind       string    `json:"kind,omitempty"`       // begin | end | interrupted
	RecordedAt time.Time `json:"recorded_at,omitzero"` // when the record was written
	// Writer is the process that made the call, so that a later process
	// can tell a call that died with it from one still running elsewhere.
	Writer   *Writer `json:"writer,omitempty"`
	PrevHash string  `json:"prev_hash,omitempty"` // the hash of the record before
	Hash     string  `json:"hash,omitempty"`      // this record's hash
}

// Writer names a process that writes to the log.
type Writer struct {
	Host     string `json:"host"`
	PID      int    `json:"pid"`
	Instance string `json:"instance"` // random, one per open Log
}

// Decisions.
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
)

// Record kinds.
const (
	KindBegin       = "begin"
	KindEnd         = "end"
	KindInterrupted = "interrupted"
)

// Outcomes.
const (
	OutcomeOK           = "ok"
	OutcomeAWSError     = "aws_error"
	OutcomeNetworkError = "network_error"
	OutcomeDenied       = "denied"
	OutcomeInterrupted  = "interrupted"
	// OutcomeError: allowed, but the vault could not send it (it could not
	// decrypt the credentials or sign the request).
	OutcomeError = "error"
)
