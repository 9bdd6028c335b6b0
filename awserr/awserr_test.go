package awserr

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// cloudWatchCBOR is a CloudWatch-shaped CBOR error, encoded by smithy-go's
// encoding/cbor: a map whose members, in this order, are a nested map with
// its own "message", a bool, __type, message, a uint32, an array (text,
// bytes, a tagged time), a float64 and a null.
const cloudWatchCBOR = "a9636e656724666e6573746564a1676d6573736167656c6e6f742074686973206f6e656174f5665f5f747970657829636f6d2e616d617a6f6e6177732e636c6f75647761746368235265736f757263654e6f74466f756e64676d657373616765781a546865206d657472696320646f6573206e6f742065786973742e616e1a00011170646c697374836161420102c11a6553f1006166fb3ff8000000000000636e696cf6"

func unhex(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
	}{
		{"s3 rest-xml", 404, hdr("X-Amz-Request-Id", "R1", "X-Amz-Id-2", "H1"),
			`<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a b</Key><RequestId>R-body</RequestId><HostId>H-body</HostId></Error>`,
			Error{Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "R1", HostID: "H1"}},
		{"s3 ids from the body", 404, nil, `<Error><Code>NoSuchBucket</Code><RequestId>R-body</RequestId><HostId>H-body</HostId></Error>`,
			Error{Code: "NoSuchBucket", RequestID: "R-body", HostID: "H-body"}},
		{"s3 redirect", 301, hdr("X-Amz-Bucket-Region", "eu-west-1"),
			`<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>b</Bucket></Error>`,
			Error{Code: "PermanentRedirect", Message: "The bucket you are attempting to access must be addressed using the specified endpoint.", Region: "eu-west-1", Endpoint: "b.s3.eu-west-1.amazonaws.com"}},
		{"s3 region in the body", 400, nil,
			`<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-central-1'</Message><Region>eu-central-1</Region></Error>`,
			Error{Code: "AuthorizationHeaderMalformed", Message: "the region 'us-east-1' is wrong; expecting 'eu-central-1'", Region: "eu-central-1"}},
		{"query", 403, nil,
			`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>4f7a</RequestId></ErrorResponse>`,
			Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", RequestID: "4f7a"}},
		{"query, Errors as moto writes it", 400, hdr("X-Amzn-Requestid", "hdr"),
			`<ErrorResponse><Errors><Error><Code>NoSuchEntity</Code><Message>The role x cannot be found.</Message></Error></Errors><RequestId>body</RequestId></ErrorResponse>`,
			Error{Code: "NoSuchEntity", Message: "The role x cannot be found.", RequestID: "hdr"}},
		{"ec2", 403, nil,
			`<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>ec2-id</RequestID></Response>`,
			Error{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation.", RequestID: "ec2-id"}},
		{"xml fields only where AWS puts them", 400, nil,
			`<Error><Details><Code>inner</Code><Message>inner</Message></Details><Code>outer</Code><Message>outer</Message></Error>`,
			Error{Code: "outer", Message: "outer"}},
		{"xml cut short (a peek)", 503, nil, `<Error><Code>SlowDown</Code><Message>Please reduce your requ`, Error{Code: "SlowDown"}},
		{"xml cut inside the code", 503, nil, `<Error><Code>Trunc`, Error{}},
		{"xml with a byte-order mark and blanks", 400, nil, "\ufeff \n<Error>\n  <Code> InvalidArgument </Code>\n  <Message>\n bad\n</Message>\n</Error>\n",
			Error{Code: "InvalidArgument", Message: "bad"}},
		{"xml with an HTML entity", 400, nil, `<Error><Code>X</Code><Message>a&nbsp;b</Message></Error>`, Error{Code: "X", Message: "a&nbsp;b"}},
		{"awsJson", 400, hdr("X-Amzn-Requestid", "J1"),
			`{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredTokenException","message":"The security token included in the request is expired"}`,
			Error{Code: "ExpiredTokenException", Message: "The security token included in the request is expired", RequestID: "J1"}},
		{"rest-json: code in the header", 400, hdr("X-Amzn-Errortype", "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/"),
			`{"message":"The security token included in the request is invalid."}`,
			Error{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid."}},
		{"the header's code before the body's", 403, hdr("X-Amzn-Errortype", "AccessDeniedException"), `{"__type":"Other","Message":"not authorized"}`,
			Error{Code: "AccessDeniedException", Message: "not authorized"}},
		{"rest-json: code in the body", 400, nil,
			`{"code":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/","message":"x"}`,
			Error{Code: "FooError", Message: "x"}},
		{"json: __type before code", 400, nil, `{"code":"B","__type":"ns#A","Message":"m2","message":"m1"}`, Error{Code: "A", Message: "m1"}},
		{"json: code and Message", 400, nil, `{"Message":"m","code":"ValidationException"}`, Error{Code: "ValidationException", Message: "m"}},
		{"json: no code", 403, nil, `{"Message":"User: arn:aws:iam::1:user/x is not authorized to perform: lambda:ListFunctions"}`,
			Error{Message: "User: arn:aws:iam::1:user/x is not authorized to perform: lambda:ListFunctions"}},
		{"json: lambda function error", 200, nil, `{"errorMessage":"boom","errorType":"Error"}`, Error{Message: "boom"}},
		{"json: values that are no strings", 400, nil, `{"__type":7,"message":{"a":1},"Message":"ok"}`, Error{Message: "ok"}},
		{"cbor", 400, hdr("Smithy-Protocol", "rpc-v2-cbor", "Content-Type", "application/cbor"), unhex(cloudWatchCBOR),
			Error{Code: "ResourceNotFound", Message: "The metric does not exist."}},
		{"cbor, indefinite lengths", 400, nil,
			// {_ "__type": (_ "ns#", "Throttl", "ing"), "message": "slow"} with a uint key and value first
			"\xbf\x01\x02\x66__type\x7f\x63ns#\x67Throttl\x63ing\xff\x67message\x64slow\xff",
			Error{Code: "Throttling", Message: "slow"}},
		{"cbor cut short: what came before counts", 400, nil, unhex(cloudWatchCBOR)[:120], Error{Code: "ResourceNotFound"}},
		{"no body", 404, hdr("X-Amz-Request-Id", "R"), ``, Error{RequestID: "R"}},
		{"html from a proxy", 502, nil, `<html><body><h1>502 Bad Gateway</h1></body></html>`, Error{}},
		{"text", 500, nil, `Internal Server Error`, Error{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(tc.status, tc.header, []byte(tc.body))
			tc.want.Status = tc.status
			if *got != tc.want {
				t.Errorf("Parse:\n got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestParseBoundsText(t *testing.T) {
	long := strings.Repeat("x", 3*maxText)
	for _, body := range []string{
		`<Error><Code>C</Code><Message>` + long + `</Message></Error>`,
		`{"__type":"C","message":"` + long + `"}`,
	} {
		if e := Parse(400, nil, []byte(body)); e.Code != "C" || len(e.Message) != maxText {
			t.Errorf("%.40s...: code %q, message of %d bytes", body, e.Code, len(e.Message))
		}
	}
}

func TestRequestID(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		want string
	}{
		{hdr("X-Amzn-Requestid", "a", "X-Amz-Request-Id", "b"), "a"},
		{hdr("x-amz-request-id", "b"), "b"},
		{hdr("X-Amzn-Request-Id", "c"), "c"},
		{nil, ""},
	} {
		if got := RequestID(tc.h); got != tc.want {
			t.Errorf("RequestID(%v) = %q, want %q", tc.h, got, tc.want)
		}
	}
	if got := HostID(hdr("x-amz-id-2", "h")); got != "h" {
		t.Errorf("HostID = %q", got)
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		status     int
		code       string
		retry, thr bool
	}{
		{503, "", true, false},
		{500, "InternalError", true, false},
		{429, "", true, false},
		{501, "NotImplemented", false, false},
		{400, "ThrottlingException", true, true},
		{400, "Throttling", true, true},
		{503, "SlowDown", true, true},
		{400, "LimitExceededException", true, true},
		{400, "RequestTimeout", true, false},
		{404, "NoSuchKey", false, false},
		{403, "AccessDenied", false, false},
		{301, "SlowDown", false, true}, // only error statuses are retried
	} {
		e := &Error{Status: tc.status, Code: tc.code}
		if e.Retryable() != tc.retry || e.Throttling() != tc.thr {
			t.Errorf("%d %s: Retryable %v Throttling %v, want %v %v", tc.status, tc.code, e.Retryable(), e.Throttling(), tc.retry, tc.thr)
		}
	}
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{Status: 404, Code: "NoSuchKey", Message: "gone", RequestID: "R"}, "AWS answered 404 NoSuchKey: gone (request id R)"},
		{Error{Status: 503}, "AWS answered 503"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestFromResponse(t *testing.T) {
	e := &Error{Status: 403, Code: "AccessDenied"}
	req, _ := http.NewRequestWithContext(NewContext(context.Background(), e), "GET", "https://s3.amazonaws.com/", nil)
	if got, ok := FromResponse(&http.Response{Request: req}); !ok || got != e {
		t.Errorf("FromResponse = %v, %v", got, ok)
	}
	plain, _ := http.NewRequest("GET", "https://s3.amazonaws.com/", nil)
	for _, resp := range []*http.Response{nil, {}, {Request: plain}} {
		if got, ok := FromResponse(resp); ok || got != nil {
			t.Errorf("FromResponse(%v) = %v, %v", resp, got, ok)
		}
	}
	if _, ok := FromContext(NewContext(context.Background(), nil)); ok {
		t.Error("FromContext finds a nil Error")
	}
}
