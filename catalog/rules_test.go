package catalog

import (
	"strings"
	"testing"
)

// TestRuleTablesNameRealOperations catches typos and operations botocore
// renamed or removed: every hand-written entry must name an operation.
func TestRuleTablesNameRealOperations(t *testing.T) {
	c := get()
	check := func(table, key string) {
		svcName, opName, ok := strings.Cut(key, "/")
		s := c.byName[svcName]
		if !ok || s == nil || s.byName[opName] == nil {
			t.Errorf("%s: %q names no operation", table, key)
		}
	}
	for k := range readOnlyOverrides {
		check("readOnlyOverrides", k)
	}
	for k := range iamActions {
		check("iamActions", k)
	}
	for k := range versionActions {
		check("versionActions", k)
	}
	for alias, name := range endpointAliases {
		if c.byName[name] == nil {
			t.Errorf("endpointAliases: %s → %s: no such service", alias, name)
		}
	}
	for signing := range iamPrefixes {
		found := false
		for _, s := range c.services {
			found = found || s.info.SigningName == signing
		}
		if !found {
			t.Errorf("iamPrefixes: no service signs as %q", signing)
		}
	}
}

// TestOverridesChangeSomething keeps the override table honest: an entry
// either flips the rule or documents a well-known operation whose answer
// matters (those listed here).
func TestOverridesChangeSomething(t *testing.T) {
	documented := map[string]bool{
		"bedrock-runtime/InvokeModel": true, "bedrock-runtime/InvokeModelWithResponseStream": true,
		"bedrock-runtime/Converse": true, "bedrock-runtime/ConverseStream": true,
		"lambda/Invoke": true, "lambda/InvokeWithResponseStream": true,
		"s3/SelectObjectContent": true, "route53/TestDNSAnswer": true,
	}
	c := get()
	for key, want := range readOnlyOverrides {
		svcName, opName, _ := strings.Cut(key, "/")
		s := c.byName[svcName]
		if s == nil || s.byName[opName] == nil {
			continue // reported by TestRuleTablesNameRealOperations
		}
		o := s.byName[opName]
		if readOnlyByRule(opName, o.method, s.rest) == want && !documented[key] {
			t.Errorf("readOnlyOverrides[%q] = %v agrees with the rule; remove it or list it as documented", key, want)
		}
		if o.readOnly != want {
			t.Errorf("%s: readOnly %v, override says %v", key, o.readOnly, want)
		}
	}
}

func TestFirstWord(t *testing.T) {
	for name, want := range map[string]string{
		"GetObject": "Get", "CheckoutLicense": "Checkout", "CheckInLicense": "Check",
		"ListAWSServiceAccessForOrganization": "List", "Query": "Query", "Search": "Search",
		"BatchGetItem": "Batch", "": "", "X": "X", "HeadObject": "Head", "Getaway": "Getaway",
	} {
		if got := firstWord(name); got != want {
			t.Errorf("firstWord(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestReadOnlyRule(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		rest   bool
		want   bool
	}{
		{"GetObject", "GET", true, true},
		{"ListBuckets", "GET", true, true},
		{"DescribeInstances", "POST", false, true},
		{"HeadObject", "HEAD", true, true},
		{"BatchGetItem", "POST", false, true},
		{"BatchDescribeEntities", "POST", true, true},
		{"BatchCheckLayerAvailability", "POST", false, true},
		{"BatchWriteItem", "POST", false, false},
		{"Query", "POST", false, true},
		{"Scan", "POST", false, true},
		{"SearchResources", "POST", false, true},
		{"SelectObjectContent", "POST", true, true},
		{"LookupEvents", "POST", false, true},
		{"CheckDomainAvailability", "POST", false, true},
		{"CheckoutLicense", "POST", false, false},
		{"PreviewAgents", "POST", false, true},
		{"ValidateTemplate", "POST", false, true},
		{"EstimateTemplateCost", "POST", false, true},
		{"TestInvokeMethod", "POST", true, false},
		{"InvokeModel", "POST", true, false},
		{"Converse", "POST", true, false},
		{"Invoke", "POST", true, false},
		{"PutObject", "PUT", true, false},
		{"AssumeRole", "POST", false, false},
		{"ExportApi", "GET", true, true},   // REST GET
		{"ExportApi", "GET", false, false}, // the method rule is for REST only
		{"Suggest", "GET", true, true},     // cloudsearchdomain: a REST GET
		{"DeleteObject", "DELETE", true, false},
		{"Getaway", "POST", false, false},
		{"", "", false, false},
	} {
		if got := readOnlyByRule(tc.name, tc.method, tc.rest); got != tc.want {
			t.Errorf("readOnlyByRule(%q, %q, rest=%v) = %v, want %v", tc.name, tc.method, tc.rest, got, tc.want)
		}
	}
}

// TestReadOnlyDecisions pins the decisions the package comment documents.
func TestReadOnlyDecisions(t *testing.T) {
	for key, want := range map[string]bool{
		"s3/GetObject": true, "s3/HeadObject": true, "s3/ListObjectsV2": true,
		"s3/SelectObjectContent": true, "s3/PutObject": false, "s3/CreateSession": false,
		"s3/RestoreObject":      false,
		"sts/GetCallerIdentity": true, "sts/GetAccessKeyInfo": true,
		"sts/GetSessionToken": false, "sts/GetFederationToken": false, "sts/AssumeRole": false,
		"sso/GetRoleCredentials": false, "ecr/GetAuthorizationToken": false,
		"secretsmanager/GetSecretValue": true, "ssm/GetParameter": true,
		"bedrock-runtime/InvokeModel": false, "bedrock-runtime/Converse": false,
		"bedrock-runtime/ConverseStream": false, "bedrock-runtime/InvokeModelWithResponseStream": false,
		"bedrock-runtime/GetAsyncInvoke": true, "bedrock-runtime/CountTokens": false,
		"lambda/Invoke": false, "lambda/GetFunction": false, "lambda/ListFunctions": true,
		"lambda/GetFunctionConfiguration": true, "lambda/GetLayerVersion": false,
		"ssm/StartSession": false, "iam/CreateAccessKey": false, "s3control/GetDataAccess": false,
		"dynamodb/Query": true, "dynamodb/Scan": true, "dynamodb/PutItem": false,
		"sqs/ReceiveMessage": false, "sqs/GetQueueUrl": true,
		"cloudwatch/GetMetricData": true, "cloudwatch/PutMetricData": false,
		"ec2/DescribeInstances": true, "ec2/RunInstances": false,
		"iam/SimulatePrincipalPolicy": true, "iam/CreateUser": false,
		"apigateway/TestInvokeMethod": false, "events/TestEventPattern": true,
		"license-manager/CheckoutLicense": false, "license-manager/CheckInLicense": false,
		"cognito-identity/GetId": false, "iot/ConfirmTopicRuleDestination": false,
		"deadline/AssumeQueueRoleForRead": false, "route53/TestDNSAnswer": true,
	} {
		info, ok := Lookup(strings.Split(key, "/")[0], strings.Split(key, "/")[1])
		if !ok {
			t.Errorf("%s: not in the catalog", key)
			continue
		}
		if info.ReadOnly != want {
			t.Errorf("%s: ReadOnly %v, want %v", key, info.ReadOnly, want)
		}
	}
}

func TestIAMActions(t *testing.T) {
	for key, want := range map[string]string{
		"s3/GetObject":                             "s3:GetObject",
		"s3/ListObjectsV2":                         "s3:ListBucket",
		"s3/ListBuckets":                           "s3:ListAllMyBuckets",
		"cloudwatch/GetMetricData":                 "cloudwatch:GetMetricData",
		"bedrock-runtime/InvokeModel":              "bedrock:InvokeModel",
		"bedrock-runtime/Converse":                 "bedrock:InvokeModel",
		"sesv2/SendEmail":                          "ses:SendEmail",
		"ses/SendEmail":                            "ses:SendEmail",
		"lambda/Invoke":                            "lambda:InvokeFunction",
		"resourcegroupstaggingapi/GetResources":    "tag:GetResources",
		"iot-data/Publish":                         "iot:Publish",
		"s3control/GetAccessPoint":                 "s3:GetAccessPoint",
		"ecr/GetAuthorizationToken":                "ecr:GetAuthorizationToken",
		"dynamodbstreams/GetRecords":               "dynamodb:GetRecords",
		"sagemaker-runtime/InvokeEndpoint":         "sagemaker:InvokeEndpoint",
		"apigatewaymanagementapi/PostToConnection": "execute-api:ManageConnections",
	} {
		svcName, opName, _ := strings.Cut(key, "/")
		info, ok := Lookup(svcName, opName)
		if !ok {
			t.Errorf("%s: not in the catalog", key)
			continue
		}
		if info.Action != want {
			t.Errorf("%s: Action %q, want %q", key, info.Action, want)
		}
	}
}

// TestEveryOperationHasAnAction guards the generated table.
func TestEveryOperationHasAnAction(t *testing.T) {
	for _, s := range get().services {
		for _, o := range s.ops {
			if o.name == "" || !strings.Contains(o.action, ":") || strings.HasPrefix(o.action, ":") {
				t.Errorf("%s %q: action %q", s.info.Name, o.name, o.action)
			}
			if s.rest && (o.method == "" || !strings.HasPrefix(o.uri, "/")) {
				t.Errorf("%s %s: REST operation without method or URI", s.info.Name, o.name)
			}
		}
	}
}
