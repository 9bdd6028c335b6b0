package policy_test

import (
	"testing"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// viaAccessPoint is a read through an access point, as InputFor gives it.
func viaAccessPoint() policy.Input {
	in := getObject()
	in.Host = "reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com"
	in.Via = "accesspoint:reports-123456789012"
	in.Path = "/accesspoint:reports-123456789012/reports/2024.csv"
	return in
}

// TestInputForVia: every way of reaching a bucket the vault cannot see gets
// a Via that no bucket name can be, and the path /VIA/KEY.
func TestInputForVia(t *testing.T) {
	cases := []struct {
		name, url string
		via, path string
	}{
		{"bucket virtual-hosted", "https://my-bucket.s3.us-east-1.amazonaws.com/k/x", "", "/my-bucket/k/x"},
		{"bucket path style", "https://s3.us-east-1.amazonaws.com/my-bucket/k/x", "", "/my-bucket/k/x"},
		{"directory bucket", "https://b1--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/k", "", "/b1--use1-az4--x-s3/k"},
		{"access point", "https://reports-123456789012.s3-accesspoint.us-east-1.amazonaws.com/k/x",
			"accesspoint:reports-123456789012", "/accesspoint:reports-123456789012/k/x"},
		{"access point root", "https://reports-123456789012.s3-accesspoint.us-east-1.amazonaws.com/?list-type=2",
			"accesspoint:reports-123456789012", "/accesspoint:reports-123456789012"},
		{"access point dualstack fips", "https://reports-123456789012.s3-accesspoint-fips.dualstack.us-east-1.amazonaws.com/k",
			"accesspoint:reports-123456789012", "/accesspoint:reports-123456789012/k"},
		{"access point through privatelink", "https://reports-123456789012.accesspoint.vpce-0123456789abcdef0-abcdefgh.s3.us-east-1.vpce.amazonaws.com/k",
			"accesspoint:reports-123456789012", "/accesspoint:reports-123456789012/k"},
		{"access point alias virtual-hosted", "https://reports-abcdefghijklmnopqrstuvwxyz1-s3alias.s3.us-east-1.amazonaws.com/k",
			"alias:reports-abcdefghijklmnopqrstuvwxyz1-s3alias", "/alias:reports-abcdefghijklmnopqrstuvwxyz1-s3alias/k"},
		{"access point alias path style", "https://s3.us-east-1.amazonaws.com/reports-abcdefghijklmnopqrstuvwxyz1-s3alias/k",
			"alias:reports-abcdefghijklmnopqrstuvwxyz1-s3alias", "/alias:reports-abcdefghijklmnopqrstuvwxyz1-s3alias/k"},
		{"access point alias upper case", "https://s3.us-east-1.amazonaws.com/REPORTS-ABCDEFGHIJKLMNOP-S3ALIAS/k",
			"alias:REPORTS-ABCDEFGHIJKLMNOP-S3ALIAS", "/alias:REPORTS-ABCDEFGHIJKLMNOP-S3ALIAS/k"},
		{"object lambda alias", "https://redact-abcdefghijklmnopqrstuvwxyz--ol-s3.s3.us-east-1.amazonaws.com/k",
			"alias:redact-abcdefghijklmnopqrstuvwxyz--ol-s3", "/alias:redact-abcdefghijklmnopqrstuvwxyz--ol-s3/k"},
		{"s3 tables alias", "https://s3.us-east-1.amazonaws.com/a1b2c3d4-e5f6-7890-abcd-ef12345678--table-s3/data/x.parquet",
			"alias:a1b2c3d4-e5f6-7890-abcd-ef12345678--table-s3", "/alias:a1b2c3d4-e5f6-7890-abcd-ef12345678--table-s3/data/x.parquet"},
		{"multi-region access point", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k",
			"mrap:mfzwi23gnjvgw.mrap", "/mrap:mfzwi23gnjvgw.mrap/k"},
		{"object lambda access point", "https://redact-123456789012.s3-object-lambda.us-east-1.amazonaws.com/k",
			"object-lambda:redact-123456789012", "/object-lambda:redact-123456789012/k"},
		{"object lambda route", "https://io-abc123.s3-object-lambda.us-east-1.amazonaws.com/WriteGetObjectResponse",
			"object-lambda:io-abc123", "/object-lambda:io-abc123/WriteGetObjectResponse"},
		{"outposts access point", "https://reports-123456789012.op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com/k",
			"outposts:reports-123456789012.op-01ac5d28a6a232904", "/outposts:reports-123456789012.op-01ac5d28a6a232904/k"},
		{"outposts alias", "https://reports-abcdefghijklmnopqrstuv--op-s3.op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com/k",
			"outposts:reports-abcdefghijklmnopqrstuv--op-s3.op-01ac5d28a6a232904", "/outposts:reports-abcdefghijklmnopqrstuv--op-s3.op-01ac5d28a6a232904/k"},
		{"s3 control", "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/bucket/secret",
			"s3-control:123456789012", "/s3-control:123456789012/v20180820/bucket/secret"},
		{"s3 control, account in a header", "https://s3-control.us-east-1.amazonaws.com/v20180820/accesspoint/reports",
			"s3-control:", "/s3-control:/v20180820/accesspoint/reports"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := inputFor(t, "GET", c.url, nil, nil)
			if in.Via != c.via || in.Path != c.path {
				t.Errorf("Via %q, Path %q; want %q, %q", in.Via, in.Path, c.via, c.path)
			}
		})
	}
}

func TestEvaluateVia(t *testing.T) {
	const ap = "/accesspoint:reports-123456789012"
	key := func(k string) policy.Input {
		return with(viaAccessPoint(), func(in *policy.Input) { in.Path = ap + "/" + k })
	}
	runEval(t, []evalCase{
		{name: "no path rules", p: policy.Policy{AllowActions: []string{"s3:Get*"}}, in: viaAccessPoint()},
		{name: "deny_paths alone refuses", p: policy.Policy{DenyPaths: []string{"/secret-bucket/**"}}, in: viaAccessPoint(),
			rule: "allow_paths", msg: []string{`access point "reports-123456789012"`, "deny_paths", `"/accesspoint:reports-123456789012/**"`, "Name the bucket itself"}},
		{name: "a wildcard entry does not name it", p: policy.Policy{AllowPaths: []string{"/**"}}, in: viaAccessPoint(),
			rule: "allow_paths", msg: []string{"allow_paths"}},
		{name: "a wildcard segment does not name it", p: policy.Policy{AllowPaths: []string{"/*/reports/**"}}, in: viaAccessPoint(), rule: "allow_paths"},
		{name: "a partial wildcard does not name it", p: policy.Policy{AllowPaths: []string{"/accesspoint:*/**", "/accesspoint:reports-*/**"}}, in: viaAccessPoint(),
			rule: "allow_paths"},
		{name: "a longer name does not name it", p: policy.Policy{AllowPaths: []string{ap + "0/**"}}, in: viaAccessPoint(), rule: "allow_paths"},
		{name: "named", p: policy.Policy{AllowPaths: []string{ap + "/**"}}, in: viaAccessPoint()},
		{name: "named exactly", p: policy.Policy{AllowPaths: []string{ap}}, in: with(viaAccessPoint(), func(in *policy.Input) { in.Path = ap })},
		{name: "named with a glob after", p: policy.Policy{AllowPaths: []string{ap + "/reports/*.csv"}}, in: viaAccessPoint()},
		{name: "named, other key", p: policy.Policy{AllowPaths: []string{ap + "/public/**"}}, in: viaAccessPoint(), rule: "allow_paths",
			msg: []string{"grant allows only the paths /accesspoint:reports-123456789012/public/**", `"/accesspoint:reports-123456789012/reports/2024.csv"`}},
		{name: "named beside a bucket-wide entry", p: policy.Policy{AllowPaths: []string{"/**", ap + "/**"}, DenyPaths: []string{"/secret-bucket/**"}}, in: viaAccessPoint()},
		{name: "deny_paths still apply", p: policy.Policy{AllowPaths: []string{"/**", ap + "/**"}, DenyPaths: []string{ap + "/private/**"}}, in: key("private/x"),
			rule: "deny_paths"},
		{name: "dot-dot cannot leave it", p: policy.Policy{AllowPaths: []string{ap + "/**"}}, in: key("../secret-bucket/k"), rule: "allow_paths"},
		{name: "a via with a wildcard is never named", p: policy.Policy{AllowPaths: []string{"/lambda:a:*/**"}},
			in:   with(getObject(), func(in *policy.Input) { in.Via, in.Path = "lambda:a:*", "/lambda:a:*/2015-03-31/functions/a:*" }),
			rule: "allow_paths", msg: []string{`Lambda function "a:*"`}},
		{name: "an entry naming it does not allow a bucket", p: policy.Policy{AllowPaths: []string{ap + "/**"}}, in: getObject(), rule: "allow_paths"},
		{name: "s3 control", p: policy.Policy{DenyPaths: []string{"/secret-bucket/**"}},
			in:   with(getObject(), func(in *policy.Input) { in.Via, in.Path = "s3-control:", "/s3-control:/v20180820/bucket/secret-bucket" }),
			rule: "allow_paths", msg: []string{"S3 Control", `"/s3-control:/**"`}},
	})
}

// TestAccessPointCannotBypassPaths: a deny on a bucket is not escaped by
// reaching it through an access point, an alias or S3 Control.
func TestAccessPointCannotBypassPaths(t *testing.T) {
	p := policy.Policy{DenyPaths: []string{"/secret-bucket/**"}}
	for _, u := range []string{
		"https://secret-123456789012.s3-accesspoint.us-east-1.amazonaws.com/k",
		"https://secret-abcdefghijklmnopqrstuvwxyz1-s3alias.s3.us-east-1.amazonaws.com/k",
		"https://s3.us-east-1.amazonaws.com/secret-abcdefghijklmnopqrstuvwxyz1-s3alias/k",
		"https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k",
		"https://secret-123456789012.s3-object-lambda.us-east-1.amazonaws.com/k",
		"https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/bucket/secret-bucket",
	} {
		in := inputFor(t, "GET", u, nil, nil)
		if d := p.Evaluate(in); d.Allow || d.Rule != "allow_paths" {
			t.Errorf("%s: %+v, want allow_paths", u, d)
		}
	}
}

func TestInputForLambda(t *testing.T) {
	const base = "https://lambda.us-east-1.amazonaws.com"
	cases := []struct {
		name, path string
		want, via  string
	}{
		{"name", "/2015-03-31/functions/my-fn/invocations", "/2015-03-31/functions/my-fn/invocations", ""},
		{"name and qualifier", "/2015-03-31/functions/my-fn:PROD/invocations", "/2015-03-31/functions/my-fn/invocations", ""},
		{"latest", "/2015-03-31/functions/my-fn:$LATEST/invocations", "/2015-03-31/functions/my-fn/invocations", ""},
		{"partial arn", "/2015-03-31/functions/123456789012:function:my-fn/invocations", "/2015-03-31/functions/my-fn/invocations", ""},
		{"partial arn and qualifier", "/2015-03-31/functions/123456789012:function:my-fn:7/invocations", "/2015-03-31/functions/my-fn/invocations", ""},
		{"arn", "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-fn/invocations", "/2015-03-31/functions/my-fn/invocations", ""},
		{"arn escaped", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn%3APROD/invocations",
			"/2015-03-31/functions/my-fn/invocations", ""},
		{"arn without a tail", "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-fn", "/2015-03-31/functions/my-fn", ""},
		{"arn with a trailing slash", "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-fn/", "/2015-03-31/functions/my-fn/", ""},
		{"other api version", "/2021-10-31/functions/123456789012:function:my-fn/url", "/2021-10-31/functions/my-fn/url", ""},
		{"dot segments", "/2015-03-31/functions/x/../arn:aws:lambda:us-east-1:123456789012:function:secret/invocations",
			"/2015-03-31/functions/secret/invocations", ""},
		{"dot segment before functions", "/2015-03-31/./functions/1:function:secret/invocations", "/2015-03-31/functions/secret/invocations", ""},
		{"arn of another region", "/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:my-fn/invocations",
			"/lambda:arn:aws:lambda:eu-west-1:123456789012:function:my-fn/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:my-fn/invocations",
			"lambda:arn:aws:lambda:eu-west-1:123456789012:function:my-fn"},
		{"arn without a region", "/2015-03-31/functions/arn:aws:lambda::123456789012:function:my-fn",
			"/lambda:arn:aws:lambda::123456789012:function:my-fn/2015-03-31/functions/arn:aws:lambda::123456789012:function:my-fn",
			"lambda:arn:aws:lambda::123456789012:function:my-fn"},
		{"unreadable", "/2015-03-31/functions/a:b:c/invocations", "/lambda:a:b:c/2015-03-31/functions/a:b:c/invocations", "lambda:a:b:c"},
		{"empty qualifier", "/2015-03-31/functions/my-fn:/invocations", "/lambda:my-fn:/2015-03-31/functions/my-fn:/invocations", "lambda:my-fn:"},
		{"not a function", "/2015-03-31/event-source-mappings/", "/2015-03-31/event-source-mappings/", ""},
		{"functions list", "/2015-03-31/functions/", "/2015-03-31/functions/", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := inputFor(t, "POST", base+c.path, nil, nil)
			if in.Path != c.want || in.Via != c.via {
				t.Errorf("Path %q, Via %q; want %q, %q", in.Path, in.Via, c.want, c.via)
			}
		})
	}
	// A function URL is not the Lambda API: its path is the function's own.
	in := inputFor(t, "GET", "https://abc.lambda-url.us-east-1.on.aws/functions/a:b:c/x", nil, nil)
	if in.Path != "/functions/a:b:c/x" || in.Via != "" {
		t.Errorf("function URL: Path %q, Via %q", in.Path, in.Via)
	}
}

// TestLambdaNamesCannotBypassPaths: a path rule about a function holds
// however the request names it.
func TestLambdaNamesCannotBypassPaths(t *testing.T) {
	deny := policy.Policy{DenyPaths: []string{"/*/functions/secret/**"}}
	allow := policy.Policy{AllowPaths: []string{"/*/functions/public/**"}}
	for _, fn := range []string{
		"secret",
		"secret:PROD",
		"123456789012:function:secret",
		"111122223333:function:secret:1",
		"arn:aws:lambda:us-east-1:123456789012:function:secret",
		"arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Asecret%3APROD",
		"arn:aws:lambda:eu-west-1:123456789012:function:secret",
		"secret:a:b",
	} {
		in := inputFor(t, "POST", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"+fn+"/invocations", nil, nil)
		if d := deny.Evaluate(in); d.Allow {
			t.Errorf("deny_paths, %s: allowed (Path %q)", fn, in.Path)
		}
		if d := allow.Evaluate(in); d.Allow {
			t.Errorf("allow_paths, %s: allowed (Path %q)", fn, in.Path)
		}
	}
	in := inputFor(t, "POST", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:public:PROD/invocations", nil, nil)
	if d := allow.Evaluate(in); !d.Allow {
		t.Errorf("allow_paths, the public function by ARN: %+v", d)
	}
}

// TestEvaluateViaAllocs: an allowed call through a named access point
// allocates nothing.
func TestEvaluateViaAllocs(t *testing.T) {
	p := &policy.Policy{AllowPaths: []string{"/my-bucket/**", "/accesspoint:reports-123456789012/**"}, DenyPaths: []string{"**/private/**"}}
	in := viaAccessPoint()
	n := testing.AllocsPerRun(100, func() { evalSink = p.Evaluate(in) })
	if !evalSink.Allow || n != 0 {
		t.Errorf("%+v, %v allocations; want allow, 0", evalSink, n)
	}
}

func TestInputForViaKeepsOperation(t *testing.T) {
	ep, err := urlparse.Parse("https://reports-123456789012.s3-accesspoint.us-east-1.amazonaws.com/k")
	if err != nil {
		t.Fatal(err)
	}
	in := policy.InputFor(ep, catalog.Operation{Service: "s3", Action: "s3:GetObject", ReadOnly: true}, "GET", "/k")
	if in.Action != "s3:GetObject" || !in.ReadOnly || in.Host != ep.Host || in.Region != "us-east-1" {
		t.Errorf("InputFor = %+v", in)
	}
}
