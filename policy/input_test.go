package policy_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// inputFor runs a request through urlparse, catalog and InputFor, as the
// vault does.
func inputFor(t testing.TB, method, raw string, header http.Header, body []byte) policy.Input {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := urlparse.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	op := catalog.Identify(ep, method, u.EscapedPath(), u.RawQuery, header, body)
	return policy.InputFor(ep, op, method, u.Path)
}

func TestInputFor(t *testing.T) {
	cases := []struct {
		name, method, url string
		header            http.Header
		body              string
		want              policy.Input
	}{
		{
			name: "s3 virtual-hosted", method: "GET",
			url: "https://my-bucket.s3.eu-west-1.amazonaws.com/reports/a%20b.csv",
			want: policy.Input{Services: []string{"s3"}, Region: "eu-west-1", Method: "GET",
				Host: "my-bucket.s3.eu-west-1.amazonaws.com", Path: "/my-bucket/reports/a b.csv",
				Action: "s3:GetObject", ReadOnly: true, BodyBytes: -1},
		},
		{
			name: "s3 path style", method: "GET",
			url: "https://s3.eu-west-1.amazonaws.com/my-bucket/reports/a%20b.csv",
			want: policy.Input{Services: []string{"s3"}, Region: "eu-west-1", Method: "GET",
				Host: "s3.eu-west-1.amazonaws.com", Path: "/my-bucket/reports/a b.csv",
				Action: "s3:GetObject", ReadOnly: true, BodyBytes: -1},
		},
		{
			name: "s3 bucket listing", method: "GET",
			url: "https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2",
			want: policy.Input{Services: []string{"s3"}, Region: "eu-west-1", Method: "GET",
				Host: "my-bucket.s3.eu-west-1.amazonaws.com", Path: "/my-bucket",
				Action: "s3:ListBucket", ReadOnly: true, BodyBytes: -1},
		},
		{
			name: "bedrock-runtime", method: "POST",
			url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
			want: policy.Input{Services: []string{"bedrock", "bedrock-runtime"}, Region: "us-east-1", Method: "POST",
				Host: "bedrock-runtime.us-east-1.amazonaws.com", Path: "/model/m/converse",
				Action: "bedrock:InvokeModel", BodyBytes: -1},
		},
		{
			name: "cloudwatch", method: "POST", url: "https://monitoring.us-east-1.amazonaws.com/",
			body:   "Action=ListMetrics&Version=2010-08-01",
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			want: policy.Input{Services: []string{"cloudwatch", "monitoring"}, Region: "us-east-1", Method: "POST",
				Host: "monitoring.us-east-1.amazonaws.com", Path: "/",
				Action: "cloudwatch:ListMetrics", ReadOnly: true, BodyBytes: -1},
		},
		{
			name: "global iam", method: "POST", url: "https://iam.amazonaws.com/",
			body:   "Action=ListUsers&Version=2010-05-08",
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			want: policy.Input{Services: []string{"iam"}, Region: "us-east-1", Method: "POST",
				Host: "iam.amazonaws.com", Path: "/", Action: "iam:ListUsers", ReadOnly: true, BodyBytes: -1},
		},
		{
			name: "unknown operation", method: "POST", url: "https://sts.us-east-1.amazonaws.com/",
			body:   "Action=MintMoney",
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			want: policy.Input{Services: []string{"sts"}, Region: "us-east-1", Method: "POST",
				Host: "sts.us-east-1.amazonaws.com", Path: "/", BodyBytes: -1},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := inputFor(t, c.method, c.url, c.header, []byte(c.body))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("InputFor:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestInputForUnknownUsesIAMPrefix(t *testing.T) {
	// An operation the catalog does not know, of a service it knows under
	// other names: the IAM prefix comes from the catalog.
	ep := urlparse.Endpoint{Host: "monitoring.us-east-1.amazonaws.com", Service: "monitoring", SigningName: "monitoring", SigningRegion: "us-east-1"}
	in := policy.InputFor(ep, catalog.Operation{Service: "cloudwatch"}, "POST", "/")
	if want := []string{"cloudwatch", "monitoring"}; !reflect.DeepEqual(in.Services, want) {
		t.Fatalf("Services = %q, want %q", in.Services, want)
	}
	p := policy.Policy{DenyActions: []string{"cloudwatch:*"}}
	if d := p.Evaluate(in); d.Rule != "deny_actions" {
		t.Errorf("unknown cloudwatch operation under deny cloudwatch:*: %+v, want deny_actions", d)
	}
	// ReadOnly from an Operation without an action is never trusted.
	in = policy.InputFor(ep, catalog.Operation{Service: "cloudwatch", ReadOnly: true}, "GET", "/")
	if in.ReadOnly {
		t.Error("ReadOnly set for an operation without an action")
	}
}

// TestS3AddressingCannotBypassPaths: a path rule about a bucket holds for
// every way of addressing it.
func TestS3AddressingCannotBypassPaths(t *testing.T) {
	p := policy.Policy{DenyPaths: []string{"/secret-bucket/**"}}
	for _, u := range []string{
		"https://secret-bucket.s3.us-east-1.amazonaws.com/k",
		"https://s3.us-east-1.amazonaws.com/secret-bucket/k",
		"https://s3.amazonaws.com/secret-bucket/k",
		"https://secret-bucket.s3.amazonaws.com/",
	} {
		if d := p.Evaluate(inputFor(t, "GET", u, nil, nil)); d.Allow || d.Rule != "deny_paths" {
			t.Errorf("%s: %+v, want deny_paths", u, d)
		}
	}
	if d := p.Evaluate(inputFor(t, "GET", "https://public-bucket.s3.us-east-1.amazonaws.com/secret-bucket/k", nil, nil)); !d.Allow {
		t.Errorf("another bucket whose key starts with the name: %+v", d)
	}
}
