package tools

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// operations calls aws_operations and returns its operations by name.
func operations(t *testing.T, c *mcpClient, args map[string]any) (map[string]any, []map[string]any) {
	t.Helper()
	m := c.ok(t, "aws_operations", args)
	list, ok := m["operations"].([]any)
	if !ok {
		t.Fatalf("aws_operations(%v): operations is %T, want a list: %v", args, m["operations"], m)
	}
	ops := make([]map[string]any, len(list))
	for i, o := range list {
		ops[i] = o.(map[string]any)
	}
	return m, ops
}

func opNames(ops []map[string]any) []string {
	var names []string
	for _, o := range ops {
		names = append(names, str(o, "service")+"."+str(o, "operation"))
	}
	return names
}

func catalogClient(t *testing.T, vars map[string]string) (*env, *mcpClient) {
	e := newEnv(t, vars, nil)
	return e, e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")
}

// TestAWSOperationsSearch: words of an operation's name, its IAM action or
// a service find it, with every field of what it is.
func TestAWSOperationsSearch(t *testing.T) {
	_, c := catalogClient(t, nil)

	m, ops := operations(t, c, map[string]any{"service": "s3", "query": "get object", "limit": 3})
	if len(ops) != 3 || m["truncated"] != true || num(m, "total") <= 3 || !strings.Contains(str(m, "note"), "these are the first 3") {
		t.Errorf("s3 \"get object\", limit 3: %v", m)
	}
	want := map[string]any{
		"service": "s3", "operation": "GetObject", "method": "GET", "uri_template": "/{Bucket}/{Key+}", "read_only": true,
		"action": "s3:GetObject", "protocol": "rest-xml",
		"how_to_call": "GET https://s3.REGION.amazonaws.com/{Bucket}/{Key+}, with {placeholders} percent-encoded.",
	}
	if got := ops[0]; mustJSON(got) != mustJSON(want) {
		t.Errorf("first match of s3 \"get object\":\n got %s\nwant %s", mustJSON(got), mustJSON(want))
	}

	// Across services, by words.
	_, ops = operations(t, c, map[string]any{"query": "list tables", "limit": 200})
	if names := opNames(ops); !slices.Contains(names, "dynamodb.ListTables") || !slices.Contains(names, "keyspaces.ListTables") {
		t.Errorf("\"list tables\" across services: %v", names)
	}
	// By IAM action.
	_, ops = operations(t, c, map[string]any{"service": "s3", "query": "s3:PutObject", "limit": 1})
	if len(ops) != 1 || str(ops[0], "operation") != "PutObject" || ops[0]["read_only"] != false {
		t.Errorf("s3:PutObject: %v", ops)
	}
	// A service alone lists its operations; the limit defaults to 20.
	m, ops = operations(t, c, map[string]any{"service": "dynamodb"})
	if len(ops) != 20 || num(m, "total") < 50 || m["truncated"] != true {
		t.Errorf("dynamodb: %d operations of %d, truncated %v", len(ops), num(m, "total"), m["truncated"])
	}
	for _, o := range ops {
		if str(o, "service") != "dynamodb" {
			t.Errorf("dynamodb lists %s", str(o, "service"))
		}
	}
	// The CLI's name and the endpoint prefix both name a service.
	_, byCLI := operations(t, c, map[string]any{"service": "cloudwatch", "query": "GetMetricData", "limit": 1})
	_, byPrefix := operations(t, c, map[string]any{"service": "monitoring", "query": "GetMetricData", "limit": 1})
	if len(byCLI) != 1 || mustJSON(byCLI) != mustJSON(byPrefix) {
		t.Errorf("cloudwatch %v, monitoring %v", byCLI, byPrefix)
	}
	// Nothing found is an empty list with a note, not an error.
	m, ops = operations(t, c, map[string]any{"service": "s3", "query": "zzqqxx"})
	if len(ops) != 0 || num(m, "total") != 0 || m["truncated"] != false || !strings.Contains(str(m, "note"), "No operation matches") {
		t.Errorf("no match: %v", m)
	}
}

// TestAWSOperationsRefuses: what the tool cannot answer is an
// invalid_arguments error that says what to give instead.
func TestAWSOperationsRefuses(t *testing.T) {
	_, c := catalogClient(t, nil)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{}, "give a service"},
		{map[string]any{"service": "  ", "query": " "}, "give a service"},
		{map[string]any{"service": "not-a-service"}, `no AWS service is named "not-a-service"`},
		{map[string]any{"service": "s3", "limit": 201}, "limit"},
		{map[string]any{"service": "s3", "limit": -1}, "limit"},
	} {
		m := c.fail(t, "aws_operations", tc.args, "invalid_arguments")
		if !strings.Contains(str(m, "message"), tc.want) {
			t.Errorf("%v: %q does not say %q", tc.args, str(m, "message"), tc.want)
		}
	}
}

// howToCallCases are operations of each protocol and what aws_operations
// says about calling them.
var howToCallCases = []struct {
	service, query string
	protocol, how  string
	readOnly       bool
	fill           map[string]string // placeholders of the URI template
}{
	{"s3", "ListObjectsV2", "rest-xml",
		"GET https://s3.REGION.amazonaws.com/{Bucket}?list-type=2, with {placeholders} percent-encoded.", true, map[string]string{"Bucket": "my-bucket"}},
	{"dynamodb", "ListTables", "json",
		"POST https://dynamodb.REGION.amazonaws.com/ with headers X-Amz-Target: DynamoDB_20120810.ListTables and Content-Type: application/x-amz-json-1.0, and the input as json.", true, nil},
	{"sts", "GetCallerIdentity", "query",
		"POST https://sts.REGION.amazonaws.com/ with Content-Type: application/x-www-form-urlencoded and body Action=GetCallerIdentity&Version=2011-06-15 plus the input as form fields.", true, nil},
	{"ec2", "DescribeInstances", "ec2",
		"POST https://ec2.REGION.amazonaws.com/ with Content-Type: application/x-www-form-urlencoded and body Action=DescribeInstances&Version=2016-11-15 plus the input as form fields.", true, nil},
	{"lambda", "Invoke", "rest-json",
		"POST https://lambda.REGION.amazonaws.com/2015-03-31/functions/{FunctionName}/invocations, with {placeholders} percent-encoded, and the input's body members as json.", false, map[string]string{"FunctionName": "my-function"}},
	// CloudWatch answers Smithy RPC v2 CBOR too: aws_request is told the
	// JSON protocol, which it can build.
	{"cloudwatch", "GetMetricData", "json",
		"POST https://monitoring.REGION.amazonaws.com/ with headers X-Amz-Target: GraniteServiceVersion20100801.GetMetricData and Content-Type: application/x-amz-json-1.0, and the input as json.", true, nil},
}

func findOp(t *testing.T, c *mcpClient, service, name string) map[string]any {
	t.Helper()
	_, ops := operations(t, c, map[string]any{"service": service, "query": name, "limit": 200})
	for _, o := range ops {
		if str(o, "operation") == name {
			return o
		}
	}
	t.Fatalf("aws_operations does not find %s %s: %v", service, name, opNames(ops))
	return nil
}

// TestAWSOperationsHowToCall: how_to_call says how to build the request
// in the service's own protocol, never in the binary CBOR one.
func TestAWSOperationsHowToCall(t *testing.T) {
	_, c := catalogClient(t, nil)
	for _, tc := range howToCallCases {
		o := findOp(t, c, tc.service, tc.query)
		if str(o, "protocol") != tc.protocol || str(o, "how_to_call") != tc.how || o["read_only"] != tc.readOnly {
			t.Errorf("%s %s: protocol %s, read-only %v, how to call:\n %s\nwant %s, %v:\n %s",
				tc.service, tc.query, str(o, "protocol"), o["read_only"], str(o, "how_to_call"), tc.protocol, tc.readOnly, tc.how)
		}
	}

	// Every service answering only Smithy RPC v2 CBOR is said to be out
	// of aws_request's reach; every other names no CBOR.
	for _, s := range catalog.Services() {
		if s.Operations == 0 {
			continue
		}
		cborOnly := !slices.ContainsFunc(s.Protocols, func(p string) bool { return p != "smithy-rpc-v2-cbor" })
		_, ops := operations(t, c, map[string]any{"service": s.Name, "limit": 1})
		if len(ops) == 0 {
			t.Errorf("%s: no operation listed", s.Name)
			continue
		}
		how := str(ops[0], "how_to_call")
		if cborOnly != strings.Contains(how, "only a binary protocol") || strings.Contains(strings.ToLower(how), "cbor") && !cborOnly {
			t.Errorf("%s (protocols %v): %s", s.Name, s.Protocols, how)
		}
	}
}

// TestAWSOperationsEndpoints: the endpoint in every how_to_call is one
// urlparse reads as that service's, once REGION is filled in.
func TestAWSOperationsEndpoints(t *testing.T) {
	_, c := catalogClient(t, nil)
	endpoint := regexp.MustCompile(`^(?:GET|HEAD|POST|PUT|DELETE|PATCH) (https://[^/ ]+)`)
	checked := 0
	for _, s := range catalog.Services() {
		_, ops := operations(t, c, map[string]any{"service": s.Name, "limit": 1})
		if len(ops) == 0 {
			continue
		}
		how := str(ops[0], "how_to_call")
		m := endpoint.FindStringSubmatch(how)
		if m == nil {
			if !strings.Contains(how, "only a binary protocol") {
				t.Errorf("%s: how_to_call names no endpoint: %s", s.Name, how)
			}
			continue
		}
		u := strings.Replace(m[1], "REGION", "eu-west-1", 1) + "/"
		ep, err := urlparse.Parse(u)
		if err != nil {
			t.Errorf("%s: %s does not parse: %v", s.Name, u, err)
			continue
		}
		if strings.Contains(m[1], "REGION") && ep.Region != "eu-west-1" {
			t.Errorf("%s: %s is in region %q", s.Name, u, ep.Region)
		}
		// A service with a partition-wide endpoint is called there: its
		// regional-looking host does not exist.
		if host, _, ok := urlparse.GlobalHost(s.EndpointPrefix, ""); ok && !urlparse.Regionalized(s.EndpointPrefix) && m[1] != "https://"+host {
			t.Errorf("%s: %s, want its global endpoint https://%s", s.Name, m[1], host)
		}
		if !strings.HasPrefix(m[1], "https://"+s.EndpointPrefix+".") && !strings.Contains(m[1], "."+s.EndpointPrefix+".") {
			t.Errorf("%s: %s is not under the endpoint prefix %s", s.Name, m[1], s.EndpointPrefix)
		}
		checked++
	}
	for _, global := range []string{"iam", "route53", "cloudfront", "organizations"} {
		_, ops := operations(t, c, map[string]any{"service": global, "limit": 1})
		if how := str(ops[0], "how_to_call"); strings.Contains(how, "REGION") {
			t.Errorf("%s is global, but how_to_call says %s", global, how)
		}
	}
	if checked < 300 {
		t.Errorf("%d services checked; the catalog has about 400", checked)
	}
}

// TestAWSOperationsRecipes follows how_to_call with aws_request, to a fake
// AWS that checks signatures, and finds the vault names the very operation
// and IAM action aws_operations described.
func TestAWSOperationsRecipes(t *testing.T) {
	v := sigcheck.New(aws.Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	var got struct {
		method, uri, target, contentType, body string
	}
	fake := httptest.NewServer(v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.uri, got.target, got.contentType, got.body = r.Method, r.RequestURI, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"), string(b)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
	})))
	t.Cleanup(fake.Close)
	e, c := catalogClient(t, map[string]string{"AWS_ENDPOINT_URL": fake.URL})
	e.grant(t, "g", policy.Policy{}, vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})

	jsonRecipe := regexp.MustCompile(`^POST (\S+) with headers X-Amz-Target: (\S+) and Content-Type: (\S+), and the input as json\.$`)
	formRecipe := regexp.MustCompile(`^POST (\S+) with Content-Type: (\S+) and body (\S+) plus the input as form fields\.$`)
	restRecipe := regexp.MustCompile(`^(\w+) (\S+), with \{placeholders\} percent-encoded(, and the input's body members as json)?\.$`)
	placeholder := regexp.MustCompile(`\{(\w+)\+?\}`)
	for _, tc := range howToCallCases {
		o := findOp(t, c, tc.service, tc.query)
		how := str(o, "how_to_call")
		args := map[string]any{"grant_id": "g", "reason": "follow how_to_call"}
		var wantTarget, wantBody string
		switch {
		case jsonRecipe.MatchString(how):
			m := jsonRecipe.FindStringSubmatch(how)
			args["method"], args["url"], args["json"] = "POST", m[1], json.RawMessage(`{}`)
			args["headers"] = map[string]string{"X-Amz-Target": m[2], "Content-Type": m[3]}
			wantTarget, wantBody = m[2], "{}"
		case formRecipe.MatchString(how):
			m := formRecipe.FindStringSubmatch(how)
			args["method"], args["url"], args["body"] = "POST", m[1], m[3]
			args["headers"] = map[string]string{"Content-Type": m[2]}
			wantBody = m[3]
		case restRecipe.MatchString(how):
			m := restRecipe.FindStringSubmatch(how)
			args["method"] = m[1]
			args["url"] = placeholder.ReplaceAllStringFunc(m[2], func(p string) string { return tc.fill[strings.Trim(p, "{}+")] })
			if m[3] != "" {
				args["json"], wantBody = json.RawMessage(`{}`), "{}"
			}
		default:
			t.Errorf("%s %s: how_to_call is no recipe the test knows: %s", tc.service, tc.query, how)
			continue
		}
		args["url"] = strings.Replace(args["url"].(string), "REGION", "eu-west-1", 1)
		r := c.ok(t, "aws_request", args)
		if str(r, "operation") != str(o, "operation") || str(r, "action") != str(o, "action") || num(r, "status") != 200 {
			t.Errorf("%s %s: following %q, the vault called %s (%s), status %d; want %s (%s)",
				tc.service, tc.query, how, str(r, "operation"), str(r, "action"), num(r, "status"), str(o, "operation"), str(o, "action"))
		}
		if got.method != str(o, "method") || got.target != wantTarget || got.body != wantBody {
			t.Errorf("%s %s: AWS got %s %s, X-Amz-Target %q, body %q", tc.service, tc.query, got.method, got.uri, got.target, got.body)
		}
	}
	if v.Verified() != int64(len(howToCallCases)) {
		t.Errorf("%d requests verified, want %d", v.Verified(), len(howToCallCases))
	}
}
