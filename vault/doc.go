// Package vault holds AWS credentials for agents that must never see them.
// An agent names a grant; the vault checks the call against the grant's
// policy, records it in the audit trail, signs it with SigV4 inside this
// process and sends it. Secrets are sealed at rest with AES-256-GCM under a
// master key and are never returned by any method, error or log line.
//
// The vault is a plain library: Request makes one call, HTTPClient gives a
// net/http client whose every request goes through the same pipeline, and
// AWSConfig gives an aws-sdk-go-v2 configuration so that SDK clients
// (s3.NewFromConfig) run through it too.
//
// # One call
//
//  1. parse the URL with urlparse: only AWS hosts (and endpoints the operator
//     configured) are signed for, never IP literals, userinfo or plain http;
//  2. resolve the grant (ErrGrantNotFound, ErrGrantRevoked, ErrGrantExpired)
//     and check the caller (ErrCallerNotFound, ErrCallerRevoked,
//     ErrCallerNotAllowed);
//  3. read the request as it goes on the wire (header names canonical,
//     values trimmed; a header net/http would refuse, or input over
//     MaxReasonBytes, MaxContextBytes, MaxURLBytes or MaxHeaderBytes, is
//     ErrInvalid), identify the operation with catalog, and evaluate the
//     grant's policy on it, on every action its headers imply
//     (catalog.HeaderActions: a copy source, an ACL, a KMS key), and on the
//     opt-ins (issuing credentials, hosts anyone can own); then refuse a
//     request that is not exactly one known operation (RuleUnidentified) or
//     whose deciding header cannot be read (RuleHeader); then the rate
//     limits, which refused calls count against too. A denial is audited,
//     with the inputs that decided the operation, and returned as
//     *DeniedError; nothing is sent;
//  4. write the audit begin record; if that fails nothing is sent (ErrAudit);
//  5. decrypt the credentials, sign (SigV4, or SigV4a for multi-region
//     endpoints) and send, retrying throttling and server errors of
//     idempotent calls with exponential backoff and full jitter;
//  6. return the response as it streams; the audit end record is written
//     when its body reaches EOF or is closed. The grant's own secret key and
//     session token are masked in the body, in every form AWS echoes them
//     (plain, hex, spaced hex, base64, URL-escaped), and so are credentials
//     in an answer (SecretAccessKey, SessionToken) unless the grant may
//     issue them; S3 objects are left whole but for the grant's own
//     secrets. Masks keep the length.
//
// AWS error answers (403 AccessDenied, 400 ValidationException, ...) are
// responses, not Go errors. Redirects are never followed: a 3xx is returned
// as the response.
//
// # Request bodies
//
// A body in memory (Call.Body, Call.JSON, or a stream of at most 1 MiB, which
// is read into memory) is hashed into the signature and can be replayed for
// retries. A longer stream of known length is sent without being held in
// memory:
//
//   - to S3, as aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) with every
//     64 KiB chunk signed, so that the signature covers the body in constant
//     memory, over https as over plain http;
//   - to other services, hashed first when it can be replayed (an
//     io.ReadSeeker, or a request with GetBody), else read into memory up to
//     32 MiB, since their signatures must cover the body.
//
// A stream of unknown length is read into memory, up to 32 MiB, and so is
// every body for a service that answers a query protocol (STS, IAM, EC2,
// SQS, ...), whose Action may be in the body: the policy must see it, however
// long the body. Only bodies that can be replayed are retried.
//
// # Endpoint routing
//
// AWS_ENDPOINT_URL_<SERVICE> (the service id upper-cased, spaces as
// underscores: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME) and then AWS_ENDPOINT_URL, read through
// Options.Getenv and never from a call, send requests for AWS hosts to
// another endpoint (an emulator such as moto or LocalStack). The request is
// still checked and signed for the region and service of the original URL,
// and S3 switches to path style there. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
// turns this off, as in the AWS SDKs.
//
// # Credential sources
//
// A grant's credentials are a static access key sealed in the store
// (GrantSpec.Static), an AWS profile resolved as the AWS CLI resolves it in
// the process that signs (GrantSpec.Profile; nothing secret is stored), or
// a role assumed with another grant's credentials (GrantSpec.AssumeRole;
// cached until five minutes before expiry, one STS call for many
// concurrent requests, stopped at once when the source grant is revoked).
//
// # Keys over time
//
// Rotate replaces a static grant's access key through IAM with its own
// key, in named steps that resume after a crash; the grant id stays.
// Rekey re-seals every secret under a new master key, the old one opening
// what it sealed until the last secret has moved. KeyInfo asks IAM for a
// key's age and last use, CheckGrant asks STS who a grant is (for doctor).
//
// # Issuing instead of calling
//
// Token makes short-term bearer tokens (Amazon Bedrock API keys, AWS
// External Anthropic tokens) and Presign makes presigned URLs, under the
// grant's policy (deny_presign; read-only grants presign only reads), with
// an audit entry that records the expiry and never the secret.
package vault
