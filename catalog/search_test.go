package catalog

import (
	"slices"
	"testing"
)

func names(ops []OperationInfo) []string {
	var out []string
	for _, o := range ops {
		out = append(out, o.Service+"/"+o.Name)
	}
	return out
}

func TestSearch(t *testing.T) {
	for _, tc := range []struct {
		service, text string
		first         string   // the expected first result
		has           []string // also expected somewhere
		count         int      // exact count when > 0
	}{
		{service: "s3", text: "getobject", first: "s3/GetObject", has: []string{"s3/GetObjectAcl", "s3/GetObjectTagging"}},
		{service: "s3", text: "get-object", first: "s3/GetObject"},
		{service: "S3", text: "Get Object", first: "s3/GetObject"},
		{service: "s3", text: "s3:ListObjectsV2", first: "s3/ListObjectsV2", count: 1},
		{service: "s3", text: "object tagging", first: "s3/GetObjectTagging", count: 3},
		{service: "bedrock", text: "invoke model", first: "bedrock-runtime/InvokeModel"},
		{service: "bedrock-runtime", text: "converse", first: "bedrock-runtime/Converse", count: 2},
		{service: "Bedrock Runtime", text: "", first: "bedrock-runtime/ApplyGuardrail", count: 10},
		{service: "monitoring", text: "metricdata", first: "cloudwatch/GetMetricData", has: []string{"cloudwatch/PutMetricData"}},
		{service: "cloudwatch", text: "GetMetricData", first: "cloudwatch/GetMetricData", count: 1},
		{service: "email", text: "SendEmail", first: "sesv2/SendEmail", has: []string{"ses/SendEmail", "pinpoint-email/SendEmail"}},
		{service: "", text: "GetCallerIdentity", first: "sts/GetCallerIdentity", count: 1},
		{service: "dynamodb", text: "item", has: []string{"dynamodb/GetItem", "dynamodb/PutItem", "dynamodb/BatchGetItem"}},
		{service: "nosuch", text: "", count: -1},
		{service: "s3", text: "nosuchoperation", count: -1},
	} {
		got := Search(tc.service, tc.text)
		n := names(got)
		switch {
		case tc.count < 0 && len(got) != 0:
			t.Errorf("Search(%q, %q) = %v, want nothing", tc.service, tc.text, n)
			continue
		case tc.count > 0 && len(got) != tc.count:
			t.Errorf("Search(%q, %q) = %d results %v, want %d", tc.service, tc.text, len(got), n, tc.count)
		}
		if tc.first != "" && (len(n) == 0 || n[0] != tc.first) {
			t.Errorf("Search(%q, %q) starts %v, want %s first", tc.service, tc.text, n[:min(len(n), 5)], tc.first)
		}
		for _, h := range tc.has {
			if !slices.Contains(n, h) {
				t.Errorf("Search(%q, %q) lacks %s", tc.service, tc.text, h)
			}
		}
	}
}

func TestSearchListsEveryOperation(t *testing.T) {
	s, ok := Service("s3")
	if !ok {
		t.Fatal("no s3")
	}
	if got := len(Search("s3", "")); got < s.Operations {
		t.Fatalf("Search(s3, \"\") = %d operations, s3 has %d", got, s.Operations)
	}
	all := 0
	for _, s := range Services() {
		all += s.Operations
	}
	if got := len(Search("", "")); got != all {
		t.Fatalf("Search(\"\", \"\") = %d operations, want %d", got, all)
	}
}

func TestServices(t *testing.T) {
	all := Services()
	if len(all) < 300 {
		t.Fatalf("%d services, want the whole of botocore", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b ServiceInfo) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	}) {
		t.Error("Services() is not sorted by name")
	}
	all[0].Protocols[0] = "mutated"
	if Services()[0].Protocols[0] == "mutated" {
		t.Error("Services() shares its slices with the catalog")
	}
	if BotocoreVersion() == "" || BotocoreVersion() == "unknown" {
		t.Errorf("BotocoreVersion() = %q", BotocoreVersion())
	}
}

func TestService(t *testing.T) {
	for _, tc := range []struct {
		name, want, protocol, signing, iam string
	}{
		{"s3", "s3", "rest-xml", "s3", "s3"},
		{"monitoring", "cloudwatch", "smithy-rpc-v2-cbor", "monitoring", "cloudwatch"},
		{"CloudWatch", "cloudwatch", "smithy-rpc-v2-cbor", "monitoring", "cloudwatch"},
		{"bedrock-runtime", "bedrock-runtime", "rest-json", "bedrock", "bedrock"},
		{"Bedrock Runtime", "bedrock-runtime", "rest-json", "bedrock", "bedrock"},
		{"sqs", "sqs", "json", "sqs", "sqs"},
		{"email", "sesv2", "rest-json", "ses", "ses"},
		{"rds", "rds", "query", "rds", "rds"},
		{"elasticloadbalancing", "elbv2", "query", "elasticloadbalancing", "elasticloadbalancing"},
		{"api.ecr", "ecr", "json", "ecr", "ecr"},
		{"ec2", "ec2", "ec2", "ec2", "ec2"},
		{"sts", "sts", "query", "sts", "sts"},
		{"tagging", "resourcegroupstaggingapi", "json", "tagging", "tag"},
	} {
		s, ok := Service(tc.name)
		if !ok || s.Name != tc.want || s.Protocol != tc.protocol || s.SigningName != tc.signing || s.IAMPrefix != tc.iam {
			t.Errorf("Service(%q) = %+v, %v; want %s %s %s %s", tc.name, s, ok, tc.want, tc.protocol, tc.signing, tc.iam)
		}
		if ok && (s.Operations == 0 || s.APIVersion == "" || s.EndpointPrefix == "") {
			t.Errorf("Service(%q) = %+v: missing facts", tc.name, s)
		}
	}
	if s, _ := Service("sqs"); !slices.Equal(s.Protocols, []string{"json", "query"}) {
		t.Errorf("sqs protocols %v, want json then query (awsQueryCompatible)", s.Protocols)
	}
	if s, _ := Service("cloudwatch"); !slices.Equal(s.Protocols, []string{"smithy-rpc-v2-cbor", "json", "query"}) {
		t.Errorf("cloudwatch protocols %v", s.Protocols)
	}
	if _, ok := Service("no-such-service"); ok {
		t.Error("Service(no-such-service) found something")
	}
}

func TestLookup(t *testing.T) {
	o, ok := Lookup("s3", "GetObject")
	want := OperationInfo{Service: "s3", Name: "GetObject", Method: "GET", URITemplate: "/{Bucket}/{Key+}", ReadOnly: true, Action: "s3:GetObject", Protocol: "rest-xml"}
	if !ok || o != want {
		t.Errorf("Lookup(s3, GetObject) = %+v, %v; want %+v", o, ok, want)
	}
	o, ok = Lookup("monitoring", "GetMetricData")
	if !ok || o.Service != "cloudwatch" || o.Method != "POST" || o.URITemplate != "/" || !o.ReadOnly {
		t.Errorf("Lookup(monitoring, GetMetricData) = %+v, %v", o, ok)
	}
	if _, ok := Lookup("s3", "getobject"); ok {
		t.Error("Lookup is case-sensitive on operation names, as AWS is")
	}
}
