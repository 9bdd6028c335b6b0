package policy_test

import (
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// invokeAPI is a call to an API Gateway API: a host anyone can own.
func invokeAPI() policy.Input {
	return policy.Input{
		Services:     []string{"execute-api"},
		Region:       "us-east-1",
		Method:       "POST",
		Host:         "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
		Path:         "/prod/orders",
		Action:       "execute-api:Invoke",
		BodyBytes:    10,
		Time:         t0,
		CustomerHost: true,
	}
}

// getSessionToken hands out credentials; the catalog calls it read-only.
func getSessionToken() policy.Input {
	return policy.Input{
		Services:          []string{"sts"},
		Region:            "us-east-1",
		Method:            "POST",
		Host:              "sts.us-east-1.amazonaws.com",
		Path:              "/",
		Action:            "sts:GetSessionToken",
		ReadOnly:          true,
		BodyBytes:         40,
		Time:              t0,
		IssuesCredentials: true,
	}
}

func TestEvaluateIssueCredentials(t *testing.T) {
	runEval(t, []evalCase{
		{name: "off by default", p: policy.Policy{}, in: getSessionToken(),
			rule: "issue_credentials", msg: []string{"sts:GetSessionToken hands out credentials", "issue_credentials is off", "ask the operator"}},
		{name: "on", p: policy.Policy{IssueCredentials: true}, in: getSessionToken()},
		{name: "read-only grant", p: policy.Policy{ReadOnly: true}, in: getSessionToken(),
			rule: "issue_credentials", msg: []string{"read-only grant never issues credentials"}},
		{name: "allow_actions star does not opt in", p: policy.Policy{AllowActions: []string{"*"}}, in: getSessionToken(),
			rule: "issue_credentials"},
		{name: "unidentified", p: policy.Policy{}, in: with(getSessionToken(), func(in *policy.Input) { in.Action = "" }),
			rule: "issue_credentials", msg: []string{"this operation hands out"}},
		{name: "other calls need no opt-in", p: policy.Policy{}, in: getObject()},
		{name: "the opt-in allows only issuing", p: policy.Policy{IssueCredentials: true, DenyActions: []string{"sts:*"}}, in: getSessionToken(),
			rule: "deny_actions"},
	})
	// Validate refuses read_only with issue_credentials; Evaluate refuses
	// the call anyway.
	p := policy.Policy{ReadOnly: true, IssueCredentials: true}
	if d := p.Evaluate(getSessionToken()); d.Rule != "issue_credentials" || !strings.Contains(d.Message, "read-only") {
		t.Errorf("read_only with issue_credentials: %+v, want issue_credentials", d)
	}
}

func TestEvaluateCustomerHosts(t *testing.T) {
	runEval(t, []evalCase{
		{name: "off by default", p: policy.Policy{}, in: invokeAPI(),
			rule: "allow_customer_hosts", msg: []string{`"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"`, "sees this signed request", "allow_customer_hosts is empty"}},
		{name: "named", p: policy.Policy{AllowCustomerHosts: []string{"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"}}, in: invokeAPI()},
		{name: "glob", p: policy.Policy{AllowCustomerHosts: []string{"**.execute-api.us-east-1.amazonaws.com"}}, in: invokeAPI()},
		{name: "glob case-insensitive", p: policy.Policy{AllowCustomerHosts: []string{"A1B2C3D4E5.**"}}, in: invokeAPI()},
		{name: "other host", p: policy.Policy{AllowCustomerHosts: []string{"zzz.execute-api.us-east-1.amazonaws.com", "*.lambda-url.*.on.aws"}}, in: invokeAPI(),
			rule: "allow_customer_hosts", msg: []string{"zzz.execute-api.us-east-1.amazonaws.com, *.lambda-url.*.on.aws"}},
		{name: "star is one label", p: policy.Policy{AllowCustomerHosts: []string{"*.us-east-1.amazonaws.com"}}, in: invokeAPI(),
			rule: "allow_customer_hosts"},
		{name: "allow_hosts does not open one", p: policy.Policy{AllowHosts: []string{"**"}}, in: invokeAPI(),
			rule: "allow_customer_hosts"},
		{name: "allow_hosts still applies", p: policy.Policy{AllowCustomerHosts: []string{"**.execute-api.**"}, AllowHosts: []string{"s3.**"}}, in: invokeAPI(),
			rule: "allow_hosts"},
		{name: "AWS hosts need no opt-in", p: policy.Policy{AllowCustomerHosts: []string{"**.execute-api.**"}}, in: getObject()},
	})
}

func TestInputForOptIns(t *testing.T) {
	cases := []struct {
		url              string
		op               catalog.Operation
		issues, customer bool
	}{
		{"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/orders", catalog.Operation{}, false, true},
		{"https://abc.lambda-url.us-east-1.on.aws/", catalog.Operation{}, false, true},
		{"https://sts.us-east-1.amazonaws.com/", catalog.Operation{Service: "sts", Action: "sts:GetSessionToken", IssuesCredentials: true}, true, false},
		{"https://sts.us-east-1.amazonaws.com/", catalog.Operation{Service: "sts", Action: "sts:GetCallerIdentity"}, false, false},
		{"https://my-bucket.s3.us-east-1.amazonaws.com/k", catalog.Operation{}, false, false},
	}
	for _, c := range cases {
		ep, err := urlparse.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		in := policy.InputFor(ep, c.op, "POST", "/")
		if in.IssuesCredentials != c.issues || in.CustomerHost != c.customer {
			t.Errorf("%s %s: IssuesCredentials %v, CustomerHost %v; want %v, %v", c.url, c.op.Action, in.IssuesCredentials, in.CustomerHost, c.issues, c.customer)
		}
	}
}

// TestEvaluateOptInsAllocs: an allowed call to a named customer host, or
// that issues credentials on a grant that may, allocates nothing.
func TestEvaluateOptInsAllocs(t *testing.T) {
	p := &policy.Policy{IssueCredentials: true, AllowCustomerHosts: []string{"**.execute-api.us-east-1.amazonaws.com"}}
	for _, in := range []policy.Input{invokeAPI(), getSessionToken()} {
		n := testing.AllocsPerRun(100, func() { evalSink = p.Evaluate(in) })
		if !evalSink.Allow || n != 0 {
			t.Errorf("%s: %+v, %v allocations; want allow, 0", in.Action, evalSink, n)
		}
	}
}
