package vault_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/policy"
)

// A trail in S3 is listed page by page (continuation tokens) and each log
// file read when the reconciler comes to it, all with the grant's key: the
// bucket's region is learnt from S3's answer, digest files are left out,
// and every call is audited.
func TestCloudTrailFilesFromS3(t *testing.T) {
	const prefix = "AWSLogs/123456789012/CloudTrail/eu-west-1/2027/01/31/"
	gz := func(reqID string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		json.NewEncoder(zw).Encode(map[string]any{"Records": []map[string]any{{"eventTime": "2027-01-31T09:00:00Z",
			"eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "requestID": reqID,
			"userIdentity": map[string]any{"type": "IAMUser", "accessKeyId": "AKIAOTHER"}}}})
		zw.Close()
		return b.Bytes()
	}
	objects := map[string][]byte{
		prefix + "123456789012_CloudTrail_eu-west-1_20270131T0905Z_a.json.gz": gz("R1"),
		prefix + "123456789012_CloudTrail_eu-west-1_20270131T0910Z_b.json.gz": gz("R2"),
	}
	var lists []string
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Host+r.URL.Path, "trail-bucket") {
			t.Errorf("a request for %s%s", r.Host, r.URL.Path)
		}
		if !strings.Contains(r.Header.Get("Authorization"), "/eu-west-1/s3/") {
			w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
			w.WriteHeader(301)
			fmt.Fprint(w, `<Error><Code>PermanentRedirect</Code><Message>elsewhere</Message></Error>`)
			return
		}
		key := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/trail-bucket"), "/")
		if r.URL.Query().Get("list-type") == "2" {
			lists = append(lists, r.URL.Query().Get("continuation-token"))
			if r.URL.Query().Get("continuation-token") == "" {
				fmt.Fprintf(w, `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>page2</NextContinuationToken>`+
					`<Contents><Key>%s123456789012_CloudTrail_eu-west-1_20270131T0905Z_a.json.gz</Key></Contents>`+
					`<Contents><Key>AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2027/01/31/d.json.gz</Key></Contents></ListBucketResult>`, prefix)
				return
			}
			fmt.Fprintf(w, `<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>%s123456789012_CloudTrail_eu-west-1_20270131T0910Z_b.json.gz</Key></Contents></ListBucketResult>`, prefix)
			return
		}
		body, ok := objects[key]
		if !ok {
			w.WriteHeader(404)
			return
		}
		w.Write(body)
	})
	h := routedHarness(t, f, nil)
	h.addGrant(t, "trail-reader", policy.Policy{AllowServices: []string{"s3"}, ReadOnly: true})

	files, err := h.v.CloudTrailFiles(t.Context(), "trail-reader", "s3://trail-bucket/AWSLogs/123456789012/", "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || !strings.HasSuffix(files[1].Name, "_b.json.gz") || !strings.HasPrefix(files[0].Name, "s3://trail-bucket/AWSLogs/") {
		t.Fatalf("files %+v", files)
	}
	if fmt.Sprint(lists) != "[ page2]" {
		t.Errorf("listings with tokens %q", lists)
	}
	r := audit.Reconciler{}
	if err := r.ReadTrailFiles(context.Background(), files); err != nil {
		t.Fatal(err)
	}
	if res := r.Result(); res.Files != 2 || res.Events != 2 || res.OtherEvents != 2 {
		t.Errorf("%+v", res)
	}
	for _, rec := range h.audit(t) {
		if rec.Kind == audit.KindEnd && rec.Entry.Tool != "audit.reconcile" {
			t.Errorf("a call of %q", rec.Entry.Tool)
		}
	}

	if _, err := h.v.CloudTrailFiles(t.Context(), "trail-reader", "trail-bucket/x", "", time.Time{}); err == nil {
		t.Error("a location without s3:// was taken")
	}
}
