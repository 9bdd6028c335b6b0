package policy_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
)

// full is a valid policy that sets every field.
func full() policy.Policy {
	return policy.Policy{
		AllowServices: []string{"s3", "bedrock-runtime", "runtime.sagemaker"},
		DenyServices:  []string{"iam"},
		AllowRegions:  []string{"eu-*", "us-east-1", "us-west-?"},
		DenyRegions:   []string{"eu-south-*"},
		AllowMethods:  []string{"GET", "head", "POST"},
		DenyMethods:   []string{"DELETE"},
		AllowActions:  []string{"s3:Get*", "s3:List*", "bedrock:InvokeModel*", "execute-api:Invoke"},
		DenyActions:   []string{"s3:GetObjectAcl", "*"},
		AllowHosts:    []string{"*.s3.*.amazonaws.com", "**.amazonaws.com", "localhost:4566"},
		DenyHosts:     []string{"secret-*.**"},
		AllowPaths:    []string{"/reports/**", "**/public/*.csv"},
		DenyPaths:     []string{"/reports/private/**"},
		ReadOnly:      true,
		RequireReason: true,
		MaxBodyBytes:  10 << 20,
		Rate:          &policy.Rate{PerSecond: 5, Burst: 10},
		CallerRate:    &policy.Rate{PerSecond: 0.5, Burst: 1},
		NotBefore:     at(t0),
		Expires:       at(t0.Add(24 * time.Hour)),
		ConfirmWrites: true,
		DenyPresign:   true,
		AllowCustomerHosts: []string{"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "**.lambda-url.eu-west-1.on.aws",
			"search-logs-*.eu-west-1.es.amazonaws.com"},
	}
}

// issuing is a valid policy that issues credentials (so is not read-only).
func issuing() policy.Policy {
	p := full()
	p.ReadOnly, p.IssueCredentials = false, true
	return p
}

func TestValidateAccepts(t *testing.T) {
	for _, p := range []policy.Policy{{}, full(), issuing()} {
		if err := p.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", p, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*policy.Policy)
		field string // FieldError.Field
		msg   string // a substring of the error
	}{
		{"empty service", func(p *policy.Policy) { p.AllowServices = []string{"s3", ""} }, "allow_services[1]", "empty"},
		{"service glob", func(p *policy.Policy) { p.DenyServices = []string{"s3*"} }, "deny_services[0]", "without wildcards"},
		{"service chars", func(p *policy.Policy) { p.DenyServices = []string{"s3 x"} }, "deny_services[0]", "not a service name"},
		{"region chars", func(p *policy.Policy) { p.AllowRegions = []string{"eu_west_1"} }, "allow_regions[0]", "not a region"},
		{"region blank", func(p *policy.Policy) { p.DenyRegions = []string{" "} }, "deny_regions[0]", "empty"},
		{"region spaces", func(p *policy.Policy) { p.DenyRegions = []string{" eu-*"} }, "deny_regions[0]", "spaces"},
		{"method", func(p *policy.Policy) { p.AllowMethods = []string{"GET", "FETCH"} }, "allow_methods[1]", `"FETCH" is not an HTTP method`},
		{"method glob", func(p *policy.Policy) { p.DenyMethods = []string{"*"} }, "deny_methods[0]", "GET, HEAD, POST"},
		{"action without prefix", func(p *policy.Policy) { p.AllowActions = []string{"GetObject"} }, "allow_actions[0]", "not an IAM action"},
		{"action prefix glob", func(p *policy.Policy) { p.AllowActions = []string{"s3*:Get*"} }, "allow_actions[0]", "prefix cannot have wildcards"},
		{"action empty prefix", func(p *policy.Policy) { p.DenyActions = []string{":Get*"} }, "deny_actions[0]", "not an IAM service prefix"},
		{"action empty name", func(p *policy.Policy) { p.DenyActions = []string{"s3:"} }, "deny_actions[0]", "not an IAM action name"},
		{"action two colons", func(p *policy.Policy) { p.DenyActions = []string{"s3:Get:Object"} }, "deny_actions[0]", "not an IAM action name"},
		{"action ARN", func(p *policy.Policy) { p.DenyActions = []string{"arn:aws:s3:::bucket/*"} }, "deny_actions[0]", "s3:Get*"},
		{"host URL", func(p *policy.Policy) { p.AllowHosts = []string{"https://s3.amazonaws.com"} }, "allow_hosts[0]", "without scheme or path"},
		{"host chars", func(p *policy.Policy) { p.DenyHosts = []string{"s3 .amazonaws.com"} }, "deny_hosts[0]", "not a host glob"},
		{"path relative", func(p *policy.Policy) { p.AllowPaths = []string{"reports/*"} }, "allow_paths[0]", "begins with /"},
		{"path control", func(p *policy.Policy) { p.DenyPaths = []string{"/a\nb"} }, "deny_paths[0]", "control character"},
		{"path too long", func(p *policy.Policy) { p.DenyPaths = []string{"/" + strings.Repeat("a", policy.MaxGlobLen)} }, "deny_paths[0]", "at most 1000"},
		{"path invalid UTF-8", func(p *policy.Policy) { p.DenyPaths = []string{"/\xff"} }, "deny_paths[0]", "UTF-8"},
		{"negative body", func(p *policy.Policy) { p.MaxBodyBytes = -1 }, "max_body_bytes", "negative"},
		{"zero rate", func(p *policy.Policy) { p.Rate = &policy.Rate{Burst: 1} }, "rate.per_second", "above 0"},
		{"negative rate", func(p *policy.Policy) { p.Rate.PerSecond = -1 }, "rate.per_second", "above 0"},
		{"NaN rate", func(p *policy.Policy) { p.CallerRate.PerSecond = math.NaN() }, "caller_rate.per_second", "above 0"},
		{"infinite rate", func(p *policy.Policy) { p.CallerRate.PerSecond = math.Inf(1) }, "caller_rate.per_second", "above 0"},
		{"zero burst", func(p *policy.Policy) { p.CallerRate.Burst = 0 }, "caller_rate.burst", "at least 1"},
		{"window reversed", func(p *policy.Policy) { p.NotBefore = at(t0.Add(48 * time.Hour)) }, "not_before", "not before expires"},
		{"window empty", func(p *policy.Policy) { p.NotBefore = p.Expires }, "not_before", "never be used"},
		{"issue_credentials on read_only", func(p *policy.Policy) { p.IssueCredentials = true }, "issue_credentials", "read-only grant never issues credentials"},
		{"customer host URL", func(p *policy.Policy) { p.AllowCustomerHosts = []string{"https://abc.lambda-url.us-east-1.on.aws/"} },
			"allow_customer_hosts[0]", "without scheme or path"},
		{"customer host empty", func(p *policy.Policy) { p.AllowCustomerHosts = []string{"a.on.aws", ""} }, "allow_customer_hosts[1]", "empty"},
		{"customer host chars", func(p *policy.Policy) { p.AllowCustomerHosts = []string{"a b.on.aws"} }, "allow_customer_hosts[0]", "not a host glob"},
		{"customer hosts all", func(p *policy.Policy) { p.AllowCustomerHosts = []string{"**"} }, "allow_customer_hosts[0]", "names every host anyone can own"},
		{"customer hosts one star", func(p *policy.Policy) { p.AllowCustomerHosts = []string{"*"} }, "allow_customer_hosts[0]", "name the hosts"},
		{"customer hosts only wildcards", func(p *policy.Policy) { p.AllowCustomerHosts = []string{"x.on.aws", "*.**.?"} }, "allow_customer_hosts[1]", "**.execute-api.us-east-1.amazonaws.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := full()
			c.edit(&p)
			err := p.Validate()
			var fe *policy.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want a *FieldError", err)
			}
			if fe.Field != c.field {
				t.Errorf("Field = %q, want %q (%v)", fe.Field, c.field, err)
			}
			if !strings.HasPrefix(err.Error(), "policy: "+c.field+": ") || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("Validate = %q, want it to begin with %q and hold %q", err, "policy: "+c.field+": ", c.msg)
			}
		})
	}
}

func TestValidateReportsAll(t *testing.T) {
	p := policy.Policy{
		AllowActions: []string{"s3:Get*", "GetObject"},
		DenyMethods:  []string{"FETCH"},
		Rate:         &policy.Rate{},
	}
	err := p.Validate()
	if err == nil {
		t.Fatal("Validate = nil, want errors")
	}
	for _, field := range []string{"allow_actions[1]", "deny_methods[0]", "rate.per_second", "rate.burst"} {
		if !strings.Contains(err.Error(), "policy: "+field+": ") {
			t.Errorf("Validate = %q, want a line for %s", err, field)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 4 {
		t.Errorf("Validate reported %d problems, want 4:\n%v", n, err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	p := full()
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`"allow_services"`, `"deny_presign":true`, `"caller_rate":{"per_second":0.5,"burst":1}`, `"not_before":"2030-01-02T03:04:05Z"`,
		`"allow_customer_hosts":["a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",`} {
		if !strings.Contains(string(data), name) {
			t.Errorf("JSON %s lacks %s", data, name)
		}
	}
	got, err := policy.Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", data, err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, p)
	}
	data, err = json.Marshal(issuing())
	if err != nil || !strings.Contains(string(data), `"issue_credentials":true`) {
		t.Errorf("JSON %s, %v lacks issue_credentials", data, err)
	}
	if got, err := policy.Parse(data); err != nil || !got.IssueCredentials {
		t.Errorf("Parse(%s) = %+v, %v; want issue_credentials", data, got, err)
	}
	zero, err := json.Marshal(policy.Policy{})
	if err != nil || string(zero) != "{}" {
		t.Errorf("zero Policy marshals to %s, %v; want {}", zero, err)
	}
}

func TestParse(t *testing.T) {
	p, err := policy.Parse([]byte(` {"allow_actions": ["s3:Get*"], "read_only": true,
		"rate": {"per_second": 2, "burst": 4}, "expires": "2030-01-31T18:00:00+01:00", "not_before": null} `))
	if err != nil {
		t.Fatal(err)
	}
	want := policy.Policy{
		AllowActions: []string{"s3:Get*"}, ReadOnly: true,
		Rate: &policy.Rate{PerSecond: 2, Burst: 4}, Expires: at(time.Date(2030, 1, 31, 17, 0, 0, 0, time.UTC)),
	}
	if !reflect.DeepEqual(p.AllowActions, want.AllowActions) || p.ReadOnly != want.ReadOnly || *p.Rate != *want.Rate ||
		p.NotBefore != nil || p.Expires == nil || !p.Expires.Equal(*want.Expires) {
		t.Errorf("Parse = %+v, want %+v", p, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, doc string
		field     string
		msg       string
	}{
		{"empty", ``, "", "JSON object"},
		{"null", `null`, "", "JSON object"},
		{"array", `[]`, "", "JSON object"},
		{"syntax", `{"read_only": tru}`, "", "invalid JSON at byte"},
		{"truncated", `{"allow_actions": ["s3:*"`, "", "ends too early"},
		{"unknown field", `{"deny_action": ["s3:*"]}`, "deny_action", "did you mean deny_actions?"},
		{"unknown field far off", `{"colour": "red"}`, "colour", "the fields are allow_services"},
		{"unknown nested field", `{"rate": {"per_second": 1, "bust": 2}}`, "bust", "did you mean burst?"},
		{"duplicate field", `{"deny_actions": ["s3:*"], "read_only": true, "deny_actions": []}`, "deny_actions", "given twice"},
		{"duplicate field other case", `{"deny_actions": ["s3:*"], "DENY_ACTIONS": []}`, "DENY_ACTIONS", "given twice"},
		{"duplicate nested field", `{"allow_hosts": ["a.**", "b.**"], "rate": {"burst": 1, "per_second": 1, "burst": 9}}`, "rate.burst", "given twice"},
		{"trailing data", `{} {}`, "", "after the policy object"},
		{"wrong type", `{"allow_actions": "s3:*"}`, "allow_actions", "expected a list of strings, got a JSON string"},
		{"wrong nested type", `{"rate": {"per_second": 1, "burst": 1.5}}`, "rate.burst", "expected a whole number"},
		{"rate as number", `{"rate": 5}`, "rate", `{"per_second": N, "burst": N}`},
		{"bad time", `{"expires": "tomorrow"}`, "expires", "RFC 3339"},
		{"bad time type", `{"not_before": 5}`, "not_before", "RFC 3339"},
		{"invalid value", `{"allow_methods": ["FETCH"]}`, "allow_methods[0]", "not an HTTP method"},
		{"misspelt opt-in", `{"issue_credential": true}`, "issue_credential", "did you mean issue_credentials?"},
		{"read-only issuer", `{"read_only": true, "issue_credentials": true}`, "issue_credentials", "read-only"},
		{"every customer host", `{"allow_customer_hosts": ["**"]}`, "allow_customer_hosts[0]", "name the hosts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(c.doc))
			var fe *policy.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) = %+v, %v; want a *FieldError", c.doc, p, err)
			}
			if fe.Field != c.field || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("Parse(%q) = %q (field %q), want field %q and %q", c.doc, err, fe.Field, c.field, c.msg)
			}
			if !reflect.DeepEqual(p, policy.Policy{}) {
				t.Errorf("Parse(%q) returned %+v with an error, want the zero Policy", c.doc, p)
			}
		})
	}
}
