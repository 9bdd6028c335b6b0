package catalog

import (
	"net/http"
	"strings"
	"testing"
)

// unidentifiedCases are requests AWS could read as another operation than
// the one a lenient reading finds, or as two. Identify must refuse each,
// and say why: every string of why must be in the reason.
var unidentifiedCases = []struct {
	name string
	request
	why []string
}{
	// The service.
	{name: "unknown service", request: request{ep: unknown, method: "GET", path: "/"}, why: []string{`"nosuch" is not an AWS service`}},
	{name: "no service", request: request{method: "GET", path: "/"}, why: []string{"names no AWS service"}},

	// X-Amz-Target is matched exactly, after the whitespace HTTP trims.
	{name: "target in another case", request: request{ep: ddb, method: "POST", path: "/", header: target("dynamodb_20120810.deletetable")}, why: []string{`X-Amz-Target "dynamodb_20120810.deletetable" is not an operation of dynamodb`}},
	{name: "target operation in another case", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.deleteTable")}, why: []string{`"DynamoDB_20120810.deleteTable"`}},
	{name: "target with a second target after a comma", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.GetItem,DynamoDB_20120810.DeleteTable")}, why: []string{"is not an operation of dynamodb"}},
	{name: "target with a trailing line feed", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.DeleteTable\n")}, why: []string{`"DynamoDB_20120810.DeleteTable\n"`}},
	{name: "target with a non-breaking space", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.DeleteTable\u00a0")}, why: []string{"is not an operation of dynamodb"}},
	{name: "target without a prefix", request: request{ep: ddb, method: "POST", path: "/", header: target("DeleteTable")}, why: []string{`"DeleteTable"`}},
	{name: "target empty", request: request{ep: ddb, method: "POST", path: "/", header: target(" ")}, why: []string{`X-Amz-Target "" is not`}},
	{name: "target of an older API", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20111205.GetItem")}, why: []string{"DynamoDB_20111205.GetItem"}},
	{name: "target long is clipped", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810." + strings.Repeat("A", 300))}, why: []string{`AAAA…"`}},
	{name: "target sent twice, the same", request: request{ep: ddb, method: "POST", path: "/", header: hdr("X-Amz-Target", "DynamoDB_20120810.GetItem", "X-Amz-Target", "DynamoDB_20120810.GetItem")}, why: []string{"X-Amz-Target is sent twice"}},
	{name: "target sent twice, different", request: request{ep: ddb, method: "POST", path: "/", header: hdr("X-Amz-Target", "DynamoDB_20120810.GetItem", "X-Amz-Target", "DynamoDB_20120810.DeleteTable")}, why: []string{"sent twice"}},
	{name: "target sent twice under two spellings", request: request{ep: ddb, method: "POST", path: "/", header: http.Header{"X-Amz-Target": {"DynamoDB_20120810.GetItem"}, "x-amz-target": {"DynamoDB_20120810.DeleteTable"}}}, why: []string{"sent twice"}},
	{name: "no target", request: request{ep: ddb, method: "POST", path: "/", body: `{}`}, why: []string{"no X-Amz-Target header"}},
	{name: "target unknown beside a known action", request: request{ep: sqs, method: "POST", path: "/", query: "Action=ListQueues", header: target("amazonsqs.deletequeue")}, why: []string{`"amazonsqs.deletequeue" is not an operation of sqs`, "while Action names ListQueues"}},
	{name: "target and action disagree", request: request{ep: sqs, method: "POST", path: "/", query: "Action=DeleteQueue", header: target("AmazonSQS.ListQueues")}, why: []string{"X-Amz-Target names ListQueues but Action names DeleteQueue"}},

	// Action= of the query protocols.
	{name: "action in the query and the body, the same", request: request{ep: sts, method: "POST", path: "/", query: "Action=GetCallerIdentity", header: form, body: "Action=GetCallerIdentity&Version=2011-06-15"}, why: []string{"Action is named in both the query string and the body"}},
	{name: "action empty in the query, set in the body", request: request{ep: sts, method: "POST", path: "/", query: "Action=", header: form, body: "Action=AssumeRole&Version=2011-06-15"}, why: []string{"both the query string and the body"}},
	{name: "action in the query and the body, different", request: request{ep: iam, method: "POST", path: "/", query: "Action=ListUsers", header: form, body: "Action=DeleteUser"}, why: []string{"both"}},
	{name: "action twice in the body, the same", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=GetCallerIdentity&Action=GetCallerIdentity"}, why: []string{"Action is sent twice"}},
	{name: "action twice in the body, different", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=GetCallerIdentity&Action=AssumeRole"}, why: []string{"Action is sent twice"}},
	{name: "action twice in the query, one encoded", request: request{ep: ec2, method: "GET", path: "/", query: "Action=DescribeRegions&Act%69on=TerminateInstances"}, why: []string{"Action is sent twice"}},
	{name: "action twice in the query, one empty", request: request{ep: ec2, method: "GET", path: "/", query: "Action=&Action=TerminateInstances"}, why: []string{"Action is sent twice"}},
	{name: "action empty", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=&Version=2011-06-15"}, why: []string{"Action is empty"}},
	{name: "action without a value", request: request{ep: sts, method: "GET", path: "/", query: "Action&Version=2011-06-15"}, why: []string{"Action is empty"}},
	{name: "action in lower case", request: request{ep: iam, method: "POST", path: "/", header: form, body: "action=DeleteUser&UserName=bob"}, why: []string{"named Action in another letter case"}},
	{name: "action in lower case beside Action", request: request{ep: iam, method: "POST", path: "/", header: form, body: "Action=ListUsers&ACTION=DeleteUser"}, why: []string{"another letter case"}},
	{name: "action unknown", request: request{ep: ec2, method: "POST", path: "/", header: form, body: "Action=LaunchMissiles"}, why: []string{`Action "LaunchMissiles" is not an operation of ec2`}},
	{name: "action in another case", request: request{ep: ec2, method: "POST", path: "/", header: form, body: "Action=describeinstances"}, why: []string{`Action "describeinstances"`}},
	{name: "action too long to be a name", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=" + strings.Repeat("A", 200)}, why: []string{"Action (200 bytes) is not an operation of sts"}},
	{name: "action unknown on a shared endpoint", request: request{ep: elb, method: "POST", path: "/", header: form, body: "Action=Nope"}, why: []string{"not an operation of elbv2 or elb"}},
	{name: "version twice, different", request: request{ep: elb, method: "POST", path: "/", query: "Version=2012-06-01", header: form, body: "Action=DescribeLoadBalancers&Version=2015-12-01"}, why: []string{"Version names two API versions"}},
	{name: "Action in a body not declared a form", request: request{ep: sts, method: "POST", path: "/", query: "Action=GetCallerIdentity&Version=2011-06-15", header: hdr("Content-Type", "text/plain"), body: "Action=GetSessionToken"}, why: []string{"not application/x-www-form-urlencoded"}},
	{name: "content type twice beside a form body", request: request{ep: sts, method: "POST", path: "/", header: hdr("Content-Type", "application/json", "Content-Type", "application/x-www-form-urlencoded"), body: "Action=AssumeRole"}, why: []string{"Content-Type is sent twice"}},
	{name: "no action", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Version=2011-06-15"}, why: []string{"no Action parameter"}},
	{name: "action unknown beside a REST route", request: request{ep: email, method: "POST", path: "/v2/email/outbound-emails", query: "Action=Nope"}, why: []string{`Action "Nope" is not an operation of ses`, "while the path names SendEmail"}},
	{name: "action beside a REST route", request: request{ep: email, method: "POST", path: "/v2/email/outbound-emails", query: "Action=DeleteIdentity"}, why: []string{"Action names DeleteIdentity but the path names SendEmail"}},

	// Smithy RPC v2 CBOR.
	{name: "cbor unknown operation", request: request{ep: cw, method: "POST", path: "/service/GraniteServiceVersion20100801/operation/Nope"}, why: []string{`operation "Nope" of "GraniteServiceVersion20100801"`}},
	{name: "cbor encoded operation", request: request{ep: cw, method: "POST", path: "/service/GraniteServiceVersion20100801/operation/Get%4DetricData"}, why: []string{"is not an operation of cloudwatch"}},

	// REST: no route, and sub-resources of two operations.
	{name: "s3 no route", request: request{ep: s3Path, method: "POST", path: "/bucket"}, why: []string{`POST "/bucket" is no operation of s3`}},
	{name: "s3 unknown method", request: request{ep: s3Path, method: "BREW", path: "/bucket/k"}, why: []string{`"BREW" is not an HTTP method`}},
	{name: "s3 uploads and select", request: request{ep: s3Path, method: "POST", path: "/bucket/key", query: "uploads&select&select-type=2"}, why: []string{"two s3 operations", "SelectObjectContent", "CreateMultipartUpload"}},
	{name: "s3 acl and tagging", request: request{ep: s3Path, method: "GET", path: "/bucket/key", query: "acl&tagging"}, why: []string{"GetObjectAcl", "GetObjectTagging"}},
	{name: "s3 acl and tagging virtual", request: request{ep: s3Virtual, method: "PUT", path: "/key", query: "tagging&acl"}, why: []string{"PutObjectAcl", "PutObjectTagging"}},
	{name: "s3 list-type and versions", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "list-type=2&versions"}, why: []string{"ListObjectsV2", "ListObjectVersions"}},
	{name: "s3 bucket acl and policy", request: request{ep: s3Virtual, method: "PUT", path: "/", query: "policy&acl"}, why: []string{"PutBucketAcl", "PutBucketPolicy"}},
	{name: "s3 uploads and versions", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "uploads&versions"}, why: []string{"ListMultipartUploads", "ListObjectVersions"}},
	{name: "s3 tagging and an upload part", request: request{ep: s3Path, method: "PUT", path: "/bucket/k", query: "tagging&partNumber=1&uploadId=u"}, why: []string{"PutObjectTagging", "UploadPart"}},
	{name: "s3 object tagging and an abort", request: request{ep: s3Path, method: "DELETE", path: "/bucket/k", query: "uploadId=u&tagging"}, why: []string{"DeleteObjectTagging", "AbortMultipartUpload"}},
	{name: "s3 encoded sub-resources", request: request{ep: s3Path, method: "GET", path: "/bucket/key", query: "ac%6C&taggin%67"}, why: []string{"GetObjectAcl", "GetObjectTagging"}},
	{name: "s3 select and restore", request: request{ep: s3Path, method: "POST", path: "/bucket/key", query: "restore&select&select-type=2"}, why: []string{"RestoreObject", "SelectObjectContent"}},
}

func TestIdentifyRefuses(t *testing.T) {
	for _, tc := range unidentifiedCases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.identify()
			if got.Name != "" || got.Action != "" || got.ReadOnly || got.IssuesCredentials {
				t.Fatalf("identified: %+v", got)
			}
			if got.Unidentified == "" {
				t.Fatalf("no reason: %+v", got)
			}
			for _, w := range tc.why {
				if !strings.Contains(got.Unidentified, w) {
					t.Errorf("reason %q does not say %q", got.Unidentified, w)
				}
			}
			if len(got.Unidentified) > 300 {
				t.Errorf("reason is %d bytes long: %q", len(got.Unidentified), got.Unidentified)
			}
		})
	}
}

// TestIdentifyAcceptsWhatTheWireCarries: the variants a request may take
// on its way without changing what AWS reads.
func TestIdentifyAcceptsWhatTheWireCarries(t *testing.T) {
	for _, tc := range []struct {
		name string
		request
		want string
	}{
		// HTTP trims a header value's surrounding spaces and tabs: AWS
		// reads the trimmed value.
		{"target trailing space", request{ddb, "POST", "/", "", target("DynamoDB_20120810.DeleteTable "), ""}, "DeleteTable"},
		{"target leading tab", request{ddb, "POST", "/", "", target("\tDynamoDB_20120810.DeleteTable"), ""}, "DeleteTable"},
		{"target spaces both sides", request{ddb, "POST", "/", "", target("  DynamoDB_20120810.GetItem \t"), ""}, "GetItem"},
		// One sub-resource beside an operation without one.
		{"s3 object acl", request{s3Path, "GET", "/bucket/k", "acl", nil, ""}, "GetObjectAcl"},
		{"s3 object acl of a version", request{s3Path, "GET", "/bucket/k", "acl&versionId=v", nil, ""}, "GetObjectAcl"},
		{"s3 list parts", request{s3Path, "GET", "/bucket/k", "uploadId=u&max-parts=10", nil, ""}, "ListParts"},
		{"s3 upload part copy", request{s3Path, "PUT", "/bucket/k", "partNumber=1&uploadId=u", hdr("X-Amz-Copy-Source", "/b/k"), ""}, "UploadPartCopy"},
		{"s3 analytics configuration", request{s3Path, "GET", "/bucket", "analytics&id=a", nil, ""}, "GetBucketAnalyticsConfiguration"},
		{"s3 list analytics configurations", request{s3Path, "GET", "/bucket", "analytics", nil, ""}, "ListBucketAnalyticsConfigurations"},
		{"s3 select", request{s3Path, "POST", "/bucket/k", "select&select-type=2", nil, ""}, "SelectObjectContent"},
		{"s3 lifecycle, the deprecated twin shares the route", request{s3Path, "PUT", "/bucket", "lifecycle", nil, ""}, "PutBucketLifecycleConfiguration"},
		{"s3 x-id of newer SDKs", request{s3Virtual, "GET", "/k", "x-id=GetObject", nil, ""}, "GetObject"},
		{"s3 list v2 with options", request{s3Virtual, "GET", "/", "list-type=2&prefix=a&delimiter=%2F&start-after=b&fetch-owner=true&encoding-type=url", nil, ""}, "ListObjectsV2"},
		// Query protocol, one Action with its Version.
		{"sts query string", request{sts, "GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", nil, ""}, "GetCallerIdentity"},
		{"sts body", request{sts, "POST", "/", "", form, "Action=GetCallerIdentity&Version=2011-06-15"}, "GetCallerIdentity"},
		{"sts Version in the query, Action in the body", request{sts, "POST", "/", "Version=2011-06-15", form, "Action=GetCallerIdentity&Version=2011-06-15"}, "GetCallerIdentity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.identify()
			if got.Name != tc.want || got.Unidentified != "" {
				t.Fatalf("got %q (%q), want %q", got.Name, got.Unidentified, tc.want)
			}
		})
	}
}
