// Package policy says what a grant may do. A Policy lists allowed and denied
// services, regions, methods, IAM actions, hosts and paths, and adds
// read-only, required reasons, body limits, rate limits and a validity
// window. Evaluate decides one call: allow, or deny with the rule that
// decided, so that both the audit trail and the agent can see why.
//
// Deny wins over allow; an empty allow list allows everything.
package policy

import (
	"time"
)

// Policy is a grant's policy. Its zero value allows every call. It is stored
// as JSON with these field names.
type Policy struct {
	AllowServices []string `json:"allow_services,omitempty"`
	DenyServices  []string `json:"deny_services,omitempty"`
	AllowRegions  []string `json:"allow_regions,omitempty"`
	DenyRegions   []string `json:"deny_regions,omitempty"`
	AllowMethods  []string `json:"allow_methods,omitempty"`
	DenyMethods   []string `json:"deny_methods,omitempty"`
	// AllowActions and DenyActions are IAM actions with wildcards, matched
	// case-insensitively: "s3:Get*", "dynamodb:*", "*".
	AllowActions []string `json:"allow_actions,omitempty"`
	DenyActions  []string `json:"deny_actions,omitempty"`
	// Hosts and paths are globs: '*' matches within one DNS label or path
	// segment, '**' across them.
	AllowHosts []string `json:"allow_hosts,omitempty"`
	DenyHosts  []string `json:"deny_hosts,omitempty"`
	AllowPaths []string `json:"allow_paths,omitempty"`
	DenyPaths  []string `json:"deny_paths,omitempty"`

	// ReadOnly allows only operations the catalog knows to be read-only; an
	// unknown operation is denied.
	ReadOnly bool `json:"read_only,omitempty"`
	// RequireReason denies calls without a non-blank reason.
	RequireReason bool `json:"require_reason,omitempty"`
	// MaxBodyBytes caps the request body; 0 means no cap.
	MaxBodyBytes int64 `json:"max_body_bytes,omitempty"`
	// Rate limits calls through this grant, and CallerRate the calls of each
	// caller through it (token buckets).
	Rate       *Rate `json:"rate,omitempty"`
	CallerRate *Rate `json:"caller_rate,omitempty"`
	// NotBefore and Expires bound when the grant may be used; nil: unbounded.
	NotBefore *time.Time `json:"not_before,omitempty"`
	Expires   *time.Time `json:"expires,omitempty"`
	// ConfirmWrites asks the user before every call that is not read-only
	// (through MCP elicitation, where the client supports it).
	ConfirmWrites bool `json:"confirm_writes,omitempty"`
	// DenyPresign forbids presigned URLs and bearer tokens from this grant.
	DenyPresign bool `json:"deny_presign,omitempty"`
}

// Rate is a token bucket: PerSecond tokens are added each second, up to Burst.
type Rate struct {
	PerSecond float64 `json:"per_second"`
	Burst     int     `json:"burst"`
}

// Input describes one call for Evaluate.
type Input struct {
	// Services names the call's service every way a policy may: the IAM
	// action prefix ("s3"), the signing name ("bedrock"), the endpoint prefix
	// ("bedrock-runtime") and the catalog's service name. An allow or deny
	// entry matches when it equals any of them.
	Services []string
	Region   string // the signing region; "" for SigV4a or unknown
	Method   string
	Host     string
	Path     string // the URL's path, decoded
	// Action is the IAM action ("s3:GetObject"); "" when the operation is unknown.
	Action   string
	ReadOnly bool // the catalog's read-only flag (false when unknown)
	Reason   string
	// BodyBytes is the request body's length; -1 when not known in advance.
	BodyBytes int64
	Caller    string
	Time      time.Time
	Presign   bool // the call issues a presigned URL or bearer token
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Allow bool
	// Rule names what decided a denial, stable for machines:
	// "deny_services", "allow_regions", "read_only", "require_reason",
	// "max_body_bytes", "rate", "caller_rate", "not_before", "expires", ...
	Rule string
	// Message says why, for a person or an agent, and what to do.
	Message string
}
