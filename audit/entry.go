// Package audit records every call made through the vault, allowed or
// denied, in a hash-chained log kept in the store: who called, why, with
// which grant, which AWS operation, and what AWS answered (with its request
// id, to join CloudTrail). Entries are built only here.
package audit

import (
	"encoding/json"
	"time"
)

// Entry is one audited call. JSON names are the public format of the trail.
type Entry struct {
	ID            string          `json:"id"`
	Time          time.Time       `json:"time"`
	Caller        string          `json:"caller,omitempty"`
	Client        string          `json:"client,omitempty"`
	SessionID     string          `json:"session_id,omitempty"`
	Tool          string          `json:"tool,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	Context       json.RawMessage `json:"context,omitempty"`
	GrantID       string          `json:"grant_id,omitempty"`
	GrantName     string          `json:"grant_name,omitempty"`
	Decision      string          `json:"decision"` // allow | deny
	Rule          string          `json:"rule,omitempty"`
	Service       string          `json:"service,omitempty"`
	Region        string          `json:"region,omitempty"`
	Operation     string          `json:"operation,omitempty"`
	EventSource   string          `json:"event_source,omitempty"`
	Action        string          `json:"action,omitempty"`
	ReadOnly      bool            `json:"read_only"`
	Method        string          `json:"method,omitempty"`
	URL           string          `json:"url,omitempty"`      // redacted
	Endpoint      string          `json:"endpoint,omitempty"` // where it was sent, when routed elsewhere (AWS_ENDPOINT_URL)
	RequestBytes  int64           `json:"request_bytes"`
	RequestSHA    string          `json:"request_sha256,omitempty"`
	Status        int             `json:"status,omitempty"`
	RequestID     string          `json:"request_id,omitempty"`
	AmzID2        string          `json:"amz_id_2,omitempty"`
	ErrorCode     string          `json:"error_code,omitempty"`
	ErrorMessage  string          `json:"error_message,omitempty"`
	ResponseBytes int64           `json:"response_bytes"`
	DurationMS    int64           `json:"duration_ms"`
	Attempts      int             `json:"attempts,omitempty"` // requests sent, retries included
	Outcome       string          `json:"outcome,omitempty"`  // ok | aws_error | network_error | denied | interrupted | error
	PrevHash      string          `json:"prev_hash,omitempty"`
	Hash          string          `json:"hash,omitempty"`
}

// Decisions.
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
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
