package policy_test

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

func ExampleParse() {
	p, err := policy.Parse([]byte(`{
		"allow_actions": ["s3:Get*", "s3:List*"],
		"deny_paths": ["/my-bucket/private/**"],
		"read_only": true,
		"require_reason": true
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}

	// What the vault does with each call: parse the URL, identify the
	// operation, describe the call, evaluate.
	evaluate := func(method, raw, reason string) {
		u, _ := url.Parse(raw)
		ep, err := urlparse.Parse(raw)
		if err != nil {
			fmt.Println(err)
			return
		}
		op := catalog.Identify(ep, method, u.EscapedPath(), u.RawQuery, nil, nil)
		in := policy.InputFor(ep, op, method, u.Path)
		in.Reason, in.BodyBytes, in.Time = reason, 0, time.Now()
		d := p.Evaluate(in)
		if d.Allow {
			fmt.Println("allow", in.Action)
			return
		}
		fmt.Printf("deny (%s): %s\n", d.Rule, d.Message)
	}
	evaluate("GET", "https://my-bucket.s3.eu-west-1.amazonaws.com/reports/2024.csv", "monthly report")
	evaluate("PUT", "https://my-bucket.s3.eu-west-1.amazonaws.com/reports/2024.csv", "fix a typo")
	evaluate("GET", "https://my-bucket.s3.eu-west-1.amazonaws.com/private/keys.txt", "curious")
	evaluate("GET", "https://my-bucket.s3.eu-west-1.amazonaws.com/reports/2024.csv", "")
	// Output:
	// allow s3:GetObject
	// deny (allow_actions): grant allows only the actions s3:Get*, s3:List*; s3:PutObject is not among them. Use a grant that allows it, or ask the operator.
	// deny (deny_paths): grant denies the path "/my-bucket/private/keys.txt" (deny_paths has "/my-bucket/private/**"). Use a grant for that path, or ask the operator.
	// deny (require_reason): grant requires a reason: say in reason why you make this call (the task it serves), then retry.
}

func ExampleParse_error() {
	_, err := policy.Parse([]byte(`{"deny_action": ["s3:Delete*"], "rate": {"per_second": 0, "burst": 5}}`))
	fmt.Println(err)
	_, err = policy.Parse([]byte(`{"allow_actions": ["GetObject"], "rate": {"per_second": 0, "burst": 5}}`))
	fmt.Println(err)
	// Output:
	// policy: deny_action: unknown field; did you mean deny_actions?
	// policy: allow_actions[0]: "GetObject" is not an IAM action: write "prefix:Name" with the wildcards * and ? in Name (s3:GetObject, s3:Get*, dynamodb:*), or "*" for every action
	// policy: rate.per_second: 0: write a number of calls per second above 0 (0.5 is one call every two seconds)
}

func ExampleLimiter() {
	var l policy.Limiter
	p := &policy.Policy{CallerRate: &policy.Rate{PerSecond: 0.5, Burst: 2}}
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for range 3 {
		d := l.Allow("grt_reports", "alice", p, now)
		fmt.Println(d.Allow, d.Rule, d.RetryAfter)
	}
	fmt.Println(l.Allow("grt_reports", "alice", p, now.Add(2*time.Second)).Allow)
	fmt.Println(l.Allow("grt_reports", "bob", p, now).Allow)
	// Output:
	// true  0s
	// true  0s
	// false caller_rate 2s
	// true
	// true
}

func ExampleLimitBody() {
	p := policy.Policy{MaxBodyBytes: 8}
	body := policy.LimitBody(strings.NewReader("a body of unknown length"), p.MaxBodyBytes)
	_, err := io.ReadAll(body)
	fmt.Println(err)
	// Output: policy: request body too large: more than 8 bytes, the grant's max_body_bytes; send a smaller body or ask the operator
}

func ExamplePolicy_EvaluateImplied() {
	p := policy.Policy{DenyPaths: []string{"/payroll/**"}}
	raw := "https://reports.s3.eu-west-1.amazonaws.com/copy.csv"
	u, _ := url.Parse(raw)
	ep, _ := urlparse.Parse(raw)
	op := catalog.Operation{Service: "s3", Name: "CopyObject", Action: "s3:PutObject"}
	in := policy.InputFor(ep, op, "PUT", u.Path)

	// What catalog.HeaderActions reads from "X-Amz-Copy-Source: payroll/2024.csv".
	imps := []catalog.Implied{{Header: "X-Amz-Copy-Source", Value: "payroll/2024.csv",
		Action: "s3:GetObject", ReadOnly: true, Bucket: "payroll", Key: "2024.csv"}}
	fmt.Println(p.Evaluate(in).Allow)
	d := p.EvaluateImplied(in, imps)
	fmt.Printf("deny (%s): %s\n", d.Rule, d.Message)
	// Output:
	// true
	// deny (deny_paths): the header x-amz-copy-source makes AWS also run s3:GetObject on "/payroll/2024.csv": grant denies the path "/payroll/2024.csv" (deny_paths has "/payroll/**"). Use a grant for that path, or ask the operator.
}

func ExampleInputFor_accessPoint() {
	p := policy.Policy{
		AllowPaths: []string{"/**", "/accesspoint:reports-123456789012/**"},
		DenyPaths:  []string{"/payroll/**"},
	}
	for _, raw := range []string{
		"https://reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com/2024.csv",
		"https://other-123456789012.s3-accesspoint.eu-west-1.amazonaws.com/2024.csv",
	} {
		u, _ := url.Parse(raw)
		ep, _ := urlparse.Parse(raw)
		in := policy.InputFor(ep, catalog.Operation{}, "GET", u.Path)
		if d := p.Evaluate(in); d.Allow {
			fmt.Println(in.Path, "allow")
		} else {
			fmt.Println(in.Path, "deny", d.Rule)
		}
	}
	// Output:
	// /accesspoint:reports-123456789012/2024.csv allow
	// /accesspoint:other-123456789012/2024.csv deny allow_paths
}
