package urlparse_test

import (
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

func TestCustomerOwned(t *testing.T) {
	cases := []struct {
		name, url string
		want      bool
	}{
		// Hosts of a resource some account made, whose owner receives what is sent.
		{"lambda function url", "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/hook", true},
		{"api gateway", "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/orders", true},
		{"api gateway fips", "https://a1b2c3d4e5.execute-api-fips.us-gov-west-1.amazonaws.com/prod", true},
		{"api gateway private dns alias", "https://a1b2c3d4e5-vpce-0123456789abcdef0.execute-api.us-east-1.amazonaws.com/prod", true},
		{"api gateway through privatelink", "https://vpce-0123456789abcdef0-abcd1234.execute-api.us-east-1.vpce.amazonaws.com/prod", true},
		{"api gateway without api id", "https://execute-api.eu-west-1.amazonaws.com/", true},
		{"appsync graphql", "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql", true},
		{"opensearch domain", "https://search-logs-abc123def456.us-east-1.es.amazonaws.com/_search", true},
		{"opensearch vpc domain", "https://vpc-logs-abc123def456.us-east-1.es.amazonaws.com/_search", true},
		{"opensearch serverless collection", "https://0a1b2c3d4e5f6g7h8i9j.us-east-1.aoss.amazonaws.com/index/_doc", true},
		{"opensearch ingestion pipeline", "https://pipeline-abc123.us-west-2.osis.amazonaws.com/logs", true},
		{"cloudsearch domain", "https://search-movies-abc123.us-east-1.cloudsearch.amazonaws.com/2013-01-01/search", true},
		{"iot account data endpoint", "https://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com/topics/a", true},
		{"neptune analytics graph", "https://g-abc123.neptune-graph.us-east-1.amazonaws.com/opencypher", true},

		// AWS's own endpoints, including these services' control planes.
		{"sts", "https://sts.us-east-1.amazonaws.com/", false},
		{"lambda api", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/invocations", false},
		{"api gateway management", "https://apigateway.eu-west-1.amazonaws.com/restapis", false},
		{"appsync control plane", "https://appsync.us-east-1.amazonaws.com/v1/apis", false},
		{"opensearch control plane", "https://es.us-east-1.amazonaws.com/2021-01-01/opensearch/domain", false},
		{"opensearch serverless control plane", "https://aoss.us-east-1.amazonaws.com/", false},
		{"cloudsearch control plane", "https://cloudsearch.us-east-1.amazonaws.com/", false},
		{"iot control plane", "https://iot.us-east-1.amazonaws.com/things", false},
		{"iot data of the signer's account", "https://data-ats.iot.us-east-1.amazonaws.com/things/t1/shadow", false},
		{"iot data legacy", "https://data.iot.us-east-1.amazonaws.com/topics/a", false},
		{"neptune analytics control plane", "https://neptune-graph.us-east-1.amazonaws.com/graphs", false},

		// S3 in every form: AWS serves it.
		{"s3 bucket", "https://my-bucket.s3.us-east-1.amazonaws.com/k", false},
		{"s3 path style", "https://s3.us-east-1.amazonaws.com/my-bucket/k", false},
		{"s3 access point", "https://reports-123456789012.s3-accesspoint.us-east-1.amazonaws.com/k", false},
		{"s3 object lambda access point", "https://redact-123456789012.s3-object-lambda.us-east-1.amazonaws.com/k", false},
		{"s3 object lambda route", "https://io-abc123.s3-object-lambda.us-east-1.amazonaws.com/WriteGetObjectResponse", false},
		{"s3 multi-region access point", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k", false},
		{"s3 control", "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/accesspoint", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ep, err := urlparse.Parse(c.url)
			if err != nil {
				t.Fatalf("Parse(%s): %v", c.url, err)
			}
			if got := ep.CustomerOwned(); got != c.want {
				t.Errorf("CustomerOwned() = %v, want %v (Service %q, Resource %q)", got, c.want, ep.Service, ep.Resource)
			}
		})
	}
}

// TestCustomerOwnedNotFromText: the answer follows Service and Resource, so
// that a host whose text looks like a customer's is judged as what it is.
func TestCustomerOwnedNotFromText(t *testing.T) {
	cases := []struct {
		name string
		ep   urlparse.Endpoint
		want bool
	}{
		{"zero", urlparse.Endpoint{}, false},
		{"execute-api", urlparse.Endpoint{Service: "execute-api"}, true},
		{"lambda-url", urlparse.Endpoint{Service: "lambda-url", Resource: "abc"}, true},
		{"es with a domain", urlparse.Endpoint{Service: "es", Resource: "search-x-1"}, true},
		{"es without one", urlparse.Endpoint{Service: "es", Host: "search-x-1.us-east-1.es.amazonaws.com"}, false},
		{"s3 with a resource", urlparse.Endpoint{Service: "s3-object-lambda", Resource: "io-abc"}, false},
		{"signing name alone", urlparse.Endpoint{Service: "sts", SigningName: "execute-api"}, false},
	}
	for _, c := range cases {
		if got := c.ep.CustomerOwned(); got != c.want {
			t.Errorf("%s: CustomerOwned() = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestCustomerOwnedCustomEndpoint: an endpoint the operator configured is
// the operator's choice, whatever its service.
func TestCustomerOwnedCustomEndpoint(t *testing.T) {
	ps := urlparse.Parser{Custom: []urlparse.Custom{{URL: "https://gateway.example.com", Region: "us-west-2", Service: "execute-api"}}}
	ep, err := ps.Parse("https://gateway.example.com/prod/x")
	if err != nil {
		t.Fatal(err)
	}
	if ep.Service != "execute-api" || ep.CustomerOwned() {
		t.Errorf("custom execute-api endpoint: Service %q, CustomerOwned %v; want execute-api, false", ep.Service, ep.CustomerOwned())
	}
}

// TestCustomerOwnedHostsRefused lists customer-owned hosts Parse does not
// accept at all. Should Parse learn one, it belongs in CustomerOwned's table
// too: this test then fails as a reminder.
func TestCustomerOwnedHostsRefused(t *testing.T) {
	for _, u := range []string{
		"https://svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws/",
		"https://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.us-east-1.amazonaws.com/graphql",
		"https://my-lb-1234567890.us-east-1.elb.amazonaws.com/",
		"https://d111111abcdef8.cloudfront.net/",
		"https://my-db.cluster-abc123.us-east-1.neptune.amazonaws.com:8182/",
	} {
		if ep, err := urlparse.Parse(u); err == nil {
			t.Errorf("Parse(%s) accepts it (Service %q, Resource %q): decide whether CustomerOwned covers it, then move it to TestCustomerOwned", u, ep.Service, ep.Resource)
		}
	}
}
