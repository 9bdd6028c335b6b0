package policy_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/policy"
)

func TestSessionPolicy(t *testing.T) {
	for _, c := range []struct {
		name string
		p    policy.Policy
		want string
	}{
		{"empty", policy.Policy{}, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":"*"}]}`},
		{"actions win over services", policy.Policy{AllowServices: []string{"s3"}, AllowActions: []string{"s3:Get*", "s3:List*"}},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`},
		{"services by any name", policy.Policy{AllowServices: []string{"bedrock-runtime", "monitoring"}},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["bedrock:*","cloudwatch:*"],"Resource":"*"}]}`},
		{"regions and denies", policy.Policy{AllowServices: []string{"dynamodb"}, AllowRegions: []string{"eu-*"}, DenyActions: []string{"dynamodb:Delete*"}, DenyRegions: []string{"eu-south-*"}},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:*"],"Resource":"*","Condition":{"StringLike":{"aws:RequestedRegion":["eu-*"]}}},` +
				`{"Effect":"Deny","Action":["dynamodb:Delete*"],"Resource":"*"},{"Effect":"Deny","Action":["*"],"Resource":"*","Condition":{"StringLike":{"aws:RequestedRegion":["eu-south-*"]}}}]}`},
	} {
		got, err := policy.SessionPolicy(c.p)
		if err != nil || got != c.want {
			t.Errorf("%s:\n got  %s (%v)\n want %s", c.name, got, err, c.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%s: not JSON", c.name)
		}
	}
	if _, err := policy.SessionPolicy(policy.Policy{AllowServices: []string{"no-such-service"}}); err == nil {
		t.Error("an unknown service made a policy")
	}
	many := make([]string, 200)
	for i := range many {
		many[i] = "s3:GetObjectVersionTagging"
	}
	if _, err := policy.SessionPolicy(policy.Policy{AllowActions: many}); err == nil || !strings.Contains(err.Error(), "2048") {
		t.Errorf("too long: %v", err)
	}
}
