package tools

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
)

func TestXMLToJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>false</IsTruncated>
<Contents><Key>a</Key><Size>1</Size></Contents><Contents><Key>b &amp; c</Key><Size>2</Size></Contents></ListBucketResult>`,
			`{"ListBucketResult":{"Name":"b","IsTruncated":"false","Contents":[{"Key":"a","Size":"1"},{"Key":"b & c","Size":"2"}]}}`},
		{`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/x</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
			`{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:iam::1:user/x"},"ResponseMetadata":{"RequestId":"r"}}}`},
		{`<a x="1"><b/>text</a>`, `{"a":{"@x":"1","b":"","#text":"text"}}`},
		{`<Empty></Empty>`, `{"Empty":""}`},
	} {
		v, err := xmlToJSON([]byte(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got, _ := marshal(v); string(got) != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "plain text", "<a><b></a>", "<a>"} {
		if _, err := xmlToJSON([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestShapeBody(t *testing.T) {
	for _, tc := range []struct {
		body, ct, format string
		wantFormat       string
		want             string
	}{
		{`{"a":1}`, "application/x-amz-json-1.0", "", "json", `{"a":1}`},
		{`{"a":1}`, "", formatAuto, "json", `{"a":1}`},
		{`<A><B>1</B></A>`, "application/xml", "", "json", `{"A":{"B":"1"}}`},
		{`<A><B>1</B></A>`, "application/xml", formatText, "text", `"<A><B>1</B></A>"`},
		{"<html><body>hi</body></html>", "text/html", "", "text", `"<html><body>hi</body></html>"`},
		{"héllo", "text/plain", "", "text", `"héllo"`},
		{"\x00\x01\xff", "application/octet-stream", "", "base64", `"AAH/"`},
		{"\x00\x01\xff", "", formatText, "base64", `"AAH/"`},
		{"hi", "", formatBase64, "base64", `"aGk="`},
		{`{"broken":`, "application/json", "", "text", `"{\"broken\":"`},
		{"", "application/json", "", "text", `""`},
	} {
		f, v := shapeBody([]byte(tc.body), tc.ct, tc.format)
		if got, _ := marshal(v); f != tc.wantFormat || string(got) != tc.want {
			t.Errorf("%q as %s/%q: %s %s, want %s %s", tc.body, tc.ct, tc.format, f, got, tc.wantFormat, tc.want)
		}
	}
}

func TestCutUTF8(t *testing.T) {
	s := "aé中🙂"
	for i := 0; i <= len(s); i++ {
		got := cutUTF8([]byte(s[:i]))
		if !utf8.Valid(got) || !strings.HasPrefix(s, string(got)) || i-len(got) > 3 {
			t.Errorf("cut of %q: %q", s[:i], got)
		}
	}
	// Binary stays as it is.
	if got := cutUTF8([]byte{0xff, 0xfe, 0xe4}); len(got) != 3 {
		t.Errorf("binary: %x", got)
	}
}

func TestReadHead(t *testing.T) {
	for _, n := range []int{0, 5, 10, 11} {
		head, more, rest, err := readHead(strings.NewReader("0123456789"), n)
		if err != nil {
			t.Fatal(err)
		}
		var tail []byte
		if rest != nil {
			tail, _ = io.ReadAll(rest)
		}
		if string(head)+string(tail) != "0123456789" || more != (n < 10) || len(head) != min(n, 10) {
			t.Errorf("n=%d: %q %v %q", n, head, more, tail)
		}
	}
}

func TestParseAWSError(t *testing.T) {
	for _, tc := range []struct {
		status             int
		header             http.Header
		body               string
		code, region, hint string
	}{
		{301, http.Header{"X-Amz-Bucket-Region": {"eu-west-1"}},
			`<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint></Error>`,
			"PermanentRedirect", "eu-west-1", "eu-west-1"},
		{301, nil, `<Error><Code>PermanentRedirect</Code><Endpoint>b.s3.ap-southeast-2.amazonaws.com</Endpoint></Error>`,
			"PermanentRedirect", "ap-southeast-2", "https://BUCKET.s3.ap-southeast-2.amazonaws.com"},
		{301, nil, ``, "PermanentRedirect", "", "HEAD"},
		{400, nil, `<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-central-1'</Message><Region>eu-central-1</Region></Error>`,
			"AuthorizationHeaderMalformed", "eu-central-1", "eu-central-1"},
		{403, nil, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`,
			"InvalidClientTokenId", "", "does not know the grant's access key"},
		{400, http.Header{"X-Amzn-Errortype": {"UnrecognizedClientException:http://internal.amazon.com/coral/"}}, `{"message":"The security token included in the request is invalid."}`,
			"UnrecognizedClientException", "", "does not know"},
		{400, nil, `{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredTokenException","message":"The security token included in the request is expired"}`,
			"ExpiredTokenException", "", "expired"},
		{403, nil, `{"Message":"User: arn:aws:iam::1:user/x is not authorized to perform: lambda:ListFunctions"}`, "", "", ""},
		{403, http.Header{"X-Amzn-Errortype": {"AccessDeniedException"}}, `{"Message":"not authorized"}`, "AccessDeniedException", "", "aws_whoami"},
		{400, nil, `<Error><Code>IncompleteSignature</Code></Error>`, "IncompleteSignature", "", "aws_operations"},
		{403, nil, `<Error><Code>SignatureDoesNotMatch</Code><Message>x-amz-security-token:FwoGZXIvYXdzSECRET
host:b.s3.amazonaws.com</Message></Error>`, "SignatureDoesNotMatch", "", "%20"},
	} {
		e := parseAWSError(tc.status, tc.header, []byte(tc.body))
		hint := hintFor(e)
		if e.Code != tc.code || e.Region != tc.region || !strings.Contains(hint, tc.hint) {
			t.Errorf("%d %s: %+v, hint %q", tc.status, tc.body, e, hint)
		}
		if strings.Contains(e.Message, "SECRET") {
			t.Errorf("the message keeps the session token: %q", e.Message)
		}
	}
}

// The hints read the error the vault parsed, when the answer carries one,
// and leave it as the vault made it.
func TestAnswerErrorFromTheVault(t *testing.T) {
	parsed := &awserr.Error{Status: 301, Endpoint: "bkt.s3.eu-central-1.amazonaws.com"}
	req, _ := http.NewRequestWithContext(awserr.NewContext(t.Context(), parsed), "HEAD", "https://bkt.s3.us-east-1.amazonaws.com/", nil)
	e := answerError(&http.Response{StatusCode: 301, Request: req}, []byte(`<Error><Code>Other</Code></Error>`))
	if e.Code != "PermanentRedirect" || e.Region != "eu-central-1" || !strings.Contains(hintFor(e), "https://BUCKET.s3.eu-central-1.amazonaws.com/") {
		t.Errorf("answerError = %+v, hint %q", e, hintFor(e))
	}
	if parsed.Code != "" || parsed.Region != "" {
		t.Errorf("the vault's error changed: %+v", parsed)
	}
	// Without one (an answer that did not come from vault.Request), head is parsed.
	e = answerError(&http.Response{StatusCode: 400, Header: http.Header{}}, []byte(`{"__type":"x#ThrottlingException"}`))
	if e.Code != "ThrottlingException" || !strings.Contains(hintFor(e), "throttling") {
		t.Errorf("answerError = %+v, hint %q", e, hintFor(e))
	}
}

func TestBindArguments(t *testing.T) {
	req := func(raw string) (r mcp.CallToolRequest) {
		r.Params.Name = "s3_get"
		r.Params.RawArguments = json.RawMessage(raw)
		return r
	}
	if a, err := bind[s3GetArgs](req(`{"bucket":"b","key":"k","offset":12,"grant_id":"g","context":{"n":1}}`)); err != nil ||
		a.Bucket != "b" || a.Offset != 12 || a.GrantID != "g" || a.Context["n"] != 1.0 {
		t.Errorf("bind: %+v %v", a, err)
	}
	for raw, want := range map[string]string{
		`{"bucket":"b","offset":"12"}`: "argument offset must be an integer, not string",
		`{"bucket":"b","keys":"k"}`:    `unknown argument "keys"; the arguments are: bucket, context, grant_id, key, max_bytes, offset, overwrite, reason, save_to, version_id`,
		`[1]`:                          "could not be read",
	} {
		if _, err := bind[s3GetArgs](req(raw)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
	if a, err := bind[s3GetArgs](req(``)); err != nil || a.Bucket != "" {
		t.Errorf("no arguments: %+v %v", a, err)
	}
	if !bytes.Contains(schemaOf[s3GetArgs](), []byte(`"required":["bucket","key"]`)) {
		t.Errorf("schema: %s", schemaOf[s3GetArgs]())
	}
}
