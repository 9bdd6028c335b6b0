package catalog

import (
	"net/http"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Endpoints as urlparse describes them, built by hand.
var (
	s3Path    = urlparse.Endpoint{Host: "s3.us-east-1.amazonaws.com", Region: "us-east-1", Service: "s3", SigningName: "s3", Addressing: urlparse.PathStyle, Bucket: "bucket"}
	s3Global  = urlparse.Endpoint{Host: "s3.amazonaws.com", Service: "s3", SigningName: "s3", Global: true}
	s3Virtual = urlparse.Endpoint{Host: "bucket.s3.us-east-1.amazonaws.com", Region: "us-east-1", Service: "s3", SigningName: "s3", Addressing: urlparse.VirtualHosted, Bucket: "bucket"}
	s3AP      = urlparse.Endpoint{Host: "ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com", Region: "us-east-1", Service: "s3", SigningName: "s3", Addressing: urlparse.AccessPointStyle, AccessPoint: "ap", AccountID: "123456789012"}
	s3Express = urlparse.Endpoint{Host: "b--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com", Region: "us-east-1", Service: "s3express", SigningName: "s3express", Addressing: urlparse.VirtualHosted, Bucket: "b--use1-az4--x-s3", Zone: "use1-az4"}
	s3ExpCtl  = urlparse.Endpoint{Host: "s3express-control.us-east-1.amazonaws.com", Region: "us-east-1", Service: "s3express", SigningName: "s3express"}
	ddb       = urlparse.Endpoint{Host: "dynamodb.us-east-1.amazonaws.com", Region: "us-east-1", Service: "dynamodb", SigningName: "dynamodb"}
	sts       = urlparse.Endpoint{Host: "sts.amazonaws.com", Service: "sts", SigningName: "sts", Global: true}
	iam       = urlparse.Endpoint{Host: "iam.amazonaws.com", Service: "iam", SigningName: "iam", Global: true}
	lambda    = urlparse.Endpoint{Host: "lambda.us-east-1.amazonaws.com", Region: "us-east-1", Service: "lambda", SigningName: "lambda"}
	bedrockRT = urlparse.Endpoint{Host: "bedrock-runtime.us-east-1.amazonaws.com", Region: "us-east-1", Service: "bedrock-runtime", SigningName: "bedrock"}
	sqs       = urlparse.Endpoint{Host: "sqs.us-east-1.amazonaws.com", Region: "us-east-1", Service: "sqs", SigningName: "sqs"}
	cw        = urlparse.Endpoint{Host: "monitoring.us-east-1.amazonaws.com", Region: "us-east-1", Service: "monitoring", SigningName: "monitoring"}
	ec2       = urlparse.Endpoint{Host: "ec2.us-east-1.amazonaws.com", Region: "us-east-1", Service: "ec2", SigningName: "ec2"}
	email     = urlparse.Endpoint{Host: "email.us-east-1.amazonaws.com", Region: "us-east-1", Service: "email", SigningName: "ses"}
	execAPI   = urlparse.Endpoint{Host: "abc123.execute-api.us-east-1.amazonaws.com", Region: "us-east-1", Service: "execute-api", SigningName: "execute-api"}
	elb       = urlparse.Endpoint{Host: "elasticloadbalancing.us-east-1.amazonaws.com", Region: "us-east-1", Service: "elasticloadbalancing", SigningName: "elasticloadbalancing"}
	rds       = urlparse.Endpoint{Host: "rds.us-east-1.amazonaws.com", Region: "us-east-1", Service: "rds", SigningName: "rds"}
	ecr       = urlparse.Endpoint{Host: "api.ecr.us-east-1.amazonaws.com", Region: "us-east-1", Service: "api.ecr", SigningName: "ecr"}
	s3control = urlparse.Endpoint{Host: "123456789012.s3-control.us-east-1.amazonaws.com", Region: "us-east-1", Service: "s3-control", SigningName: "s3"}
	unknown   = urlparse.Endpoint{Host: "nosuch.us-east-1.amazonaws.com", Region: "us-east-1", Service: "nosuch", SigningName: "nosuch"}
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

var form = hdr("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")

func target(t string) http.Header {
	return hdr("X-Amz-Target", t, "Content-Type", "application/x-amz-json-1.0")
}

// request is what Identify reads of a request, as the tests write it.
type request struct {
	ep     urlparse.Endpoint
	method string
	path   string
	query  string
	header http.Header
	body   string
}

func (r request) identify() Operation {
	return Identify(r.ep, r.method, r.path, r.query, r.header, []byte(r.body))
}

type identifyCase struct {
	name string
	request
	want     string // Service/Name; "" for unidentified
	action   string
	readOnly bool
	protocol string
}

// Each of these was checked by hand against the AWS API references and the
// Service Authorization Reference.
var identifyCases = []identifyCase{
	// S3, path-style, virtual-hosted and through an access point.
	{name: "s3 GetObject", request: request{ep: s3Path, method: "GET", path: "/bucket/photos/cat.jpg"}, want: "s3/GetObject", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetObject virtual", request: request{ep: s3Virtual, method: "GET", path: "/photos/cat.jpg"}, want: "s3/GetObject", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetObject access point", request: request{ep: s3AP, method: "GET", path: "/photos/cat.jpg"}, want: "s3/GetObject", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetObject version", request: request{ep: s3Path, method: "GET", path: "/bucket/k", query: "versionId=3HL4kqtJlcpXroDTDmJ%2Brmb"}, want: "s3/GetObject", action: "s3:GetObjectVersion", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetObject range part", request: request{ep: s3Path, method: "GET", path: "/bucket/k", query: "partNumber=2"}, want: "s3/GetObject", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetObject deep key", request: request{ep: s3Path, method: "GET", path: "/bucket/a/b/c/d.txt"}, want: "s3/GetObject", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 PutObject", request: request{ep: s3Path, method: "PUT", path: "/bucket/k"}, want: "s3/PutObject", action: "s3:PutObject", protocol: "rest-xml"},
	{name: "s3 PutObject folder marker", request: request{ep: s3Path, method: "PUT", path: "/bucket/dir/"}, want: "s3/PutObject", action: "s3:PutObject", protocol: "rest-xml"},
	{name: "s3 HeadObject", request: request{ep: s3Virtual, method: "HEAD", path: "/k"}, want: "s3/HeadObject", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 DeleteObject", request: request{ep: s3Path, method: "DELETE", path: "/bucket/k"}, want: "s3/DeleteObject", action: "s3:DeleteObject", protocol: "rest-xml"},
	{name: "s3 DeleteObject version", request: request{ep: s3Path, method: "DELETE", path: "/bucket/k", query: "versionId=v1"}, want: "s3/DeleteObject", action: "s3:DeleteObjectVersion", protocol: "rest-xml"},
	{name: "s3 AbortMultipartUpload", request: request{ep: s3Path, method: "DELETE", path: "/bucket/k", query: "uploadId=xyz"}, want: "s3/AbortMultipartUpload", action: "s3:AbortMultipartUpload", protocol: "rest-xml"},
	{name: "s3 ListObjectsV2", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "list-type=2&prefix=logs%2F"}, want: "s3/ListObjectsV2", action: "s3:ListBucket", readOnly: true, protocol: "rest-xml"},
	{name: "s3 ListObjectsV2 virtual", request: request{ep: s3Virtual, method: "GET", path: "/", query: "prefix=a&list-type=2"}, want: "s3/ListObjectsV2", action: "s3:ListBucket", readOnly: true, protocol: "rest-xml"},
	{name: "s3 ListObjects", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "prefix=a"}, want: "s3/ListObjects", action: "s3:ListBucket", readOnly: true, protocol: "rest-xml"},
	{name: "s3 ListObjects trailing slash", request: request{ep: s3Path, method: "GET", path: "/bucket/"}, want: "s3/ListObjects", action: "s3:ListBucket", readOnly: true, protocol: "rest-xml"},
	{name: "s3 ListBuckets", request: request{ep: s3Global, method: "GET", path: "/"}, want: "s3/ListBuckets", action: "s3:ListAllMyBuckets", readOnly: true, protocol: "rest-xml"},
	{name: "s3 ListDirectoryBuckets", request: request{ep: s3ExpCtl, method: "GET", path: "/"}, want: "s3/ListDirectoryBuckets", action: "s3express:ListAllMyDirectoryBuckets", readOnly: true, protocol: "rest-xml"},
	{name: "s3 CreateBucket", request: request{ep: s3Path, method: "PUT", path: "/bucket"}, want: "s3/CreateBucket", action: "s3:CreateBucket", protocol: "rest-xml"},
	{name: "s3 CreateBucket virtual", request: request{ep: s3Virtual, method: "PUT", path: "/"}, want: "s3/CreateBucket", action: "s3:CreateBucket", protocol: "rest-xml"},
	{name: "s3 HeadBucket", request: request{ep: s3Virtual, method: "HEAD", path: "/"}, want: "s3/HeadBucket", action: "s3:ListBucket", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetBucketAcl", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "acl"}, want: "s3/GetBucketAcl", action: "s3:GetBucketAcl", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetBucketAcl virtual", request: request{ep: s3Virtual, method: "GET", path: "/", query: "acl="}, want: "s3/GetBucketAcl", action: "s3:GetBucketAcl", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetObjectAcl", request: request{ep: s3Path, method: "GET", path: "/bucket/k", query: "acl"}, want: "s3/GetObjectAcl", action: "s3:GetObjectAcl", readOnly: true, protocol: "rest-xml"},
	{name: "s3 PutObjectTagging", request: request{ep: s3Path, method: "PUT", path: "/bucket/k", query: "tagging"}, want: "s3/PutObjectTagging", action: "s3:PutObjectTagging", protocol: "rest-xml"},
	{name: "s3 PutObjectTagging version", request: request{ep: s3Virtual, method: "PUT", path: "/k", query: "tagging&versionId=v2"}, want: "s3/PutObjectTagging", action: "s3:PutObjectVersionTagging", protocol: "rest-xml"},
	{name: "s3 DeleteBucketTagging", request: request{ep: s3Path, method: "DELETE", path: "/bucket", query: "tagging"}, want: "s3/DeleteBucketTagging", action: "s3:PutBucketTagging", protocol: "rest-xml"},
	{name: "s3 CreateMultipartUpload", request: request{ep: s3Path, method: "POST", path: "/bucket/big.bin", query: "uploads"}, want: "s3/CreateMultipartUpload", action: "s3:PutObject", protocol: "rest-xml"},
	{name: "s3 UploadPart", request: request{ep: s3Path, method: "PUT", path: "/bucket/big.bin", query: "partNumber=3&uploadId=VXBsb2FkIElE"}, want: "s3/UploadPart", action: "s3:PutObject", protocol: "rest-xml"},
	{name: "s3 UploadPartCopy", request: request{ep: s3Path, method: "PUT", path: "/bucket/big.bin", query: "partNumber=3&uploadId=VXBsb2FkIElE", header: hdr("X-Amz-Copy-Source", "/src/k")}, want: "s3/UploadPartCopy", action: "s3:PutObject", protocol: "rest-xml"},
	{name: "s3 CopyObject", request: request{ep: s3Path, method: "PUT", path: "/bucket/copy", header: hdr("x-amz-copy-source", "/src/k")}, want: "s3/CopyObject", action: "s3:PutObject", protocol: "rest-xml"},
	{name: "s3 CompleteMultipartUpload", request: request{ep: s3Path, method: "POST", path: "/bucket/big.bin", query: "uploadId=VXBsb2FkIElE"}, want: "s3/CompleteMultipartUpload", action: "s3:PutObject", protocol: "rest-xml"},
	{name: "s3 ListParts", request: request{ep: s3Path, method: "GET", path: "/bucket/big.bin", query: "uploadId=VXBsb2FkIElE"}, want: "s3/ListParts", action: "s3:ListMultipartUploadParts", readOnly: true, protocol: "rest-xml"},
	{name: "s3 ListMultipartUploads", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "uploads"}, want: "s3/ListMultipartUploads", action: "s3:ListBucketMultipartUploads", readOnly: true, protocol: "rest-xml"},
	{name: "s3 ListObjectVersions", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "versions&prefix=a"}, want: "s3/ListObjectVersions", action: "s3:ListBucketVersions", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetBucketLocation", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "location"}, want: "s3/GetBucketLocation", action: "s3:GetBucketLocation", readOnly: true, protocol: "rest-xml"},
	{name: "s3 GetBucketLifecycleConfiguration not the deprecated twin", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "lifecycle"}, want: "s3/GetBucketLifecycleConfiguration", action: "s3:GetLifecycleConfiguration", readOnly: true, protocol: "rest-xml"},
	{name: "s3 SelectObjectContent", request: request{ep: s3Path, method: "POST", path: "/bucket/data.csv", query: "select&select-type=2"}, want: "s3/SelectObjectContent", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 DeleteObjects", request: request{ep: s3Path, method: "POST", path: "/bucket", query: "delete"}, want: "s3/DeleteObjects", action: "s3:DeleteObject", protocol: "rest-xml"},
	{name: "s3 RestoreObject", request: request{ep: s3Path, method: "POST", path: "/bucket/k", query: "restore"}, want: "s3/RestoreObject", action: "s3:RestoreObject", protocol: "rest-xml"},
	{name: "s3 CreateSession mints credentials", request: request{ep: s3Express, method: "GET", path: "/", query: "session"}, want: "s3/CreateSession", action: "s3express:CreateSession", protocol: "rest-xml"},
	{name: "s3 encoded sub-resource", request: request{ep: s3Path, method: "GET", path: "/bucket", query: "ac%6C"}, want: "s3/GetBucketAcl", action: "s3:GetBucketAcl", readOnly: true, protocol: "rest-xml"},
	{name: "s3 lower-case method", request: request{ep: s3Path, method: "get", path: "/bucket/k"}, want: "s3/GetObject", action: "s3:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3 POST object form upload is not in the model", request: request{ep: s3Path, method: "POST", path: "/bucket"}, want: ""},
	{name: "s3 unknown method", request: request{ep: s3Path, method: "BREW", path: "/bucket/k"}, want: ""},
	{name: "s3 on Outposts", request: request{ep: urlparse.Endpoint{Service: "s3-outposts", SigningName: "s3-outposts", Addressing: urlparse.AccessPointStyle, AccessPoint: "ap", OutpostID: "op-01ac5d28a6a232904"}, method: "GET", path: "/k"}, want: "s3/GetObject", action: "s3-outposts:GetObject", readOnly: true, protocol: "rest-xml"},
	{name: "s3-control GetAccessPoint", request: request{ep: s3control, method: "GET", path: "/v20180820/accesspoint/my-ap"}, want: "s3control/GetAccessPoint", action: "s3:GetAccessPoint", readOnly: true, protocol: "rest-xml"},

	// DynamoDB (JSON 1.0).
	{name: "dynamodb GetItem", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.GetItem"), body: `{"TableName":"t"}`}, want: "dynamodb/GetItem", action: "dynamodb:GetItem", readOnly: true, protocol: "json"},
	{name: "dynamodb Query", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.Query")}, want: "dynamodb/Query", action: "dynamodb:Query", readOnly: true, protocol: "json"},
	{name: "dynamodb BatchGetItem", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.BatchGetItem")}, want: "dynamodb/BatchGetItem", action: "dynamodb:BatchGetItem", readOnly: true, protocol: "json"},
	{name: "dynamodb PutItem", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20120810.PutItem")}, want: "dynamodb/PutItem", action: "dynamodb:PutItem", protocol: "json"},
	{name: "dynamodb wrong target prefix", request: request{ep: ddb, method: "POST", path: "/", header: target("DynamoDB_20111205.GetItem")}, want: ""},
	{name: "dynamodb no target", request: request{ep: ddb, method: "POST", path: "/", body: `{}`}, want: ""},
	{name: "dynamodb hand-built lower-case header", request: request{ep: ddb, method: "POST", path: "/", header: http.Header{"x-amz-target": {"DynamoDB_20120810.Scan"}}}, want: "dynamodb/Scan", action: "dynamodb:Scan", readOnly: true, protocol: "json"},

	// STS (query), in the query string and in a form body.
	{name: "sts GetCallerIdentity query string", request: request{ep: sts, method: "GET", path: "/", query: "Action=GetCallerIdentity&Version=2011-06-15"}, want: "sts/GetCallerIdentity", action: "sts:GetCallerIdentity", readOnly: true, protocol: "query"},
	{name: "sts GetCallerIdentity form", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=GetCallerIdentity&Version=2011-06-15"}, want: "sts/GetCallerIdentity", action: "sts:GetCallerIdentity", readOnly: true, protocol: "query"},
	{name: "sts encoded action", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Version=2011-06-15&Action=Get%43allerIdentity"}, want: "sts/GetCallerIdentity", action: "sts:GetCallerIdentity", readOnly: true, protocol: "query"},
	{name: "sts AssumeRole", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s&Version=2011-06-15"}, want: "sts/AssumeRole", action: "sts:AssumeRole", protocol: "query"},
	{name: "sts GetSessionToken mints credentials", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=GetSessionToken&Version=2011-06-15"}, want: "sts/GetSessionToken", action: "sts:GetSessionToken", protocol: "query"},
	{name: "sts two actions", request: request{ep: sts, method: "POST", path: "/", header: form, body: "Action=GetCallerIdentity&Action=AssumeRole"}, want: ""},
	{name: "sts query and body disagree", request: request{ep: sts, method: "POST", path: "/", query: "Action=GetCallerIdentity", header: form, body: "Action=AssumeRole"}, want: ""},
	{name: "sts JSON body is not a form", request: request{ep: sts, method: "POST", path: "/", header: hdr("Content-Type", "application/json"), body: "Action=GetCallerIdentity"}, want: ""},

	// IAM (query).
	{name: "iam ListUsers", request: request{ep: iam, method: "POST", path: "/", header: form, body: "Action=ListUsers&Version=2010-05-08"}, want: "iam/ListUsers", action: "iam:ListUsers", readOnly: true, protocol: "query"},
	{name: "iam CreateAccessKey", request: request{ep: iam, method: "POST", path: "/", header: form, body: "Action=CreateAccessKey&UserName=bob&Version=2010-05-08"}, want: "iam/CreateAccessKey", action: "iam:CreateAccessKey", protocol: "query"},
	{name: "iam SimulatePrincipalPolicy", request: request{ep: iam, method: "POST", path: "/", header: form, body: "Action=SimulatePrincipalPolicy&Version=2010-05-08"}, want: "iam/SimulatePrincipalPolicy", action: "iam:SimulatePrincipalPolicy", readOnly: true, protocol: "query"},

	// Lambda (rest-json).
	{name: "lambda Invoke", request: request{ep: lambda, method: "POST", path: "/2015-03-31/functions/my-fn/invocations"}, want: "lambda/Invoke", action: "lambda:InvokeFunction", protocol: "rest-json"},
	{name: "lambda Invoke by ARN", request: request{ep: lambda, method: "POST", path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/invocations"}, want: "lambda/Invoke", action: "lambda:InvokeFunction", protocol: "rest-json"},
	{name: "lambda ListFunctions", request: request{ep: lambda, method: "GET", path: "/2015-03-31/functions/", query: "MaxItems=10"}, want: "lambda/ListFunctions", action: "lambda:ListFunctions", readOnly: true, protocol: "rest-json"},
	{name: "lambda GetFunction returns a presigned code URL", request: request{ep: lambda, method: "GET", path: "/2015-03-31/functions/my-fn"}, want: "lambda/GetFunction", action: "lambda:GetFunction", protocol: "rest-json"},
	{name: "lambda GetFunctionConfiguration", request: request{ep: lambda, method: "GET", path: "/2015-03-31/functions/my-fn/configuration"}, want: "lambda/GetFunctionConfiguration", action: "lambda:GetFunctionConfiguration", readOnly: true, protocol: "rest-json"},
	{name: "lambda DeleteFunction", request: request{ep: lambda, method: "DELETE", path: "/2015-03-31/functions/my-fn"}, want: "lambda/DeleteFunction", action: "lambda:DeleteFunction", protocol: "rest-json"},

	// Bedrock runtime (rest-json, signed as bedrock).
	{name: "bedrock InvokeModel", request: request{ep: bedrockRT, method: "POST", path: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"}, want: "bedrock-runtime/InvokeModel", action: "bedrock:InvokeModel", protocol: "rest-json"},
	{name: "bedrock InvokeModelWithResponseStream", request: request{ep: bedrockRT, method: "POST", path: "/model/anthropic.claude-3-haiku-20240307-v1:0/invoke-with-response-stream"}, want: "bedrock-runtime/InvokeModelWithResponseStream", action: "bedrock:InvokeModelWithResponseStream", protocol: "rest-json"},
	{name: "bedrock Converse", request: request{ep: bedrockRT, method: "POST", path: "/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse"}, want: "bedrock-runtime/Converse", action: "bedrock:InvokeModel", protocol: "rest-json"},
	{name: "bedrock ConverseStream", request: request{ep: bedrockRT, method: "POST", path: "/model/amazon.nova-lite-v1%3A0/converse-stream"}, want: "bedrock-runtime/ConverseStream", action: "bedrock:InvokeModelWithResponseStream", protocol: "rest-json"},
	{name: "bedrock ListAsyncInvokes", request: request{ep: bedrockRT, method: "GET", path: "/async-invoke"}, want: "bedrock-runtime/ListAsyncInvokes", action: "bedrock:ListAsyncInvokes", readOnly: true, protocol: "rest-json"},
	{name: "bedrock GET on invoke is no operation", request: request{ep: bedrockRT, method: "GET", path: "/model/m/invoke"}, want: ""},

	// SQS: JSON today, and the query protocol it still answers.
	{name: "sqs ReceiveMessage json", request: request{ep: sqs, method: "POST", path: "/", header: target("AmazonSQS.ReceiveMessage")}, want: "sqs/ReceiveMessage", action: "sqs:ReceiveMessage", protocol: "json"},
	{name: "sqs ListQueues json", request: request{ep: sqs, method: "POST", path: "/", header: target("AmazonSQS.ListQueues")}, want: "sqs/ListQueues", action: "sqs:ListQueues", readOnly: true, protocol: "json"},
	{name: "sqs ListQueues query", request: request{ep: sqs, method: "GET", path: "/", query: "Action=ListQueues&Version=2012-11-05"}, want: "sqs/ListQueues", action: "sqs:ListQueues", readOnly: true, protocol: "query"},
	{name: "sqs SendMessage query form", request: request{ep: sqs, method: "POST", path: "/123456789012/q", header: form, body: "Action=SendMessage&MessageBody=hi&Version=2012-11-05"}, want: "sqs/SendMessage", action: "sqs:SendMessage", protocol: "query"},
	{name: "sqs json and query disagree", request: request{ep: sqs, method: "POST", path: "/", query: "Action=DeleteQueue", header: target("AmazonSQS.ListQueues")}, want: ""},
	{name: "sqs unknown target beside a known action", request: request{ep: sqs, method: "POST", path: "/", query: "Action=ListQueues", header: target("amazonsqs.deletequeue")}, want: ""},
	{name: "sqs unknown action beside a known target", request: request{ep: sqs, method: "POST", path: "/", query: "Action=Purge", header: target("AmazonSQS.ListQueues")}, want: ""},

	// CloudWatch: Smithy RPC v2 CBOR preferred, JSON and query accepted.
	{name: "cloudwatch GetMetricData query", request: request{ep: cw, method: "POST", path: "/", header: form, body: "Action=GetMetricData&Version=2010-08-01"}, want: "cloudwatch/GetMetricData", action: "cloudwatch:GetMetricData", readOnly: true, protocol: "query"},
	{name: "cloudwatch GetMetricData json", request: request{ep: cw, method: "POST", path: "/", header: target("GraniteServiceVersion20100801.GetMetricData")}, want: "cloudwatch/GetMetricData", action: "cloudwatch:GetMetricData", readOnly: true, protocol: "json"},
	{name: "cloudwatch GetMetricData cbor", request: request{ep: cw, method: "POST", path: "/service/GraniteServiceVersion20100801/operation/GetMetricData", header: hdr("Smithy-Protocol", "rpc-v2-cbor", "Content-Type", "application/cbor")}, want: "cloudwatch/GetMetricData", action: "cloudwatch:GetMetricData", readOnly: true, protocol: "smithy-rpc-v2-cbor"},
	{name: "cloudwatch PutMetricData cbor", request: request{ep: cw, method: "POST", path: "/service/GraniteServiceVersion20100801/operation/PutMetricData"}, want: "cloudwatch/PutMetricData", action: "cloudwatch:PutMetricData", protocol: "smithy-rpc-v2-cbor"},
	{name: "cloudwatch by service name", request: request{ep: urlparse.Endpoint{Custom: true, Service: "cloudwatch"}, method: "POST", path: "/", query: "Action=DescribeAlarms"}, want: "cloudwatch/DescribeAlarms", action: "cloudwatch:DescribeAlarms", readOnly: true, protocol: "query"},

	// EC2.
	{name: "ec2 DescribeInstances", request: request{ep: ec2, method: "POST", path: "/", header: form, body: "Action=DescribeInstances&Version=2016-11-15"}, want: "ec2/DescribeInstances", action: "ec2:DescribeInstances", readOnly: true, protocol: "ec2"},
	{name: "ec2 RunInstances", request: request{ep: ec2, method: "POST", path: "/", header: form, body: "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&Version=2016-11-15"}, want: "ec2/RunInstances", action: "ec2:RunInstances", protocol: "ec2"},
	{name: "ec2 GET query string", request: request{ep: ec2, method: "GET", path: "/", query: "Action=DescribeRegions&Version=2016-11-15"}, want: "ec2/DescribeRegions", action: "ec2:DescribeRegions", readOnly: true, protocol: "ec2"},
	{name: "ec2 unknown action", request: request{ep: ec2, method: "POST", path: "/", header: form, body: "Action=LaunchMissiles"}, want: ""},

	// Shared endpoints.
	{name: "email SendEmail is ses", request: request{ep: email, method: "POST", path: "/", header: form, body: "Action=SendEmail&Version=2010-12-01"}, want: "ses/SendEmail", action: "ses:SendEmail", protocol: "query"},
	{name: "email v2 SendEmail is sesv2", request: request{ep: email, method: "POST", path: "/v2/email/outbound-emails"}, want: "sesv2/SendEmail", action: "ses:SendEmail", protocol: "rest-json"},
	{name: "elasticloadbalancing v2", request: request{ep: elb, method: "POST", path: "/", header: form, body: "Action=DescribeLoadBalancers&Version=2015-12-01"}, want: "elbv2/DescribeLoadBalancers", action: "elasticloadbalancing:DescribeLoadBalancers", readOnly: true, protocol: "query"},
	{name: "elasticloadbalancing classic", request: request{ep: elb, method: "POST", path: "/", header: form, body: "Action=DescribeLoadBalancers&Version=2012-06-01"}, want: "elb/DescribeLoadBalancers", action: "elasticloadbalancing:DescribeLoadBalancers", readOnly: true, protocol: "query"},
	{name: "rds endpoint is rds", request: request{ep: rds, method: "POST", path: "/", header: form, body: "Action=DescribeDBClusters&Version=2014-10-31"}, want: "rds/DescribeDBClusters", action: "rds:DescribeDBClusters", readOnly: true, protocol: "query"},
	{name: "ecr GetAuthorizationToken mints credentials", request: request{ep: ecr, method: "POST", path: "/", header: target("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")}, want: "ecr/GetAuthorizationToken", action: "ecr:GetAuthorizationToken", protocol: "json"},

	// API Gateway.
	{name: "execute-api invoke", request: request{ep: execAPI, method: "GET", path: "/prod/pets"}, want: "execute-api/Invoke", action: "execute-api:Invoke", protocol: ""},
	{name: "execute-api PostToConnection", request: request{ep: execAPI, method: "POST", path: "/prod/@connections/L0SM9cOFvHcCIhw%3D"}, want: "apigatewaymanagementapi/PostToConnection", action: "execute-api:ManageConnections", protocol: "rest-json"},

	// Nothing known.
	{name: "unknown service", request: request{ep: unknown, method: "GET", path: "/"}, want: ""},
	{name: "empty endpoint", request: request{method: "GET", path: "/"}, want: ""},
}

func TestIdentify(t *testing.T) {
	for _, tc := range identifyCases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.identify()
			name := ""
			if got.Name != "" {
				name = got.Service + "/" + got.Name
			}
			if name != tc.want {
				t.Fatalf("Identify(%s %s?%s) = %q (%+v), want %q", tc.method, tc.path, tc.query, name, got, tc.want)
			}
			if tc.want == "" {
				if got.ReadOnly || got.Action != "" || got.Unidentified == "" {
					t.Errorf("unidentified request: %+v, want no action, ReadOnly false and a reason", got)
				}
				return
			}
			if got.Unidentified != "" {
				t.Errorf("identified request with a reason to refuse it: %q", got.Unidentified)
			}
			if got.Action != tc.action || got.ReadOnly != tc.readOnly || got.Protocol != tc.protocol {
				t.Errorf("got action %q readOnly %v protocol %q, want %q %v %q", got.Action, got.ReadOnly, got.Protocol, tc.action, tc.readOnly, tc.protocol)
			}
		})
	}
}

func TestIdentifyEventSource(t *testing.T) {
	for _, tc := range []struct {
		ep   urlparse.Endpoint
		want string
	}{
		{s3Path, "s3.amazonaws.com"},
		{bedrockRT, "bedrock.amazonaws.com"},
		{cw, "monitoring.amazonaws.com"},
		{email, "ses.amazonaws.com"},
		{ecr, "ecr.amazonaws.com"},
		{s3control, "s3.amazonaws.com"},
		{unknown, ""},
	} {
		if got := Identify(tc.ep, "GET", "/", "", nil, nil).EventSource; got != tc.want {
			t.Errorf("%s: EventSource %q, want %q", tc.ep.Host, got, tc.want)
		}
	}
}

func TestIdentifyUnknownOperationKeepsService(t *testing.T) {
	got := Identify(ddb, "POST", "/", "", target("DynamoDB_20120810.DropEverything"), nil)
	if got.Service != "dynamodb" || got.Name != "" || got.Action != "" || got.ReadOnly {
		t.Fatalf("got %+v, want service dynamodb and nothing else", got)
	}
}
