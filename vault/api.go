package vault

// API skeleton: the types and signatures the CLI and tools code against.
// Bodies marked "not implemented" are being filled in.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Options configure Open. Zero fields take their defaults from the
// environment (Getenv) and then from built-in defaults.
type Options struct {
	// Home is the folder for the store and master key (0700):
	// ALTER_MCP_HOME, else $XDG_DATA_HOME/alter-mcp, else ~/.local/share/alter-mcp.
	Home string
	// Store is the store DSN: ALTER_MCP_STORE, else sqlite://<home>/alter.db.
	Store string
	// MasterKey is the 32-byte master key: ALTER_MCP_MASTER_KEY (base64),
	// else <home>/master.key, created 0600 on first use.
	MasterKey []byte
	// Custom endpoints the operator configured (emulators, proxies).
	Custom []urlparse.Custom
	// Transport sends requests; nil means a tuned http.Transport.
	Transport http.RoundTripper
	// Auditor records every call; nil means the built-in store recorder.
	Auditor Auditor
	Logger  *slog.Logger
	// Getenv reads the environment (ALTER_MCP_*, AWS_ENDPOINT_URL*); nil: os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// StaticCredentials are an access key, optionally temporary.
type StaticCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time // zero for long-term keys
}

// GrantSpec describes a new grant.
type GrantSpec struct {
	Name        string
	Description string
	Static      *StaticCredentials
	Policy      policy.Policy
	Expires     time.Time // zero: never
}

// Grant is what the vault tells about a grant. It never holds a secret.
type Grant struct {
	ID                string        `json:"grant_id"`
	Name              string        `json:"name"`
	Description       string        `json:"description,omitempty"`
	Source            string        `json:"source"`
	AccessKeyID       string        `json:"access_key_id,omitempty"`
	HasSessionToken   bool          `json:"has_session_token,omitempty"`
	CredentialsExpire time.Time     `json:"credentials_expire,omitzero"`
	Policy            policy.Policy `json:"policy"`
	CreatedAt         time.Time     `json:"created_at"`
	UpdatedAt         time.Time     `json:"updated_at"`
	Expires           time.Time     `json:"expires,omitzero"`
	Revoked           bool          `json:"revoked,omitempty"`
}

// Caller is someone who may use grants. Its API key is shown once, by AddCaller.
type Caller struct {
	Name      string    `json:"name"`
	Grants    []string  `json:"grants"`
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// Call is one AWS request made through the vault.
type Call struct {
	Method string // default GET
	URL    string
	Grant  string // grant id or name
	Header http.Header
	// Query is added to the URL's own query (values appended, not replaced).
	Query map[string][]string
	// Body is the request body: Body, or BodyReader with BodyLength (-1:
	// unknown), or JSON marshalled with Content-Type application/json when
	// none is set. At most one of the three.
	Body       []byte
	BodyReader io.Reader
	BodyLength int64
	JSON       any
	Reason     string
	Context    map[string]any
	// Caller is who makes the call, as the transport established it. A
	// registered caller may use only its grants; "" is the operator.
	Caller string
	// Tool, Client and SessionID are recorded in the audit (MCP tool name,
	// MCP client name/version, MCP session).
	Tool      string
	Client    string
	SessionID string
	Timeout   time.Duration // whole call including retries; 0: none beyond ctx
}

// ClientOptions apply to every request of an HTTPClient or AWSConfig.
type ClientOptions struct {
	Caller  string
	Reason  string
	Context map[string]any
	Tool    string
	Timeout time.Duration // per request
}

// Errors, checked with errors.Is; denials are *DeniedError (errors.As).
var (
	ErrGrantNotFound    = errors.New("grant not found")
	ErrGrantRevoked     = errors.New("grant revoked")
	ErrGrantExpired     = errors.New("grant expired")
	ErrCallerNotFound   = errors.New("caller not found")
	ErrCallerRevoked    = errors.New("caller revoked")
	ErrCallerNotAllowed = errors.New("caller may not use this grant")
	ErrNotAWS           = errors.New("not an AWS URL")
	ErrCredentials      = errors.New("credentials unusable")
	ErrWrongMasterKey   = errors.New("wrong master key")
	ErrAudit            = errors.New("audit record could not be written")
	ErrInvalid          = errors.New("invalid request")
)

// DeniedError is a call the grant's policy refused; nothing was sent.
type DeniedError struct {
	Grant    string
	Decision policy.Decision
}

func (e *DeniedError) Error() string {
	return "denied by grant " + e.Grant + " (" + e.Decision.Rule + "): " + e.Decision.Message
}

// Auditor records calls: Begin before anything is sent (an error stops the
// call), End after the answer. The audit package implements it.
type Auditor interface {
	Begin(ctx context.Context, e *audit.Entry) error
	End(ctx context.Context, e *audit.Entry) error
}

// Vault holds grants and callers and makes calls with them. It is safe for
// concurrent use.
type Vault struct {
	// filled in by vault.go
}

// Method signatures (bodies in vault.go and friends):
//
//	func Open(ctx context.Context, o Options) (*Vault, error)
//	func (v *Vault) Close() error
//	func (v *Vault) AddGrant(ctx context.Context, s GrantSpec) (Grant, error)
//	func (v *Vault) Grant(ctx context.Context, idOrName string) (Grant, error)
//	func (v *Vault) Grants(ctx context.Context) ([]Grant, error)
//	func (v *Vault) UpdateCredential(ctx context.Context, idOrName string, c StaticCredentials) error
//	func (v *Vault) SetPolicy(ctx context.Context, idOrName string, p policy.Policy) error
//	func (v *Vault) RevokeGrant(ctx context.Context, idOrName string) error
//	func (v *Vault) AddCaller(ctx context.Context, name string, grants []string) (Caller, string, error) // the API key, shown once
//	func (v *Vault) Callers(ctx context.Context) ([]Caller, error)
//	func (v *Vault) RevokeCaller(ctx context.Context, name string) error
//	func (v *Vault) Authenticate(ctx context.Context, apiKey string) (Caller, error)
//	func (v *Vault) Request(ctx context.Context, c Call) (*http.Response, error)
//	func (v *Vault) HTTPClient(grant string, o ClientOptions) *http.Client
//	func (v *Vault) AWSConfig(ctx context.Context, grant, region string, o ClientOptions) (aws.Config, error)
