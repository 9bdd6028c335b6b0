// Package urlparse tells, from a URL alone, which AWS endpoint it names: the
// partition, region, service (endpoint prefix), signing name and signing
// region, and for S3 the bucket, addressing style and access point. It refuses
// what is not AWS, with a reason, so that the vault signs only for AWS hosts
// or endpoints the operator configured.
//
// Parse accepts https URLs whose host is an AWS API endpoint: SERVICE.REGION
// under a partition's DNS suffix (and its FIPS, dual-stack and PrivateLink
// forms), a global endpoint, or one of the hand-parsed resource forms (S3
// buckets and access points, Lambda function URLs, API Gateway APIs,
// OpenSearch domains, IoT data endpoints). Everything else is refused with an
// *Error whose Kind (ErrNotAWS, ErrIPLiteral, ...) works with errors.Is.
// Endpoints the operator configured (LocalStack, a proxy) are accepted through
// a Parser's Custom list, and only there.
//
// It also builds them: Host, GlobalHost and S3URL write hosts and URLs from
// the same tables (a region's partition gives the DNS suffix), and Escape,
// EscapePath and EncodeQuery encode paths and queries as AWS reads them.
// They are the module's only builders of AWS hosts.
//
// It depends only on the standard library. Its tables (partitions, DNS
// suffixes, region formats, endpoint prefixes and signing names, hostname
// aliases, global endpoints) are generated from botocore's data by go
// generate (internal/gen) and committed, so the build needs no Python. Parse
// does not allocate for plain URLs.
package urlparse

// Addressing is how an S3 request names its bucket.
type Addressing uint8

const (
	// NoBucket: not S3, or an S3 request that names no bucket (ListBuckets).
	NoBucket Addressing = iota
	// PathStyle: https://s3.REGION.amazonaws.com/BUCKET/KEY.
	PathStyle
	// VirtualHosted: https://BUCKET.s3.REGION.amazonaws.com/KEY.
	VirtualHosted
	// AccessPointStyle: https://NAME-ACCOUNT.s3-accesspoint.REGION.amazonaws.com/KEY,
	// and Multi-Region Access Points, Object Lambda and Outposts access points.
	AccessPointStyle
)

// Endpoint is what a URL says about the AWS endpoint it names.
type Endpoint struct {
	Scheme string // "https" (or "http" for a configured custom endpoint)
	// Host is lower-case, without a default port (a custom endpoint keeps a
	// non-default one: "localhost:4566"). Send the request to this host.
	Host string

	Partition string // aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc
	Region    string // the region named by the host; empty for a global endpoint that names none
	// Service is the endpoint prefix of the service model, the key of
	// botocore's metadata.endpointPrefix: "s3", "bedrock-runtime",
	// "monitoring", "runtime.sagemaker". Hostname aliases map to it
	// (ecr.us-east-1.api.aws → "api.ecr", data.iot → "data-ats.iot",
	// kms-fips → "kms"). Hosts with no service model of their own use:
	// "lambda-url" (function URLs), "appsync-api" (GraphQL APIs),
	// "cloudsearchdomain" and, for S3, "s3-object-lambda", "s3-outposts"
	// and "s3express" (see S3).
	Service string
	// SigningName is the service name in the credential scope: "bedrock"
	// for bedrock-runtime, "execute-api", "es" for OpenSearch domains. It
	// comes from botocore's service models (signingName), or from
	// X-Amz-Credential for a presigned URL.
	SigningName string
	// SigningRegion is the region in the credential scope: Region, or the
	// partition's global region (us-east-1, us-gov-west-1, cn-north-1, ...)
	// for global endpoints. Empty when RegionSet is set.
	SigningRegion string
	// RegionSet, when set, means the endpoint is signed with SigV4a for this
	// region set ("*" for S3 Multi-Region Access Points).
	RegionSet string

	// Global: a partition-wide endpoint (iam, sts.amazonaws.com, route53,
	// cloudfront, organizations, s3.amazonaws.com, s3-accelerate, Multi-Region
	// Access Points): SigningRegion is the partition's region for it, not a
	// region the host chose. Region is set only when the host names one
	// (organizations.us-east-1.amazonaws.com).
	Global    bool
	FIPS      bool   // a FIPS endpoint (SERVICE-fips.REGION..., fips.SERVICE..., s3-fips.dualstack...)
	DualStack bool   // IPv6-capable (*.api.aws, s3.dualstack.REGION...)
	VPCE      string // the VPC endpoint id (vpce-...) of a PrivateLink host

	// Resource is the leading label of a host that names a resource before
	// its service: an API Gateway API id (ID.execute-api), a Lambda
	// function URL id, an AppSync API id, an IoT endpoint (ID-ats.iot), an
	// OpenSearch domain (search-NAME-ID.REGION.es) or serverless collection,
	// a Neptune graph, an S3 Object Lambda request route.
	Resource string

	// S3
	Addressing  Addressing
	Bucket      string // the bucket, virtual-hosted or path style
	Key         string // the object key, decoded
	AccessPoint string // access point (or Multi-Region Access Point alias) name
	AccountID   string // the account of an access point, an Outpost access point or S3 Control host
	OutpostID   string // op-0123456789abcdef0
	// Zone is the S3 Express availability zone id (use1-az4), or the zone
	// of a zonal VPC endpoint name (vpce-ID-us-east-2c → us-east-2c).
	Zone string

	// Custom is set for an endpoint the operator configured (LocalStack, a
	// proxy): its region and service come from that configuration.
	Custom bool
	// FromCredential is set when a presigned URL's X-Amz-Credential scope
	// gave the region and signing name, overriding the host.
	FromCredential bool
}

// S3 reports whether the endpoint speaks the S3 API of botocore's s3 service
// model: Service "s3" (including access points, Multi-Region Access Points
// and Transfer Acceleration), "s3-object-lambda", "s3express" (directory
// buckets) and "s3-outposts" when it names an access point or bucket. S3
// Control ("s3-control") and the S3 on Outposts API (bare "s3-outposts") are
// other models.
func (e *Endpoint) S3() bool {
	switch e.Service {
	case "s3", "s3-object-lambda", "s3express":
		return true
	case "s3-outposts":
		return e.Addressing != NoBucket
	}
	return false
}

// CustomerOwned reports whether the host runs code or data of whoever made
// the resource it names, so that anyone can own one and read the requests
// sent to it: Lambda function URLs, API Gateway APIs, AppSync APIs,
// OpenSearch domains, collections and ingestion pipelines, CloudSearch
// domains, IoT data endpoints of an account, Neptune Analytics graphs.
// Credentials must not be sent to such a host unless the operator named it.
//
// The answer comes from Service and Resource, never from the host's text:
// see customerOwned for the services and why. It is false for AWS's own
// API endpoints, including the control planes of these services
// (es.REGION, appsync.REGION, iot.REGION), for S3 in every form (AWS serves
// buckets, access points and Object Lambda, whose functions receive the
// request's data but not its signature), and for a custom endpoint, which
// the operator configured. VPC Lattice services (*.vpc-lattice-svcs.REGION.on.aws)
// and AppSync real-time hosts are not AWS API endpoints Parse accepts.
func (e *Endpoint) CustomerOwned() bool {
	if e.Custom {
		return false
	}
	c, ok := customerOwned[e.Service]
	return ok && (!c.needsResource || e.Resource != "")
}

// customerOwned lists, by Endpoint.Service, the services whose hosts reach a
// resource an AWS account made, so that its owner receives what is sent
// there: the request (with its Authorization header and session token, for
// code the owner runs behind Lambda function URLs, API Gateway and AppSync
// resolvers) or its data. needsResource says that only a host naming a
// resource (Endpoint.Resource) is one; the service's other hosts are AWS's
// (data-ats.iot.REGION serves the signer's own account).
var customerOwned = map[string]struct {
	needsResource bool
	source        string
}{
	// URL_ID.lambda-url.REGION.on.aws invokes the function with the whole request.
	"lambda-url": {false, "https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html"},
	// Every execute-api host is an API of some account: API_ID.execute-api,
	// API_ID-VPCE_ID.execute-api and vpce-ID.execute-api...vpce (which
	// picks the API from the Host or x-apigw-api-id header). Integrations
	// and authorizers receive the request headers.
	"execute-api": {false, "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html"},
	// API_ID.appsync-api.REGION: resolvers and Lambda authorizers run the owner's code.
	"appsync-api": {false, "https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html"},
	// ENDPOINT_ID-ats.iot.REGION is one account's IoT data endpoint; its
	// rules forward what is published to wherever the owner chose.
	"data-ats.iot": {true, "https://docs.aws.amazon.com/iot/latest/developerguide/iot-connect-devices.html#iot-connect-device-endpoints"},
	// search-NAME-ID.REGION.es and vpc-NAME-ID.REGION.es are domains.
	"es": {true, "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/createupdatedomains.html#createdomains-endpoint"},
	// ID.REGION.aoss is a serverless collection.
	"aoss": {true, "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-manage.html"},
	// NAME-ID.REGION.osis is an ingestion pipeline: it writes to the owner's sinks.
	"osis": {true, "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/configure-client.html"},
	// search-NAME-ID.REGION.cloudsearch and doc-NAME-ID... are domains.
	"cloudsearchdomain": {true, "https://docs.aws.amazon.com/cloudsearch/latest/developerguide/configuring-access.html"},
	// GRAPH_ID.neptune-graph.REGION is a graph.
	"neptune-graph": {true, "https://docs.aws.amazon.com/neptune-analytics/latest/userguide/gettingStarted-connecting.html"},
}
