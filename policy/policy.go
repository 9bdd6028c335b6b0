// Package policy says what a grant may do. A Policy lists allowed and denied
// services, regions, methods, IAM actions, hosts and paths, and adds
// read-only, required reasons, body limits, rate limits, a validity window,
// and what a grant must opt in to: operations that issue credentials, and
// hosts anyone can own. Evaluate decides one call: allow, or deny with the
// rule that decided, so that both the audit trail and the agent can see why.
//
// # Rules
//
// Deny wins over allow; an empty allow list allows everything. An entry
// matches when:
//
//   - services: it equals, case-insensitively, any name of the call's
//     service in Input.Services (IAM prefix "bedrock", signing name, endpoint
//     prefix "bedrock-runtime", catalog service name). No wildcards.
//   - regions: it matches Input.Region (the signing region) as a glob,
//     case-insensitively: "us-east-1", "eu-*". A call with no single region
//     (SigV4a, whose region set may name any region) is denied by every
//     deny_regions list and allowed by allow_regions only through "*".
//   - methods: it equals the HTTP method, case-insensitively.
//   - actions: it matches the IAM action like IAM does: "s3:GetObject",
//     "s3:Get*", "s3:Get?bject", "*", case-insensitively. A call the catalog
//     did not identify (Input.Action "") cannot be shown to match a name, nor
//     not to: it is denied by a non-empty allow_actions list unless the list
//     holds "*", and by every deny_actions entry of its service ("*",
//     "s3:*", and "s3:DeleteBucket" too, for any S3 request).
//   - hosts: it matches Input.Host as a glob, case-insensitively, where '*'
//     stays within one DNS label and '**' spans labels: "*.s3.us-east-1.amazonaws.com",
//     "**.amazonaws.com" (which also matches "amazonaws.com").
//   - paths: it matches Input.Path (decoded) as a glob, case-sensitively,
//     where '*' stays within one segment and '**' spans segments:
//     "/reports/*.csv", "/my-bucket/**" (which also matches "/my-bucket").
//     A path with "." or ".." segments or repeated slashes is matched both
//     as sent and cleaned, since a server may read it either way:
//     deny_paths deny when either form matches, allow_paths allow only when
//     both do.
//   - issue_credentials: a call whose operation hands out credentials,
//     tokens or signed URLs (Input.IssuesCredentials: sts:GetSessionToken,
//     iam:CreateAccessKey, ecr:GetAuthorizationToken, ...) is denied unless
//     it is set, and always on a read_only grant: whoever reads the answer
//     can use AWS without the vault.
//   - allow_customer_hosts: a call to a host anyone can own
//     (Input.CustomerHost: Lambda function URLs, API Gateway, AppSync,
//     OpenSearch domains, ...; see urlparse.Endpoint.CustomerOwned) is
//     denied unless an entry matches its host, as a host glob
//     ("**.execute-api.us-east-1.amazonaws.com"). Whoever made such a host
//     runs the code behind it and sees the signed request, session token
//     included; allow_hosts alone never opens one.
//
// In every glob '?' matches one character (not a separator) and nothing
// else is special.
//
// # Paths of S3 and Lambda
//
// For S3 requests that name a bucket, InputFor gives the path in path
// style, "/BUCKET/KEY", whether the URL was virtual-hosted or path-style, so
// "/my-bucket/private/**" covers both. Some requests reach a bucket through
// something that may front any bucket its owner chose, which the vault
// cannot see; InputFor names that thing in Input.Via and gives the path
// "/VIA/KEY":
//
//	accesspoint:NAME-ACCOUNT        an access point (NAME-ACCOUNT.s3-accesspoint.REGION...)
//	alias:ALIAS                     an access point alias used as a bucket name
//	                                (...-s3alias, ...--ol-s3, ...--op-s3, ...--table-s3)
//	mrap:ALIAS                      a Multi-Region Access Point (ALIAS.mrap.accesspoint.s3-global...)
//	object-lambda:NAME-ACCOUNT      an Object Lambda access point (object-lambda:ROUTE for
//	                                WriteGetObjectResponse's host), before its own path
//	outposts:NAME-ACCOUNT.OUTPOST   an S3 on Outposts access point (or alias) host
//	s3-control:ACCOUNT              S3 Control, before its own path ("/s3-control:123456789012/v20180820/...";
//	                                "s3-control:" when the account is in a header)
//	lambda:FUNCTION                 a Lambda function named in a form InputFor does not map
//
// A copy source named by access point ARN (InputForImplied) gets the Via of
// the same access point called by its host. Every Via begins with a word
// and a colon, which no bucket name holds, so a Via path is never a
// bucket's. When the policy has path rules (allow_paths or deny_paths), a
// call with a Via is refused (rule allow_paths) unless an allow_paths entry
// names the Via literally, as its first segment: "/accesspoint:reports-123456789012/**",
// never through a wildcard ("/**" and "/accesspoint:*/**" do not). A grant
// that denies one bucket with deny_paths and should still use an access
// point lists allow_paths "/**" and "/accesspoint:NAME-ACCOUNT/**". deny_paths
// apply to a Via path as to any other. Host rules are not bucket rules: S3
// answers for any bucket at s3.REGION.amazonaws.com; name buckets with paths.
//
// For the Lambda API, InputFor gives /VERSION/functions/FUNCTION/... with
// the function's bare name, however the request names it: "my-fn",
// "my-fn:PROD", "123456789012:function:my-fn", or
// "arn:aws:lambda:REGION:123456789012:function:my-fn:PROD" (after cleaning
// the path's dot segments), so that "/*/functions/my-fn/**" covers them all.
// An ARN of another region than the endpoint's, or a name of none of these
// forms, is left as sent and gets the Via "lambda:FUNCTION". A path names a
// function but not its account: a function of the same name in another
// account is reachable only if that function's resource policy allows this
// grant's identity, which only IAM can enforce.
//
// # Header-borne actions
//
// Some headers make AWS run actions beyond the operation's own
// (catalog.HeaderActions): a copy source is read with s3:GetObject, an ACL
// header sets an ACL, a KMS key header uses the key. EvaluateImplied judges
// each as a call of its own, described by InputForImplied: the implied
// action, on the copy source's path, in its ARN's region, with the service
// names of the action's prefix. A read-only grant refuses an implied write;
// a grant whose allow_services omit "kms" refuses a KMS key header.
//
// # Order
//
// Evaluate checks in this fixed order and reports the first rule that
// denies:
//
//  1. the validity window: not_before, expires;
//  2. deny lists: deny_services, deny_regions, deny_methods, deny_actions,
//     deny_hosts, deny_paths, then deny_presign;
//  3. opt-ins: issue_credentials, then allow_customer_hosts;
//  4. allow lists, in the same order: allow_services, allow_regions,
//     allow_methods, allow_actions, allow_hosts, allow_paths (with the
//     refusal of a Via that no allow_paths entry names);
//  5. read_only, then require_reason, then max_body_bytes.
//
// What an agent cannot change comes first and what it can fix (a reason, a
// smaller body) last, so an agent is never asked to fix a call that would
// then be refused for another reason. Within a group, the broader rule
// (service) is reported before the narrower one (path). The opt-ins come
// before the allow lists because no allow list grants them: allow_actions
// "*" does not issue credentials and allow_hosts "**" does not open a
// customer host, so they are the first thing an operator must change.
//
// # Limits Evaluate does not apply
//
// Evaluate is pure: it reads no clock (Input.Time is the time of the call)
// and keeps no state. Rate and CallerRate are applied by a Limiter, after
// Evaluate allows. A body whose length is not known in advance
// (Input.BodyBytes -1) passes max_body_bytes in Evaluate; the caller must
// enforce the cap while streaming it, with LimitBody. ConfirmWrites is
// carried for the caller, which asks the user before calls that are not
// read-only; Evaluate does not act on it.
//
// The package depends only on the standard library, urlparse and catalog.
package policy

import (
	"time"
)

// Policy is a grant's policy. Its zero value allows every call. It is stored
// as JSON with these field names.
type Policy struct {
	// Services are names of a service, matched exactly (case-insensitive)
	// against every name the call's service has: "s3", "bedrock",
	// "bedrock-runtime".
	AllowServices []string `json:"allow_services,omitempty"`
	DenyServices  []string `json:"deny_services,omitempty"`
	// Regions are globs over the signing region: "us-east-1", "eu-*".
	AllowRegions []string `json:"allow_regions,omitempty"`
	DenyRegions  []string `json:"deny_regions,omitempty"`
	// Methods are HTTP methods, case-insensitive: "GET", "head".
	AllowMethods []string `json:"allow_methods,omitempty"`
	DenyMethods  []string `json:"deny_methods,omitempty"`
	// AllowActions and DenyActions are IAM actions with wildcards, matched
	// case-insensitively: "s3:Get*", "dynamodb:*", "*".
	AllowActions []string `json:"allow_actions,omitempty"`
	DenyActions  []string `json:"deny_actions,omitempty"`
	// Hosts and paths are globs: '*' matches within one DNS label or path
	// segment, '**' across them (see the package documentation).
	AllowHosts []string `json:"allow_hosts,omitempty"`
	DenyHosts  []string `json:"deny_hosts,omitempty"`
	AllowPaths []string `json:"allow_paths,omitempty"`
	DenyPaths  []string `json:"deny_paths,omitempty"`

	// ReadOnly allows only operations the catalog knows to be read-only; an
	// unknown operation is denied.
	ReadOnly bool `json:"read_only,omitempty"`
	// RequireReason denies calls without a non-blank reason.
	RequireReason bool `json:"require_reason,omitempty"`
	// MaxBodyBytes caps the request body; 0 means no cap. Evaluate checks
	// a length known in advance; a streamed body is capped with LimitBody.
	MaxBodyBytes int64 `json:"max_body_bytes,omitempty"`
	// Rate limits calls through this grant, and CallerRate the calls of each
	// caller through it (token buckets). A Limiter applies them; Evaluate
	// does not.
	Rate       *Rate `json:"rate,omitempty"`
	CallerRate *Rate `json:"caller_rate,omitempty"`
	// NotBefore and Expires bound when the grant may be used: from
	// NotBefore (inclusive) until Expires (exclusive); nil: unbounded.
	NotBefore *time.Time `json:"not_before,omitempty"`
	Expires   *time.Time `json:"expires,omitempty"`
	// ConfirmWrites asks the user before every call that is not read-only
	// (through MCP elicitation, where the client supports it). Evaluate
	// only carries it: the caller asks.
	ConfirmWrites bool `json:"confirm_writes,omitempty"`
	// DenyPresign forbids presigned URLs and bearer tokens from this grant.
	DenyPresign bool `json:"deny_presign,omitempty"`
	// IssueCredentials allows AWS operations that return credentials,
	// tokens or signed URLs (catalog.Operation.IssuesCredentials:
	// sts:GetSessionToken, iam:CreateAccessKey, ...). Off by default: whoever
	// reads such an answer can use AWS without the vault. A read-only grant
	// never issues them.
	IssueCredentials bool `json:"issue_credentials,omitempty"`
	// AllowCustomerHosts are host globs of hosts that anyone can own
	// (Lambda function URLs, API Gateway, AppSync, OpenSearch, IoT data:
	// urlparse.Endpoint.CustomerOwned) that this grant may call. Such a
	// host runs code of whoever made it, who then sees the signed request;
	// calls to one are refused unless it is named here. Validate refuses a
	// glob of wildcards alone ("**"), which would name every account's.
	AllowCustomerHosts []string `json:"allow_customer_hosts,omitempty"`
}

// Rate is a token bucket: PerSecond tokens are added each second, up to
// Burst, and each call takes one. PerSecond must be above 0 and Burst at
// least 1; 0.5 with burst 1 is one call every two seconds.
type Rate struct {
	PerSecond float64 `json:"per_second"`
	Burst     int     `json:"burst"`
}

// Input describes one call for Evaluate. InputFor fills what the URL and the
// catalog say; the caller adds Reason, BodyBytes, Caller, Time and Presign.
type Input struct {
	// Services names the call's service every way a policy may: the IAM
	// action prefix ("s3"), the signing name ("bedrock"), the endpoint prefix
	// ("bedrock-runtime") and the catalog's service name. An allow or deny
	// entry matches when it equals any of them.
	Services []string
	Region   string // the signing region; "" for SigV4a or unknown
	Method   string
	Host     string
	Path     string // the URL's path, decoded (URL.Path)
	// Action is the IAM action ("s3:GetObject"); "" when the operation is unknown.
	Action   string
	ReadOnly bool // the catalog's read-only flag (false when unknown)
	Reason   string
	// BodyBytes is the request body's length; -1 (any negative) when not
	// known in advance.
	BodyBytes int64
	Caller    string
	// Time is when the call is made. It must be set when the policy has
	// NotBefore or Expires: a zero Time is then denied.
	Time    time.Time
	Presign bool // the call issues a presigned URL or bearer token
	// IssuesCredentials: the operation returns credentials, tokens or
	// signed URLs (catalog.Operation.IssuesCredentials).
	IssuesCredentials bool
	// CustomerHost: the host is one anyone can own
	// (urlparse.Endpoint.CustomerOwned).
	CustomerHost bool
	// Via names what an S3 request reaches its bucket through when the vault
	// cannot know which bucket that is: an access point, an access point
	// alias, a Multi-Region Access Point, an Object Lambda access point, an
	// S3 on Outposts access point, or S3 Control; or a Lambda function named
	// in a form InputFor does not map. It is "KIND:NAME"
	// ("accesspoint:reports-123456789012"; the package documentation lists
	// the kinds), and Path begins with it: "/accesspoint:reports-123456789012/KEY".
	// Path rules refuse such a call unless an allow_paths entry names it
	// literally. Empty for a bucket or function named directly.
	Via string
	// Header is, for an Input that judges an action implied by a header
	// (InputForImplied), that header's name.
	Header string
}

// Decision is the outcome of Evaluate or Limiter.Allow.
type Decision struct {
	Allow bool
	// Rule names what decided a denial, stable for machines: the JSON name
	// of the policy field ("deny_services", "allow_regions", "read_only",
	// "require_reason", "max_body_bytes", "not_before", "expires",
	// "deny_presign", "issue_credentials", "allow_customer_hosts", ...), or
	// "rate" and "caller_rate" from a Limiter.
	// Empty when Allow is true.
	Rule string
	// Message says why, for a person or an agent, and what to do. Empty
	// when Allow is true.
	Message string
	// RetryAfter is, for "rate" and "caller_rate", how long until the same
	// call would be allowed (if nothing else uses the tokens first).
	RetryAfter time.Duration
}
