package catalog

import "strings"

// headerRules is the table of header-borne actions: request headers that
// make AWS perform, or authorize, more than the operation's own action.
// Each rule names the operations it counts on, the header, the IAM action
// AWS then also checks, and the documentation that says so. HeaderActions
// returns the matches in this order.
//
// An S3 action is in the namespace of the request's own action: through an
// Outposts access point, x-amz-acl on PutObject implies
// s3-outposts:PutObjectAcl.
//
// Not listed, for want of a page that says AWS checks them: the source's
// tags a CopyObject copies (x-amz-tagging-directive COPY), and the KMS key
// of an encrypted copy source, which the request does not name.
var headerRules = []headerRule{
	// A copy reads its source.
	{
		service: "s3", ops: []string{"CopyObject", "UploadPartCopy"},
		header: "X-Amz-Copy-Source", action: "s3:GetObject", readOnly: true, kind: copySource,
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (Permissions: s3:GetObject, or s3:GetObjectVersion with versionId, on the source); https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html",
	},

	// ACL headers set the ACL of the object or bucket they create.
	aclRule("X-Amz-Acl"),
	aclRule("X-Amz-Grant-Read"),
	aclRule("X-Amz-Grant-Read-Acp"),
	aclRule("X-Amz-Grant-Write"),
	aclRule("X-Amz-Grant-Write-Acp"),
	aclRule("X-Amz-Grant-Full-Control"),
	bucketACLRule("X-Amz-Acl"),
	bucketACLRule("X-Amz-Grant-Read"),
	bucketACLRule("X-Amz-Grant-Read-Acp"),
	bucketACLRule("X-Amz-Grant-Write"),
	bucketACLRule("X-Amz-Grant-Write-Acp"),
	bucketACLRule("X-Amz-Grant-Full-Control"),

	// Tags.
	{
		service: "s3", ops: objectWrites,
		header: "X-Amz-Tagging", action: "s3:PutObjectTagging",
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (Permissions: s3:PutObjectTagging to set the tag-set with the request); https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html",
	},
	{
		// REPLACE sets the copy's tags from the request; COPY, the
		// default, copies the source's. Any value but COPY is read as
		// REPLACE.
		service: "s3", ops: []string{"CopyObject"},
		header: "X-Amz-Tagging-Directive", action: "s3:PutObjectTagging", when: notValue("COPY"),
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (x-amz-tagging-directive REPLACE sets the tag-set)",
	},

	// Object Lock.
	{
		service: "s3", ops: objectWrites,
		header: "X-Amz-Object-Lock-Mode", action: "s3:PutObjectRetention",
		source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html (retention set on upload needs s3:PutObjectRetention)",
	},
	{
		service: "s3", ops: objectWrites,
		header: "X-Amz-Object-Lock-Retain-Until-Date", action: "s3:PutObjectRetention",
		source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html",
	},
	{
		service: "s3", ops: objectWrites,
		header: "X-Amz-Object-Lock-Legal-Hold", action: "s3:PutObjectLegalHold",
		source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html (a legal hold set on upload needs s3:PutObjectLegalHold)",
	},
	{
		// Any value but false asks to bypass.
		service: "s3", ops: []string{"DeleteObject", "DeleteObjects", "PutObjectRetention"},
		header: "X-Amz-Bypass-Governance-Retention", action: "s3:BypassGovernanceRetention", when: notFalse,
		source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-bypass",
	},
	{
		service: "s3", ops: []string{"CreateBucket"},
		header: "X-Amz-Bucket-Object-Lock-Enabled", action: "s3:PutBucketObjectLockConfiguration", when: notFalse,
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (Permissions: S3 Object Lock needs s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning)",
	},
	{
		service: "s3", ops: []string{"CreateBucket"},
		header: "X-Amz-Bucket-Object-Lock-Enabled", action: "s3:PutBucketVersioning", when: notFalse,
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (Permissions: S3 Object Lock needs s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning)",
	},
	{
		service: "s3", ops: []string{"CreateBucket"},
		header: "X-Amz-Object-Ownership", action: "s3:PutBucketOwnershipControls",
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (Permissions: S3 Object Ownership needs s3:PutBucketOwnershipControls)",
	},

	// SSE-KMS: S3 asks KMS for a data key under the named key, as the
	// caller.
	{
		service: "s3", ops: objectWrites,
		header: "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", action: "kms:GenerateDataKey", kind: kmsKey,
		source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms (uploading with SSE-KMS needs kms:GenerateDataKey on the key); https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html",
	},

	// Bedrock applies the guardrail a header names to the model's input
	// and output, which needs bedrock:ApplyGuardrail on it.
	{
		service: "bedrock-runtime", ops: []string{"InvokeModel", "InvokeModelWithResponseStream"},
		header: "X-Amzn-Bedrock-Guardrailidentifier", action: "bedrock:ApplyGuardrail", kind: arnRegion,
		source: "https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions.html (Permissions for invoking guardrails: bedrock:ApplyGuardrail)",
	},
}

// objectWrites are the S3 operations that write an object and take its
// ACL, tags, lock and encryption in headers.
var objectWrites = []string{"PutObject", "CopyObject", "CreateMultipartUpload"}

func aclRule(header string) headerRule {
	return headerRule{
		service: "s3", ops: objectWrites,
		header: header, action: "s3:PutObjectAcl",
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (Permissions: s3:PutObjectAcl to set the ACL with the request); https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html; https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html",
	}
}

func bucketACLRule(header string) headerRule {
	return headerRule{
		service: "s3", ops: []string{"CreateBucket"},
		header: header, action: "s3:PutBucketAcl",
		source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (Permissions: ACLs need s3:PutBucketAcl)",
	}
}

// notValue matches any value but want (exactly).
func notValue(want string) func(string) bool {
	return func(v string) bool { return v != want }
}

// notFalse matches any value but "false" (in any case): a boolean header
// AWS might read as true.
func notFalse(v string) bool { return !strings.EqualFold(v, "false") }
