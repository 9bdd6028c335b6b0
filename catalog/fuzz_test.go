package catalog

import (
	"net/http"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

var fuzzEndpoints = []urlparse.Endpoint{
	s3Path, s3Virtual, s3AP, s3Express, s3ExpCtl, s3Global, ddb, sts, iam, lambda, bedrockRT,
	sqs, cw, ec2, email, execAPI, elb, rds, ecr, s3control, unknown, {},
}

// FuzzIdentify: Identify never panics, and what it says is consistent with
// the catalog: an identified operation exists and carries its read-only
// answer and an action; an unidentified one is never read-only.
func FuzzIdentify(f *testing.F) {
	for i, tc := range identifyCases {
		key, val := "", ""
		for k, v := range tc.header {
			key, val = k, v[0]
			break
		}
		f.Add(uint8(i%len(fuzzEndpoints)), tc.method, tc.path, tc.query, key, val, []byte(tc.body))
	}
	f.Add(uint8(0), "GET", "/b/%zz/%", "a%&=&&%2", "X-Amz-Target", "..", []byte("Action=%&Action"))
	f.Add(uint8(12), "POST", "/service//operation/", "", "Content-Type", "", []byte("Action=GetMetricData&Action=Get%4DetricData"))
	f.Add(uint8(15), "DELETE", "/a/@connections/", "", "", "", []byte(nil))

	f.Fuzz(func(t *testing.T, epIndex uint8, method, path, query, hkey, hval string, body []byte) {
		ep := fuzzEndpoints[int(epIndex)%len(fuzzEndpoints)]
		h := http.Header{}
		if hkey != "" {
			h[hkey] = []string{hval}
		}
		// The endpoint's fields come from a URL, which the agent writes.
		if epIndex >= 128 {
			ep.Bucket, ep.Service = hval, hkey
		}
		got := Identify(ep, method, path, query, h, body)
		if got.Name == "" {
			if got.ReadOnly || got.Action != "" || got.IssuesCredentials || got.Unidentified == "" {
				t.Fatalf("unidentified but %+v", got)
			}
			return
		}
		if got.Unidentified != "" {
			t.Fatalf("identified with a reason to refuse: %+v", got)
		}
		if got.Action == "" || got.EventSource == "" {
			t.Fatalf("identified without facts: %+v", got)
		}
		if got.Service == "execute-api" {
			if got.ReadOnly {
				t.Fatalf("execute-api Invoke read-only: %+v", got)
			}
			return
		}
		if got.Protocol == "" {
			t.Fatalf("identified without a protocol: %+v", got)
		}
		info, ok := Lookup(got.Service, got.Name)
		if !ok {
			t.Fatalf("identified an operation the catalog does not list: %+v", got)
		}
		if info.ReadOnly != got.ReadOnly {
			t.Fatalf("Identify says ReadOnly %v, Lookup %v: %+v", got.ReadOnly, info.ReadOnly, got)
		}
	})
}

// FuzzHeaderActions: HeaderActions never panics, returns either actions or
// an error naming the header, and what it implies is complete: an action,
// the header, its source, and for a copy source the object it reads.
func FuzzHeaderActions(f *testing.F) {
	for _, tc := range headerCases {
		for k, v := range tc.header {
			f.Add(tc.op.Name, k, v[0])
		}
	}
	f.Add("CopyObject", "X-Amz-Copy-Source", "arn:aws:s3-outposts:r:1:outpost/o/accesspoint//object/k?versionId=")
	f.Add("CopyObject", "x-amz-copy-source", "%2F%2Fb%2Fk")
	f.Add("CreateBucket", "X-Amz-Bucket-Object-Lock-Enabled", " FALSE ")
	ops := map[string]Operation{
		"CopyObject": copyObject, "UploadPartCopy": partCopy, "PutObject": putObject,
		"CreateBucket": createBkt, "DeleteObjects": deleteObjs, "InvokeModel": invokeModel,
	}
	f.Fuzz(func(t *testing.T, opName, key, value string) {
		op, ok := ops[opName]
		if !ok {
			op = outpostsPut
		}
		imps, err := HeaderActions(op, http.Header{key: {value}})
		if err != nil {
			if imps != nil || !strings.Contains(err.Error(), http.CanonicalHeaderKey(key)) {
				t.Fatalf("error %v beside %+v, or not naming %s", err, imps, key)
			}
			return
		}
		for _, i := range imps {
			if i.Action == "" || i.Source == "" || !strings.EqualFold(i.Header, key) {
				t.Fatalf("incomplete: %+v", i)
			}
			if i.Header == "X-Amz-Copy-Source" && (i.Key == "" || (i.Bucket == "") == (i.AccessPoint == "")) {
				t.Fatalf("copy source without its object: %+v", i)
			}
		}
	})
}
