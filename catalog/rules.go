package catalog

// The rules in this file are hand-written and reviewed; the table they apply
// to is generated. The package comment explains each one. A test fails when
// an entry names an operation botocore does not have.

// readVerbs are the leading words of read-only operation names.
var readVerbs = map[string]bool{
	"Get": true, "List": true, "Describe": true, "Head": true,
	"Query": true, "Scan": true, "Search": true, "Select": true, "Lookup": true,
	"Check": true, "Preview": true, "Validate": true, "Estimate": true,
}

// readOnlyOverrides corrects the rule for single operations, keyed by
// "service/Operation" (botocore service name). false: the rule would say
// read-only, or the entry documents a well-known write; true: a read-only
// operation the rule misses.
var readOnlyOverrides = map[string]bool{
	// They run a model or a function: they cost money and have effects.
	"bedrock-runtime/InvokeModel":                   false,
	"bedrock-runtime/InvokeModelWithResponseStream": false,
	"bedrock-runtime/Converse":                      false,
	"bedrock-runtime/ConverseStream":                false,
	"lambda/Invoke":                                 false,
	"lambda/InvokeWithResponseStream":               false,

	// Operations that issue credentials, tokens or signed URLs are not
	// read-only either: issuingOperations (issuing.go) lists them, and
	// readOnly consults it first.

	// Named like a read, or served by GET, but they change state.
	"cognito-identity/GetId":               false, // creates the identity
	"iot/ConfirmTopicRuleDestination":      false, // GET that confirms
	"apigatewayv2/PreviewPortal":           false, // creates a portal preview
	"license-manager/CheckInLicense":       false, // returns a checked-out license
	"devops-agent/ValidateAwsAssociations": false, // sets the association status

	// Read-only although the rule misses them.
	"s3/SelectObjectContent":        true, // POST; the Select rule, stated explicitly
	"iam/SimulatePrincipalPolicy":   true,
	"iam/SimulateCustomPolicy":      true,
	"events/TestEventPattern":       true,
	"logs/TestMetricFilter":         true,
	"logs/TestTransformer":          true,
	"route53/TestDNSAnswer":         true,
	"ses/TestRenderTemplate":        true,
	"sesv2/TestRenderEmailTemplate": true,
	"iot/TestAuthorization":         true,
}

// iamPrefixes maps signing names to IAM action prefixes where they differ.
var iamPrefixes = map[string]string{
	"monitoring":          "cloudwatch",
	"tagging":             "tag",
	"iotdata":             "iot",
	"IoTSecuredTunneling": "iot",
	"ioteventsdata":       "iotevents",
	"iot-jobs-data":       "iotjobsdata",
}

// iamActions maps "service/Operation" to the IAM action that authorizes it
// where that is not IAMPrefix:Operation.
var iamActions = map[string]string{
	"s3/ListObjects":                                 "s3:ListBucket",
	"s3/ListObjectsV2":                               "s3:ListBucket",
	"s3/HeadBucket":                                  "s3:ListBucket",
	"s3/ListBuckets":                                 "s3:ListAllMyBuckets",
	"s3/ListDirectoryBuckets":                        "s3express:ListAllMyDirectoryBuckets",
	"s3/CreateSession":                               "s3express:CreateSession",
	"s3/ListObjectVersions":                          "s3:ListBucketVersions",
	"s3/ListMultipartUploads":                        "s3:ListBucketMultipartUploads",
	"s3/ListParts":                                   "s3:ListMultipartUploadParts",
	"s3/HeadObject":                                  "s3:GetObject",
	"s3/SelectObjectContent":                         "s3:GetObject",
	"s3/CopyObject":                                  "s3:PutObject",
	"s3/CreateMultipartUpload":                       "s3:PutObject",
	"s3/UploadPart":                                  "s3:PutObject",
	"s3/UploadPartCopy":                              "s3:PutObject",
	"s3/CompleteMultipartUpload":                     "s3:PutObject",
	"s3/DeleteObjects":                               "s3:DeleteObject",
	"s3/GetBucketCors":                               "s3:GetBucketCORS",
	"s3/PutBucketCors":                               "s3:PutBucketCORS",
	"s3/DeleteBucketCors":                            "s3:PutBucketCORS",
	"s3/GetBucketLifecycle":                          "s3:GetLifecycleConfiguration",
	"s3/GetBucketLifecycleConfiguration":             "s3:GetLifecycleConfiguration",
	"s3/PutBucketLifecycle":                          "s3:PutLifecycleConfiguration",
	"s3/PutBucketLifecycleConfiguration":             "s3:PutLifecycleConfiguration",
	"s3/DeleteBucketLifecycle":                       "s3:PutLifecycleConfiguration",
	"s3/GetBucketEncryption":                         "s3:GetEncryptionConfiguration",
	"s3/PutBucketEncryption":                         "s3:PutEncryptionConfiguration",
	"s3/DeleteBucketEncryption":                      "s3:PutEncryptionConfiguration",
	"s3/GetBucketReplication":                        "s3:GetReplicationConfiguration",
	"s3/PutBucketReplication":                        "s3:PutReplicationConfiguration",
	"s3/DeleteBucketReplication":                     "s3:PutReplicationConfiguration",
	"s3/GetBucketNotification":                       "s3:GetBucketNotification",
	"s3/GetBucketNotificationConfiguration":          "s3:GetBucketNotification",
	"s3/PutBucketNotification":                       "s3:PutBucketNotification",
	"s3/PutBucketNotificationConfiguration":          "s3:PutBucketNotification",
	"s3/DeleteBucketTagging":                         "s3:PutBucketTagging",
	"s3/DeleteBucketOwnershipControls":               "s3:PutBucketOwnershipControls",
	"s3/GetBucketAccelerateConfiguration":            "s3:GetAccelerateConfiguration",
	"s3/PutBucketAccelerateConfiguration":            "s3:PutAccelerateConfiguration",
	"s3/GetBucketAnalyticsConfiguration":             "s3:GetAnalyticsConfiguration",
	"s3/ListBucketAnalyticsConfigurations":           "s3:GetAnalyticsConfiguration",
	"s3/PutBucketAnalyticsConfiguration":             "s3:PutAnalyticsConfiguration",
	"s3/DeleteBucketAnalyticsConfiguration":          "s3:PutAnalyticsConfiguration",
	"s3/GetBucketInventoryConfiguration":             "s3:GetInventoryConfiguration",
	"s3/ListBucketInventoryConfigurations":           "s3:GetInventoryConfiguration",
	"s3/PutBucketInventoryConfiguration":             "s3:PutInventoryConfiguration",
	"s3/DeleteBucketInventoryConfiguration":          "s3:PutInventoryConfiguration",
	"s3/GetBucketMetricsConfiguration":               "s3:GetMetricsConfiguration",
	"s3/ListBucketMetricsConfigurations":             "s3:GetMetricsConfiguration",
	"s3/PutBucketMetricsConfiguration":               "s3:PutMetricsConfiguration",
	"s3/DeleteBucketMetricsConfiguration":            "s3:PutMetricsConfiguration",
	"s3/GetBucketIntelligentTieringConfiguration":    "s3:GetIntelligentTieringConfiguration",
	"s3/ListBucketIntelligentTieringConfigurations":  "s3:GetIntelligentTieringConfiguration",
	"s3/PutBucketIntelligentTieringConfiguration":    "s3:PutIntelligentTieringConfiguration",
	"s3/DeleteBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
	"s3/GetObjectLockConfiguration":                  "s3:GetBucketObjectLockConfiguration",
	"s3/PutObjectLockConfiguration":                  "s3:PutBucketObjectLockConfiguration",
	"s3/GetPublicAccessBlock":                        "s3:GetBucketPublicAccessBlock",
	"s3/PutPublicAccessBlock":                        "s3:PutBucketPublicAccessBlock",
	"s3/DeletePublicAccessBlock":                     "s3:PutBucketPublicAccessBlock",

	"lambda/Invoke":                   "lambda:InvokeFunction",
	"lambda/InvokeWithResponseStream": "lambda:InvokeFunction",

	"bedrock-runtime/Converse":       "bedrock:InvokeModel",
	"bedrock-runtime/ConverseStream": "bedrock:InvokeModelWithResponseStream",

	"apigatewaymanagementapi/PostToConnection": "execute-api:ManageConnections",
	"apigatewaymanagementapi/GetConnection":    "execute-api:ManageConnections",
	"apigatewaymanagementapi/DeleteConnection": "execute-api:ManageConnections",
}

// versionActions are the S3 actions AWS checks instead when the request
// names an object version (versionId= in the query).
var versionActions = map[string]string{
	"s3/GetObject":           "s3:GetObjectVersion",
	"s3/HeadObject":          "s3:GetObjectVersion",
	"s3/DeleteObject":        "s3:DeleteObjectVersion",
	"s3/GetObjectAcl":        "s3:GetObjectVersionAcl",
	"s3/PutObjectAcl":        "s3:PutObjectVersionAcl",
	"s3/GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3/PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3/DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3/GetObjectAttributes": "s3:GetObjectVersionAttributes",
	"s3/GetObjectTorrent":    "s3:GetObjectVersionTorrent",
}

// endpointAliases are endpoint prefixes that urlparse may report for hosts
// that serve another model's operations.
var endpointAliases = map[string]string{
	"s3express":        "s3", // directory buckets: zonal and s3express-control endpoints
	"s3-object-lambda": "s3",
	"s3-accesspoint":   "s3",
}

// firstWord returns the leading CamelCase word of an operation name: "Get"
// for GetObject, "Checkout" for CheckoutLicense, "List" for ListAWSAccounts.
func firstWord(name string) string {
	if name == "" {
		return ""
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' {
			return name[:i]
		}
	}
	return name
}

// readOnlyByRule applies the naming and method rule, without overrides.
func readOnlyByRule(name, method string, rest bool) bool {
	w := firstWord(name)
	if w == "Batch" {
		w = firstWord(name[len(w):])
	}
	if readVerbs[w] {
		return true
	}
	return rest && (method == "GET" || method == "HEAD")
}

// readOnly applies the rule and the override table. An operation that
// issues credentials is never read-only: a read-only grant must not be a way
// to obtain credentials that act outside the vault.
func readOnly(service, name, method string, rest bool) bool {
	if issues(service, name) {
		return false
	}
	if v, ok := readOnlyOverrides[service+"/"+name]; ok {
		return v
	}
	return readOnlyByRule(name, method, rest)
}

func iamPrefix(signingName string) string {
	if p, ok := iamPrefixes[signingName]; ok {
		return p
	}
	return signingName
}
