package catalog

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func s3op(name, action string) Operation {
	return Operation{Service: "s3", Name: name, Action: action, Protocol: "rest-xml"}
}

var (
	putObject   = s3op("PutObject", "s3:PutObject")
	copyObject  = s3op("CopyObject", "s3:PutObject")
	partCopy    = s3op("UploadPartCopy", "s3:PutObject")
	createMPU   = s3op("CreateMultipartUpload", "s3:PutObject")
	createBkt   = s3op("CreateBucket", "s3:CreateBucket")
	deleteObj   = s3op("DeleteObject", "s3:DeleteObject")
	deleteObjs  = s3op("DeleteObjects", "s3:DeleteObject")
	putRetain   = s3op("PutObjectRetention", "s3:PutObjectRetention")
	getObject   = s3op("GetObject", "s3:GetObject")
	outpostsPut = s3op("PutObject", "s3-outposts:PutObject")
	invokeModel = Operation{Service: "bedrock-runtime", Name: "InvokeModel", Action: "bedrock:InvokeModel", Protocol: "rest-json"}
	invokeStrm  = Operation{Service: "bedrock-runtime", Name: "InvokeModelWithResponseStream", Action: "bedrock:InvokeModelWithResponseStream", Protocol: "rest-json"}
)

// want is what a test expects of an Implied; Source is checked apart.
type want struct {
	Header, Value, Action            string
	ReadOnly                         bool
	Bucket, Key, AccessPoint, Region string
	KMSKeyID                         string
}

func got(imps []Implied) []want {
	var out []want
	for _, i := range imps {
		out = append(out, want{i.Header, i.Value, i.Action, i.ReadOnly, i.Bucket, i.Key, i.AccessPoint, i.Region, i.KMSKeyID})
	}
	return out
}

type headerCase struct {
	name   string
	op     Operation
	header http.Header
	want   []want
}

// implies is the case of op sent with one header, which implies action and
// nothing more.
func implies(name string, op Operation, header, value, action string) headerCase {
	return headerCase{name, op, hdr(header, value), []want{{Header: header, Value: value, Action: action}}}
}

var headerCases = []headerCase{
	// Copy sources.
	{"copy source", copyObject, hdr("X-Amz-Copy-Source", "src-bucket/photos/cat.jpg"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "src-bucket/photos/cat.jpg", Action: "s3:GetObject", ReadOnly: true, Bucket: "src-bucket", Key: "photos/cat.jpg"}}},
	{"copy source with a leading slash", copyObject, hdr("X-Amz-Copy-Source", "/src/k"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "/src/k", Action: "s3:GetObject", ReadOnly: true, Bucket: "src", Key: "k"}}},
	{"copy source URL-encoded", copyObject, hdr("X-Amz-Copy-Source", "/src/my%20dir/caf%C3%A9%2B1.txt"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "/src/my%20dir/caf%C3%A9%2B1.txt", Action: "s3:GetObject", ReadOnly: true, Bucket: "src", Key: "my dir/café+1.txt"}}},
	{"copy source version", copyObject, hdr("X-Amz-Copy-Source", "/src/k?versionId=3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "/src/k?versionId=3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", Action: "s3:GetObjectVersion", ReadOnly: true, Bucket: "src", Key: "k"}}},
	{"copy source of an upload part", partCopy, hdr("x-amz-copy-source", " src/big.bin\t"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "src/big.bin", Action: "s3:GetObject", ReadOnly: true, Bucket: "src", Key: "big.bin"}}},
	{"copy source through an access point", copyObject, hdr("X-Amz-Copy-Source", "arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint%2Fmy-access-point%2Fobject%2Freports%2Fjanuary.pdf"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint%2Fmy-access-point%2Fobject%2Freports%2Fjanuary.pdf", Action: "s3:GetObject", ReadOnly: true, Key: "reports/january.pdf", AccessPoint: "my-access-point", Region: "us-west-2"}}},
	{"copy source through an access point, unencoded, versioned", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3:eu-west-1:123456789012:accesspoint/ap/object/k?versionId=v1"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "arn:aws:s3:eu-west-1:123456789012:accesspoint/ap/object/k?versionId=v1", Action: "s3:GetObjectVersion", ReadOnly: true, Key: "k", AccessPoint: "ap", Region: "eu-west-1"}}},
	{"copy source on an outpost", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/my-outpost/object/reports/january.pdf"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "arn:aws:s3-outposts:us-west-2:123456789012:outpost/my-outpost/object/reports/january.pdf", Action: "s3-outposts:GetObject", ReadOnly: true, Key: "reports/january.pdf", AccessPoint: "outpost/my-outpost", Region: "us-west-2"}}},
	{"copy source through an outposts access point", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/ap/object/k"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/ap/object/k", Action: "s3-outposts:GetObject", ReadOnly: true, Key: "k", AccessPoint: "ap", Region: "us-west-2"}}},
	{"copy source through an Object Lambda access point", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/olap/object/k"),
		[]want{{Header: "X-Amz-Copy-Source", Value: "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/olap/object/k", Action: "s3-object-lambda:GetObject", ReadOnly: true, Key: "k", AccessPoint: "olap", Region: "us-east-1"}}},
	{"copy source ignored on PutObject", putObject, hdr("X-Amz-Copy-Source", "src/k"), nil},

	// ACL headers.
	implies("canned ACL on PutObject", putObject, "X-Amz-Acl", "public-read", "s3:PutObjectAcl"),
	{"grant read on CopyObject", copyObject, hdr("x-amz-grant-read", `uri="http://acs.amazonaws.com/groups/global/AllUsers"`),
		[]want{{Header: "X-Amz-Grant-Read", Value: `uri="http://acs.amazonaws.com/groups/global/AllUsers"`, Action: "s3:PutObjectAcl"}}},
	implies("grant read ACP on CreateMultipartUpload", createMPU, "X-Amz-Grant-Read-Acp", "id=abc", "s3:PutObjectAcl"),
	implies("grant write on PutObject", putObject, "X-Amz-Grant-Write", "id=abc", "s3:PutObjectAcl"),
	implies("grant write ACP on PutObject", putObject, "X-Amz-Grant-Write-Acp", "id=abc", "s3:PutObjectAcl"),
	{"grant full control on PutObject", putObject, hdr("X-AMZ-GRANT-FULL-CONTROL", "id=abc"),
		[]want{{Header: "X-Amz-Grant-Full-Control", Value: "id=abc", Action: "s3:PutObjectAcl"}}},
	implies("canned ACL on CreateBucket", createBkt, "X-Amz-Acl", "public-read-write", "s3:PutBucketAcl"),
	implies("grant read on CreateBucket", createBkt, "X-Amz-Grant-Read", "id=abc", "s3:PutBucketAcl"),
	implies("grant read ACP on CreateBucket", createBkt, "X-Amz-Grant-Read-Acp", "id=abc", "s3:PutBucketAcl"),
	implies("grant write on CreateBucket", createBkt, "X-Amz-Grant-Write", "id=abc", "s3:PutBucketAcl"),
	implies("grant write ACP on CreateBucket", createBkt, "X-Amz-Grant-Write-Acp", "id=abc", "s3:PutBucketAcl"),
	implies("grant full control on CreateBucket", createBkt, "X-Amz-Grant-Full-Control", "id=abc", "s3:PutBucketAcl"),
	implies("ACL on an outpost", outpostsPut, "X-Amz-Acl", "private", "s3-outposts:PutObjectAcl"),
	{"ACL header on GetObject implies nothing", getObject, hdr("X-Amz-Acl", "public-read"), nil},

	// Tags.
	implies("tagging on PutObject", putObject, "X-Amz-Tagging", "team=a&env=b", "s3:PutObjectTagging"),
	implies("tagging directive REPLACE", copyObject, "X-Amz-Tagging-Directive", "REPLACE", "s3:PutObjectTagging"),
	implies("tagging directive in another case is read as REPLACE", copyObject, "X-Amz-Tagging-Directive", "copy", "s3:PutObjectTagging"),
	{"tagging directive COPY", copyObject, hdr("X-Amz-Tagging-Directive", "COPY"), nil},
	{"tagging directive COPY with spaces", copyObject, hdr("X-Amz-Tagging-Directive", " COPY "), nil},

	// Object Lock.
	implies("lock mode", putObject, "X-Amz-Object-Lock-Mode", "GOVERNANCE", "s3:PutObjectRetention"),
	implies("lock retain until", createMPU, "X-Amz-Object-Lock-Retain-Until-Date", "2030-01-01T00:00:00Z", "s3:PutObjectRetention"),
	implies("legal hold", copyObject, "X-Amz-Object-Lock-Legal-Hold", "ON", "s3:PutObjectLegalHold"),
	implies("bypass governance on DeleteObject", deleteObj, "X-Amz-Bypass-Governance-Retention", "true", "s3:BypassGovernanceRetention"),
	implies("bypass governance on DeleteObjects", deleteObjs, "X-Amz-Bypass-Governance-Retention", "TRUE", "s3:BypassGovernanceRetention"),
	implies("bypass governance on PutObjectRetention", putRetain, "X-Amz-Bypass-Governance-Retention", "1", "s3:BypassGovernanceRetention"),
	{"bypass governance false", deleteObj, hdr("X-Amz-Bypass-Governance-Retention", "False"), nil},
	{"bucket object lock", createBkt, hdr("X-Amz-Bucket-Object-Lock-Enabled", "true"), []want{
		{Header: "X-Amz-Bucket-Object-Lock-Enabled", Value: "true", Action: "s3:PutBucketObjectLockConfiguration"},
		{Header: "X-Amz-Bucket-Object-Lock-Enabled", Value: "true", Action: "s3:PutBucketVersioning"},
	}},
	{"bucket object lock false", createBkt, hdr("X-Amz-Bucket-Object-Lock-Enabled", "false"), nil},
	implies("bucket ownership", createBkt, "X-Amz-Object-Ownership", "ObjectWriter", "s3:PutBucketOwnershipControls"),

	// KMS keys.
	{"KMS key ARN", putObject, hdr("X-Amz-Server-Side-Encryption", "aws:kms", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		[]want{{Header: "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", Value: "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", Action: "kms:GenerateDataKey", Region: "eu-central-1", KMSKeyID: "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
	{"KMS key id", createMPU, hdr("x-amz-server-side-encryption-aws-kms-key-id", "1234abcd-12ab-34cd-56ef-1234567890ab"),
		[]want{{Header: "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", Value: "1234abcd-12ab-34cd-56ef-1234567890ab", Action: "kms:GenerateDataKey", KMSKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"}}},
	{"KMS alias on an outpost stays kms", outpostsPut, hdr("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "alias/mine"),
		[]want{{Header: "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", Value: "alias/mine", Action: "kms:GenerateDataKey", KMSKeyID: "alias/mine"}}},

	// Bedrock guardrails.
	{"guardrail on InvokeModel", invokeModel, hdr("X-Amzn-Bedrock-GuardrailIdentifier", "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr1", "X-Amzn-Bedrock-GuardrailVersion", "1"),
		[]want{{Header: "X-Amzn-Bedrock-Guardrailidentifier", Value: "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr1", Action: "bedrock:ApplyGuardrail", Region: "us-east-1"}}},
	{"guardrail on a stream", invokeStrm, hdr("X-Amzn-Bedrock-GuardrailIdentifier", "gr1"),
		[]want{{Header: "X-Amzn-Bedrock-Guardrailidentifier", Value: "gr1", Action: "bedrock:ApplyGuardrail"}}},

	// Several at once, in table order.
	{"copy with ACL, tags and a key", copyObject, hdr(
		"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "k1",
		"X-Amz-Tagging-Directive", "REPLACE",
		"X-Amz-Tagging", "a=b",
		"X-Amz-Acl", "bucket-owner-full-control",
		"X-Amz-Copy-Source", "src/k",
	), []want{
		{Header: "X-Amz-Copy-Source", Value: "src/k", Action: "s3:GetObject", ReadOnly: true, Bucket: "src", Key: "k"},
		{Header: "X-Amz-Acl", Value: "bucket-owner-full-control", Action: "s3:PutObjectAcl"},
		{Header: "X-Amz-Tagging", Value: "a=b", Action: "s3:PutObjectTagging"},
		{Header: "X-Amz-Tagging-Directive", Value: "REPLACE", Action: "s3:PutObjectTagging"},
		{Header: "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", Value: "k1", Action: "kms:GenerateDataKey", KMSKeyID: "k1"},
	}},

	// Nothing implied.
	{"no headers", putObject, nil, nil},
	{"ordinary headers", putObject, hdr("Content-Type", "image/jpeg", "X-Amz-Meta-Owner", "me", "X-Amz-Server-Side-Encryption", "AES256"), nil},
	{"unidentified", Operation{Service: "s3"}, hdr("X-Amz-Acl", "public-read"), nil},
	{"another service", Operation{Service: "dynamodb", Name: "PutItem", Action: "dynamodb:PutItem"}, hdr("X-Amz-Acl", "public-read"), nil},
}

func TestHeaderActions(t *testing.T) {
	for _, tc := range headerCases {
		t.Run(tc.name, func(t *testing.T) {
			imps, err := HeaderActions(tc.op, tc.header)
			if err != nil {
				t.Fatal(err)
			}
			if g := got(imps); !reflect.DeepEqual(g, tc.want) {
				t.Fatalf("got\n  %+v\nwant\n  %+v", g, tc.want)
			}
			for _, i := range imps {
				if !strings.HasPrefix(i.Source, "https://docs.aws.amazon.com/") {
					t.Errorf("%s %s: source %q", i.Header, i.Action, i.Source)
				}
			}
		})
	}
}

// TestHeaderRulesAreTested: every rule of the table has a case above that
// it answers, and no two rules imply the same action for the same header.
func TestHeaderRulesAreTested(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range headerCases {
		imps, _ := HeaderActions(tc.op, tc.header)
		for _, i := range imps {
			covered[i.Header+" "+s3Namespace(i.Action)] = true
		}
	}
	seen := map[string]bool{}
	for _, r := range headerRules {
		key := r.header + " " + r.action
		if seen[key] {
			t.Errorf("two rules imply %s", key)
		}
		seen[key] = true
		if !covered[key] {
			t.Errorf("no test case for %s → %s", r.header, r.action)
		}
	}
}

// s3Namespace puts s3-outposts:X and s3-object-lambda:X back in s3.
func s3Namespace(action string) string {
	if ns, name, ok := strings.Cut(action, ":"); ok && strings.HasPrefix(ns, "s3") {
		return "s3:" + name
	}
	return action
}

// TestHeaderRulesNameRealThings: every operation a rule names exists, every
// header is canonical, and ReadOnly agrees with the catalog where the
// action is an operation of the same name.
func TestHeaderRulesNameRealThings(t *testing.T) {
	for _, r := range headerRules {
		if r.header != http.CanonicalHeaderKey(r.header) {
			t.Errorf("%s: not canonical (%s)", r.header, http.CanonicalHeaderKey(r.header))
		}
		for _, o := range r.ops {
			if _, ok := Lookup(r.service, o); !ok {
				t.Errorf("%s: %s/%s names no operation", r.header, r.service, o)
			}
		}
		prefix, name, _ := strings.Cut(r.action, ":")
		svcName := map[string]string{"s3": "s3", "kms": "kms", "bedrock": "bedrock"}[prefix]
		if info, ok := Lookup(svcName, name); ok && info.ReadOnly != r.readOnly {
			t.Errorf("%s → %s: ReadOnly %v, the catalog says %v", r.header, r.action, r.readOnly, info.ReadOnly)
		}
		if r.source == "" || !strings.HasPrefix(r.source, "https://docs.aws.amazon.com/") {
			t.Errorf("%s → %s: source %q", r.header, r.action, r.source)
		}
	}
}

func TestHeaderActionsRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		op     Operation
		header http.Header
		why    string
	}{
		{"empty copy source", copyObject, hdr("X-Amz-Copy-Source", " "), "is empty"},
		{"copy source without a key", copyObject, hdr("X-Amz-Copy-Source", "bucket"), "names no object key"},
		{"copy source with an empty key", partCopy, hdr("X-Amz-Copy-Source", "/bucket/"), "names no object key"},
		{"copy source without a bucket", copyObject, hdr("X-Amz-Copy-Source", "//key"), "names no bucket"},
		{"copy source badly encoded", copyObject, hdr("X-Amz-Copy-Source", "/b/k%zz"), "not URL-encoded"},
		{"copy source with a bare plus", copyObject, hdr("X-Amz-Copy-Source", "/b/a+b"), "bare '+'"},
		{"copy source with another query", copyObject, hdr("X-Amz-Copy-Source", "/b/k?acl"), "query other than ?versionId"},
		{"copy source with an empty version", copyObject, hdr("X-Amz-Copy-Source", "/b/k?versionId="), "query other than ?versionId"},
		{"copy source with two parameters", copyObject, hdr("X-Amz-Copy-Source", "/b/k?versionId=1&versionId=2"), "query other than ?versionId"},
		{"copy source sent twice", copyObject, hdr("X-Amz-Copy-Source", "/b/k", "X-Amz-Copy-Source", "/b/k"), "sent more than once"},
		{"copy source sent twice, two spellings", copyObject, http.Header{"X-Amz-Copy-Source": {"/b/k"}, "x-amz-copy-source": {"/c/k"}}, "sent more than once"},
		{"copy source ARN of a bucket", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3:::bucket/key"), "not an ARN of an object"},
		{"copy source ARN of an access point without object", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap"), "not an ARN of an object"},
		{"copy source ARN with an empty key", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/"), "not an ARN of an object"},
		{"copy source ARN of another service", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:dynamodb:us-east-1:123456789012:table/t"), "holds no S3 objects"},
		{"copy source ARN without account", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3:us-east-1::accesspoint/ap/object/k"), "not an ARN"},
		{"copy source ARN without outpost", copyObject, hdr("X-Amz-Copy-Source", "arn:aws:s3-outposts:us-east-1:123456789012:outpost//object/k"), "names no outpost"},
		{"ACL sent twice", putObject, hdr("X-Amz-Acl", "private", "X-Amz-Acl", "public-read"), "sent more than once"},
		{"empty KMS key", putObject, hdr("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", ""), "names no KMS key"},
		{"empty guardrail", invokeModel, hdr("X-Amzn-Bedrock-Guardrailidentifier", ""), "is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imps, err := HeaderActions(tc.op, tc.header)
			if err == nil {
				t.Fatalf("no error; implied %+v", got(imps))
			}
			var he *HeaderError
			if !errors.As(err, &he) || he.Header == "" || !strings.Contains(err.Error(), he.Header) {
				t.Fatalf("error %v does not name the header", err)
			}
			if !strings.Contains(err.Error(), tc.why) {
				t.Errorf("error %q does not say %q", err, tc.why)
			}
			if imps != nil {
				t.Errorf("implied %+v beside an error", imps)
			}
		})
	}
}

// TestHeaderActionsAllocations: a request without the table's headers costs
// nothing.
func TestHeaderActionsAllocations(t *testing.T) {
	h := hdr("Content-Type", "image/jpeg", "Content-Length", "12", "X-Amz-Date", "20240101T000000Z", "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD", "Authorization", "AWS4-HMAC-SHA256 ...")
	for _, op := range []Operation{putObject, copyObject, createBkt, getObject, invokeModel, {Service: "dynamodb", Name: "GetItem"}} {
		n := testing.AllocsPerRun(100, func() {
			if imps, err := HeaderActions(op, h); imps != nil || err != nil {
				t.Fatalf("%s: %v %v", op.Name, imps, err)
			}
		})
		if n > 0 {
			t.Errorf("%s: %v allocations, want 0", op.Name, n)
		}
	}
}

// TestIdentifiedCopyImpliesItsSource ties Identify to HeaderActions: the
// copy Identify names is judged with its source.
func TestIdentifiedCopyImpliesItsSource(t *testing.T) {
	h := hdr("X-Amz-Copy-Source", "/other-bucket/secret.txt")
	op := Identify(s3Virtual, "PUT", "/copy.txt", "", h, nil)
	if op.Name != "CopyObject" {
		t.Fatalf("identified %q", op.Name)
	}
	imps, err := HeaderActions(op, h)
	if err != nil || len(imps) != 1 || imps[0].Bucket != "other-bucket" || imps[0].Key != "secret.txt" || imps[0].Action != "s3:GetObject" {
		t.Fatalf("got %+v, %v", imps, err)
	}
}

func BenchmarkHeaderActions(b *testing.B) {
	h := hdr("Content-Type", "image/jpeg", "Content-Length", "12", "X-Amz-Date", "20240101T000000Z")
	withCopy := hdr("Content-Length", "0", "X-Amz-Copy-Source", "/src/photos/cat.jpg")
	for _, bc := range []struct {
		name string
		op   Operation
		h    http.Header
	}{
		{"get-object", getObject, h},
		{"put-object-plain", putObject, h},
		{"copy-object", copyObject, withCopy},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				HeaderActions(bc.op, bc.h)
			}
		})
	}
}
