// Package catalog knows the AWS operations: it tells, from a request, which
// operation it is (s3 GetObject), the IAM action that authorizes it
// (s3:GetObject), its CloudTrail event source, and whether it is read-only.
// It also lists services and searches their operations for tools.
//
// The table is generated from botocore's service models (go generate runs
// ./internal/gen, which reads the JSON files; no Python at build time) and is
// embedded compressed (catalog.tsv.gz). It is decoded on first use into
// per-service indexes, so that Identify is a few map lookups and a scan of
// one service's precomputed URI templates.
//
// # Identifying a request
//
// Identify takes what urlparse says about the host and the request line:
//
//   - query protocols (query, ec2): Action= in the query string or in a
//     form-urlencoded body (STS, IAM, EC2, and SQS and CloudWatch, which
//     still answer it).
//   - JSON protocols: X-Amz-Target "Prefix.Operation" (DynamoDB_20120810.GetItem).
//   - Smithy RPC v2 CBOR: POST .../service/NAME/operation/OPERATION (CloudWatch).
//   - REST protocols (rest-xml, rest-json): method plus URI template. The most
//     specific template wins: more literal path segments, then literal
//     segments further left, then more literal query keys (S3 ?acl, ?uploads,
//     ?list-type=2); operations that share a template are told apart by their
//     required query and header members (S3 PutObject, UploadPart,
//     UploadPartCopy and CopyObject). S3 requests addressed virtual-hosted or
//     through an access point are matched as if path-style.
//
// # Refusing to guess
//
// Identify fails closed. The vault judges the operation Identify names, and
// AWS executes the whole request: a request AWS could read as another
// operation, or as two, is not identified, and Operation.Unidentified says
// why in a short sentence (the values the request carries are quoted and
// clipped). Such a request is:
//
//   - for an unknown service, or with signals that disagree: two different
//     operations named by Action, X-Amz-Target or the path; or one signal
//     naming an operation while another, of a protocol the service answers,
//     names none.
//   - X-Amz-Target: more than one value, even equal ones (under any
//     spelling of the header name), or a value that is not exactly
//     "Prefix.Operation" of the service. Only the spaces and tabs around the
//     value are trimmed, as HTTP does on the wire; letter case counts.
//   - Action= of the query protocols: named in both the query string and a
//     form body (even with the same value), twice anywhere, empty, spelled
//     in another letter case ("action="), or not an operation of the
//     service. Version= naming two API versions, and a body beside two
//     Content-Type headers, are refused too.
//   - REST: no route matches, or the request names the sub-resources of two
//     operations. After the most specific route, any other route of the
//     method that also matches and needs a sub-resource key the first does
//     not have makes the request ambiguous. A sub-resource key is a literal
//     query key of a URI template (S3 ?acl, ?uploads, ?select&select-type=2)
//     or a required query member that tells operations of a shared template
//     apart (S3 uploadId, partNumber). So GET /b/k?acl is GetObjectAcl
//     (GetObject has no sub-resource), while GET /b/k?acl&tagging, and POST
//     /b/k?uploads&select&select-type=2 (CreateMultipartUpload and
//     SelectObjectContent), are refused. No two botocore operations overlap
//     that way with their own optional query members; operations that share
//     a route (S3's deprecated twins) share its sub-resources and are not
//     rivals.
//
// An unidentified request has an empty Name, ReadOnly and IssuesCredentials
// false. Identifying a request does not allocate; refusing one may.
//
// # Read-only
//
// ReadOnly is decided by a fixed rule, never guessed. An operation is
// read-only when
//
//  1. its name begins with one of these words (a word ends where the next
//     capital letter begins, so CheckoutLicense is not Check):
//     Get, List, Describe, Head, Query, Scan, Search, Select, Lookup —
//     reading verbs;
//     Check, Preview, Validate, Estimate — they evaluate an input without
//     storing it (CheckDomainAvailability, ValidateTemplate,
//     EstimateTemplateCost);
//     or Batch followed by one of those words (BatchGetItem);
//  2. or, for a REST protocol, its HTTP method is GET or HEAD;
//  3. and no entry of the override table says otherwise.
//
// Everything else is not read-only, including every operation catalog does
// not know. In particular:
//
//   - Test* is not read-only: TestInvokeMethod, TestInvokeAuthorizer,
//     TestState and TestConnection run code or reach out. Pure evaluators
//     (events TestEventPattern, logs TestMetricFilter, route53 TestDNSAnswer,
//     ses TestRenderTemplate, ...) are listed as read-only overrides.
//   - Invoke*, Converse*, Execute*, Run*, Start*, Send*, Publish*, Detect*,
//     Retrieve*, Count*, Evaluate*, Verify* are not read-only: they run code,
//     run a model (and cost money), or have effects. bedrock-runtime
//     InvokeModel, InvokeModelWithResponseStream, Converse and ConverseStream
//     and lambda Invoke are in the override table to say so explicitly.
//   - Operations that issue credentials are never read-only, even when
//     named Get* or served by GET (see below): lambda GetFunction, sts
//     GetSessionToken, ivs GetStreamKey, cognito-idp DescribeUserPoolClient.
//     A read-only grant must not be a way to obtain credentials that act
//     outside the vault and its audit trail.
//     Reading stored secrets (secretsmanager GetSecretValue, ssm
//     GetParameter) is reading, and stays read-only: a grant that should not
//     read secrets says so with its actions.
//   - Get* or GET operations that change state are overrides too
//     (cognito-identity GetId, iot ConfirmTopicRuleDestination, apigatewayv2
//     PreviewPortal, license-manager CheckInLicense).
//   - s3 SelectObjectContent is POST and read-only (the Select rule; listed
//     explicitly), as are iam SimulatePrincipalPolicy and SimulateCustomPolicy.
//
// # Operations that issue credentials
//
// Operation.IssuesCredentials (and IssuesCredentials) reports an operation
// whose answer lets its reader act without the vault: AWS credentials (sts
// AssumeRole*, GetSessionToken, GetFederationToken, sso GetRoleCredentials,
// s3 CreateSession, s3control GetDataAccess, iam CreateAccessKey), bearer
// tokens and passwords AWS generates (ecr and codeartifact
// GetAuthorizationToken, redshift GetClusterCredentials, cognito-idp
// InitiateAuth, ssm StartSession, ecs ExecuteCommand, ivs GetStreamKey),
// private keys (ec2 CreateKeyPair, acm ExportCertificate), presigned URLs
// (lambda GetFunction's Code.Location, ecr GetDownloadUrlForLayer, ssm
// GetDocument's attachments, devicefarm uploads) and sign-in, embed and
// streaming URLs (quicksight GenerateEmbedUrl*, sagemaker
// CreatePresigned*Url, appstream CreateStreamingURL, connect
// GetFederationToken). The table (issuing.go) is written by hand, each entry
// citing the API reference page that says so.
//
// A test keeps it complete: it walks the output shapes of every operation in
// botocore's models and fails on one that returns a member named like a
// credential (SecretAccessKey, SessionToken, AccessToken, IdToken,
// RefreshToken, AuthorizationToken, Token, PresignedUrl, SignedUrl,
// EmbedUrl, StreamKey, ApiKey, ClientSecret, PrivateKey, Password, a URL
// with an expiry, ...; never NextToken or ClientToken) unless the table
// lists it or the test's exclusions say why it does not issue one. Excluded
// are names of secrets (Secrets Manager ARNs, role ARNs), tokens that
// authorize nothing (revision ids, verification tokens), and stored
// configuration the caller wrote: a database endpoint's password, an
// identity provider's client secret, a pending master password. Those are
// read as secretsmanager GetSecretValue is.
//
// Some issuing operations are common reads: lambda GetFunction, ssm
// GetDocument, apigateway GetApiKeys, appsync ListApiKeys, mediapackage
// DescribeChannel, chime-sdk-meetings GetAttendee. A grant that must read
// them without issuing uses their narrower siblings
// (GetFunctionConfiguration) or allows issuing.
//
// # Header-borne actions
//
// Some request headers make AWS perform or authorize more than the
// operation's own action. HeaderActions returns them, from a table
// (headers.go) whose every entry cites the AWS page it comes from:
//
//   - x-amz-copy-source on CopyObject and UploadPartCopy reads the source:
//     s3:GetObject (s3:GetObjectVersion with ?versionId=) on the BUCKET/KEY
//     it names, or on the object through the access point an ARN names
//     (Implied.AccessPoint and Region; s3-outposts and s3-object-lambda ARNs
//     in their own namespaces).
//   - ACL headers (x-amz-acl, x-amz-grant-*) on PutObject, CopyObject and
//     CreateMultipartUpload: s3:PutObjectAcl; on CreateBucket:
//     s3:PutBucketAcl.
//   - x-amz-tagging, and x-amz-tagging-directive other than COPY on
//     CopyObject: s3:PutObjectTagging.
//   - Object Lock: x-amz-object-lock-mode and -retain-until-date,
//     s3:PutObjectRetention; x-amz-object-lock-legal-hold,
//     s3:PutObjectLegalHold; x-amz-bypass-governance-retention on
//     DeleteObject, DeleteObjects and PutObjectRetention,
//     s3:BypassGovernanceRetention; x-amz-bucket-object-lock-enabled on
//     CreateBucket, s3:PutBucketObjectLockConfiguration and
//     s3:PutBucketVersioning; x-amz-object-ownership on CreateBucket,
//     s3:PutBucketOwnershipControls.
//   - x-amz-server-side-encryption-aws-kms-key-id: kms:GenerateDataKey on
//     that key (Implied.KMSKeyID; Region when it is an ARN).
//   - bedrock-runtime InvokeModel and InvokeModelWithResponseStream with
//     X-Amzn-Bedrock-GuardrailIdentifier: bedrock:ApplyGuardrail.
//
// S3 actions take the namespace of the request's own action (through an
// Outposts access point, s3-outposts:PutObjectAcl). Header names are
// matched in any letter case and values trimmed of surrounding spaces and
// tabs; boolean headers imply their action unless they say false, and a
// tagging directive unless it says exactly COPY. A listed header sent twice,
// or a copy source that is empty, has no key, is badly encoded, has a bare
// '+' (a plus or a space?), a query other than ?versionId=ID, or is an ARN
// of something else, is a *HeaderError: the request cannot be judged. A
// request without the table's headers costs no allocation.
//
// Not listed, for want of a page saying AWS checks them: the source's tags
// a CopyObject copies by default, and kms:Decrypt on an encrypted copy
// source, whose key the request does not name.
//
// # IAM action and event source
//
// Action is IAMPrefix + ":" + operation, where the IAM prefix is the signing
// name except monitoring → cloudwatch, tagging → tag, iotdata and
// IoTSecuredTunneling → iot, ioteventsdata → iotevents, iot-jobs-data →
// iotjobsdata. Where AWS authorizes an operation with an action of another
// name, the action table says so: s3 ListObjectsV2 → s3:ListBucket, HeadObject
// → s3:GetObject (s3:GetObjectVersion with versionId=), UploadPart →
// s3:PutObject, lambda Invoke → lambda:InvokeFunction, bedrock-runtime
// Converse → bedrock:InvokeModel, apigatewaymanagementapi PostToConnection →
// execute-api:ManageConnections, and so on.
//
// EventSource is signing name + ".amazonaws.com" (s3.amazonaws.com,
// bedrock.amazonaws.com for bedrock-runtime, ses.amazonaws.com for the
// "email" endpoint, monitoring.amazonaws.com for CloudWatch): CloudTrail names
// the service the request was signed for, not the host it was sent to.
//
// Requests to execute-api hosts that are not the WebSocket management API
// are identified as Invoke, action execute-api:Invoke, never read-only: what
// an API Gateway route does is up to its owner.
//
// # Regenerating
//
// With botocore installed (pip install botocore), from the module root:
//
//	go generate ./catalog
//
// The generator takes the newest API version of each service. A test in
// internal/gen regenerates the table and fails when the committed one is
// stale for the botocore it was made from; with another botocore version
// installed it skips, saying which.
package catalog
