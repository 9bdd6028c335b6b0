package catalog

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// credentialMember matches the names of output members that carry a
// credential, a token, a signed URL or a sign-in URL. Names are compared
// case-insensitively and whole. Pagination and idempotency tokens
// (NextToken, ContinuationToken, ClientToken, ChangeToken, ...) do not
// match: only the listed prefixes of "Token" do.
var credentialMember = regexp.MustCompile(`(?i)^(` + strings.Join([]string{
	// AWS credentials.
	`.*secretaccesskey`, `secretkey`, `.*sessiontoken`, `securitytoken`, `credentials`,
	// Bearer tokens.
	`.*accesstoken`, `.*idtoken`, `.*refreshtoken`, `token`, `tokenvalue`,
	`(authorization|auth|bearer|cli|web|jwt|oauth2?|join|participant|connection|chat|serviceaccount|federation)token`,
	// Signed, sign-in, embed and streaming URLs.
	`.*pre-?signed(log|s3)?url`, `.*signed(bi)?url`, `authorizedurl`, `.*embedurl`, `.*streaming(session)?url`,
	`signinurl`, `authcodeurl`, `.*(upload|download)url`, `artifacts?url`, `streamurl`, `signedconnectionstring`,
	// Keys, secrets and passwords.
	`streamkey`, `apikey`, `privatekey(base64)?`, `keymaterial`, `clientsecret`, `secret`, `secretcode`,
	`(masteruser|db|service|temporary|challenge)?password`,
}, "|") + `)$`)

// A member named only "Url" (or "Uri") is flagged when the shape holding
// it says it is for an upload or a download (connect UploadUrlMetadata.Url,
// devicefarm Upload.url), or gives the URL an expiry (qconnect
// ContentData.url beside urlExpiry, devicefarm CreateTestGridUrlResult.url
// beside expires): a URL that expires is signed.
var (
	urlMember    = regexp.MustCompile(`(?i)^.*ur[li]$`)
	signedShape  = regexp.MustCompile(`(?i)(upload|download|presign|signed|attachment)`)
	expiryMember = regexp.MustCompile(`(?i)^(.*ur[li](expiry|expires.*|expiration.*)|expires|expirationtime|validuntil)$`)
)

// looksIssuing reports whether a member of an output shape looks like a
// credential, a token or a signed URL.
func looksIssuing(shapeName string, shape *botoShape, member string) bool {
	if credentialMember.MatchString(member) {
		return true
	}
	if !urlMember.MatchString(member) {
		return false
	}
	if strings.EqualFold(member, "url") || strings.EqualFold(member, "uri") {
		if signedShape.MatchString(shapeName) {
			return true
		}
	}
	for other := range shape.Members {
		if expiryMember.MatchString(other) {
			return true
		}
	}
	return false
}

func TestIssuingTableNamesRealOperations(t *testing.T) {
	c := get()
	for key, ref := range issuingOperations {
		svcName, opName, ok := strings.Cut(key, "/")
		s := c.byName[svcName]
		if !ok || s == nil || s.byName[opName] == nil {
			t.Errorf("issuingOperations: %q names no operation", key)
			continue
		}
		o := s.byName[opName]
		if !o.issues || !IssuesCredentials(svcName, opName) {
			t.Errorf("%s: not marked as issuing", key)
		}
		if o.readOnly {
			t.Errorf("%s issues credentials but is read-only", key)
		}
		if !strings.HasPrefix(ref, "https://docs.aws.amazon.com/") {
			t.Errorf("%s: cites %q, want an AWS documentation page", key, ref)
		}
	}
	for key := range notIssuing {
		svcName, rest, _ := strings.Cut(key, "/")
		if c.byName[svcName] == nil {
			t.Errorf("notIssuing: %q names no service", key)
		}
		if !strings.Contains(rest, ".") && c.byName[svcName] != nil && c.byName[svcName].byName[rest] == nil {
			t.Errorf("notIssuing: %q names no operation", key)
		}
		if _, both := issuingOperations[key]; both {
			t.Errorf("%s is both issuing and not", key)
		}
	}
}

// TestIssuingIsComplete walks the output of every operation botocore
// models, and requires each whose output has a member named like a
// credential to be decided: listed as issuing, or listed in notIssuing with
// the reason.
func TestIssuingIsComplete(t *testing.T) {
	models, version := botocore(t)
	if version != BotocoreVersion() {
		t.Logf("botocore %s is installed; the catalog was made from %s: operations it does not know are not checked", version, BotocoreVersion())
	}
	c := get()
	usedExclusion := map[string]bool{}
	var undecided []string
	names := make([]string, 0, len(models))
	for name := range models {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, svcName := range names {
		m := models[svcName]
		s := c.byName[svcName]
		if s == nil {
			continue
		}
		ops := make([]string, 0, len(m.Operations))
		for op := range m.Operations {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, opName := range ops {
			if s.byName[opName] == nil {
				continue
			}
			key := svcName + "/" + opName
			var flagged []string
			m.outputMembers(opName, func(shapeName string, shape *botoShape, member string) {
				if !looksIssuing(shapeName, shape, member) {
					return
				}
				path := svcName + "/" + shapeName + "." + member
				if _, ok := notIssuing[path]; ok {
					usedExclusion[path] = true
					return
				}
				flagged = append(flagged, shapeName+"."+member)
			})
			if len(flagged) == 0 {
				continue
			}
			if _, ok := issuingOperations[key]; ok {
				continue
			}
			if _, ok := notIssuing[key]; ok {
				usedExclusion[key] = true
				continue
			}
			undecided = append(undecided, key+" "+strings.Join(flagged, " "))
		}
	}
	for _, u := range undecided {
		t.Errorf("undecided: %s", u)
	}
	if len(undecided) > 0 {
		t.Logf("%d operations return what looks like a credential: list each in issuingOperations (issuing.go) or notIssuing (issuing_test.go)", len(undecided))
	}
	if version == BotocoreVersion() {
		for key := range notIssuing {
			if !usedExclusion[key] {
				t.Errorf("notIssuing[%q] excludes nothing: remove it", key)
			}
		}
	}
}

// notIssuing are the operations, or the output members ("service/Shape.Member",
// wherever the shape appears in that service), that look like they return a
// credential and do not, with the reason. Stored configuration the caller
// wrote (an endpoint's password, an identity provider's client secret) is
// read as secretsmanager GetSecretValue is: the package documents reading
// stored secrets as reading.
var notIssuing = map[string]string{
	// Names of secrets, roles and files, not their values.
	"apigateway/Integration.credentials":                                      "an IAM role ARN for the integration",
	"appmesh/ListenerTlsFileCertificate.privateKey":                           "a file path on the proxy's host",
	"appmesh/VirtualGatewayListenerTlsFileCertificate.privateKey":             "a file path on the proxy's host",
	"batch/EksVolume.secret":                                                  "names a Kubernetes secret to mount",
	"bedrock-agentcore/ExternalProxy.credentials":                             "a Secrets Manager ARN",
	"evs/Environment.credentials":                                             "Secrets Manager ARNs",
	"kendra/BasicAuthenticationConfiguration.Credentials":                     "a Secrets Manager ARN",
	"kendra/ProxyConfiguration.Credentials":                                   "a Secrets Manager ARN",
	"pipes/PipeSourceActiveMQBrokerParameters.Credentials":                    "Secrets Manager ARNs",
	"pipes/PipeSourceManagedStreamingKafkaParameters.Credentials":             "Secrets Manager ARNs",
	"pipes/PipeSourceRabbitMQBrokerParameters.Credentials":                    "Secrets Manager ARNs",
	"pipes/PipeSourceSelfManagedKafkaParameters.Credentials":                  "Secrets Manager ARNs",
	"ssm-sap/Database.Credentials":                                            "Secrets Manager secret ids",
	"rolesanywhere/SubjectDetail.credentials":                                 "summaries of the X.509 certificates used, no secret",
	"quicksight/AssetBundleImportJobDataSourceOverrideParameters.Credentials": "stored configuration: the import job's data source credentials the caller supplied",
	"cognito-idp/ListWebAuthnCredentialsResponse.Credentials":                 "descriptions of a user's passkeys (public keys)",
	"sagemaker/InferenceComponentContainerSpecificationSummary.ArtifactUrl":   "an S3 path, not a signed URL",
	"mediapackagev2/DashDvbFontDownload.Url":                                  "a font URL the caller configured",
	"appflow/OAuthProperties.authCodeUrl":                                     "the OAuth authorization endpoint the caller configured",
	"amplifybackend/BackendAPIAppSyncAuthSettings.OpenIDIssueURL":             "the OpenID issuer the caller configured",
	"iam/DelegationRequest.RedirectUrl":                                       "where a partner's delegation request redirects; no credential",

	// Stored configuration the caller wrote.
	"amplifybackend/BackendAuthAppleProviderConfig.PrivateKey":                    "stored configuration: the caller's Sign in with Apple key",
	"amplifybackend/BackendAuthSocialProviderConfig.ClientSecret":                 "stored configuration: a social provider's client secret",
	"connecthealth/FHIRServer.oauthToken":                                         "stored configuration: the caller's token for its FHIR server",
	"datasync/FsxProtocolSmb.Password":                                            "stored configuration: the SMB user's password",
	"dms/DocDbSettings.Password":                                                  "stored configuration: the endpoint's password",
	"dms/GcpMySQLSettings.Password":                                               "stored configuration: the endpoint's password",
	"dms/IBMDb2Settings.Password":                                                 "stored configuration: the endpoint's password",
	"dms/MicrosoftSQLServerSettings.Password":                                     "stored configuration: the endpoint's password",
	"dms/MongoDbSettings.Password":                                                "stored configuration: the endpoint's password",
	"dms/MySQLSettings.Password":                                                  "stored configuration: the endpoint's password",
	"dms/OracleSettings.Password":                                                 "stored configuration: the endpoint's password",
	"dms/PostgreSQLSettings.Password":                                             "stored configuration: the endpoint's password",
	"dms/RedshiftSettings.Password":                                               "stored configuration: the endpoint's password",
	"dms/SybaseSettings.Password":                                                 "stored configuration: the endpoint's password",
	"ec2/OidcOptions.ClientSecret":                                                "stored configuration: the trust provider's OIDC client secret",
	"ec2/VerifiedAccessInstanceUserTrustProviderClientConfiguration.ClientSecret": "stored configuration: the trust provider's OIDC client secret",
	"elbv2/AuthenticateOidcActionConfig.ClientSecret":                             "stored configuration: the IdP's client secret (UseExistingClientSecret exists because it is not read back)",
	"glue/SourceControlDetails.AuthToken":                                         "stored configuration: the caller's Git token",
	"iot/SalesforceAction.token":                                                  "stored configuration: the caller's Salesforce token",
	"medialive/HlsAkamaiSettings.Token":                                           "stored configuration: the caller's Akamai token",
	"quicksight/AssetBundleImportJobDataSourceCredentialPair.Password":            "stored configuration: a data source password the caller supplied",
	"wickr/GetOpentdfConfigResponse.clientSecret":                                 "stored configuration: the OpenTDF provider's client secret",
	"wickr/RegisterOidcConfigResponse.clientSecret":                               "stored configuration: the OIDC provider's client secret",
	"wickr/RegisterOidcConfigResponse.secret":                                     "stored configuration: the OIDC provider's secret",
	"wickr/RegisterOpentdfConfigResponse.clientSecret":                            "stored configuration: the OpenTDF provider's client secret",

	// A master password the caller set, pending until it is applied.
	"docdb/PendingModifiedValues.MasterUserPassword":                                    "stored configuration: a pending master password the caller set",
	"neptune/PendingModifiedValues.MasterUserPassword":                                  "stored configuration: a pending master password the caller set",
	"rds/PendingModifiedValues.MasterUserPassword":                                      "stored configuration: a pending master password the caller set",
	"rds/ClusterPendingModifiedValues.MasterUserPassword":                               "stored configuration: a pending master password the caller set",
	"rds/TenantDatabasePendingModifiedValues.MasterUserPassword":                        "stored configuration: a pending master password the caller set",
	"redshift/PendingModifiedValues.MasterUserPassword":                                 "stored configuration: a pending master password the caller set",
	"lightsail/PendingModifiedRelationalDatabaseValues.masterUserPassword":              "stored configuration: a pending master password the caller set",
	"securityhub/AwsOpenSearchServiceDomainMasterUserOptionsDetails.MasterUserPassword": "a finding's copy of a resource's configuration",
	"securityhub/AwsRdsDbPendingModifiedValues.MasterUserPassword":                      "a finding's copy of a resource's configuration",
	"securityhub/AwsRedshiftClusterPendingModifiedValues.MasterUserPassword":            "a finding's copy of a resource's configuration",

	// Tokens that authorize nothing.
	"bedrock-agentcore/TokenBalance.token":                            "the currency a balance is in",
	"codepipeline/ActionConfigurationProperty.secret":                 "a flag: whether a property is secret",
	"codepipeline/RuleConfigurationProperty.secret":                   "a flag: whether a property is secret",
	"codepipeline/ActionExecution.token":                              "an approval token, used only through PutApprovalResult",
	"codepipeline/RuleExecution.token":                                "a rule execution token, used only through the API",
	"cognito-sync/ListRecordsResponse.SyncSessionToken":               "a concurrency token for UpdateRecords",
	"ec2/IpamExternalResourceVerificationToken.TokenValue":            "a verification token published to prove control of a resource",
	"eks/License.token":                                               "a license token for extended support",
	"entityresolution/AddPolicyStatementOutput.token":                 "the policy's revision id",
	"entityresolution/DeletePolicyStatementOutput.token":              "the policy's revision id",
	"entityresolution/GetPolicyOutput.token":                          "the policy's revision id",
	"entityresolution/PutPolicyOutput.token":                          "the policy's revision id",
	"neptunedata/FastResetToken.token":                                "confirms a reset through the API",
	"securityagent/DnsVerification.token":                             "a verification token published to prove control of a domain",
	"securityagent/HttpVerification.token":                            "a verification token published to prove control of a domain",
	"sso-admin/Grant.RefreshToken":                                    "the configuration of the refresh_token grant type",
	"taxsettings/TaxDocumentMetadata.taxDocumentAccessToken":          "locates a tax document for GetTaxRegistrationDocument",
	"wafv2/APIKeySummary.APIKey":                                      "a CAPTCHA integration key, embedded in client pages by design",
	"wafv2/CreateAPIKeyResponse.APIKey":                               "a CAPTCHA integration key, embedded in client pages by design",
	"wickr/RegisterOidcConfigTestResponse.microsoftMultiRefreshToken": "a flag: whether the provider supports them",

	// Secrets AWS returns only when they are created.
	"lightsail/AccessKey.secretAccessKey": "GetBucketAccessKeys does not return the secret (only CreateBucketAccessKey, listed, does)",
}

func TestIdentifyIssuesCredentials(t *testing.T) {
	for _, tc := range []struct {
		name string
		request
		want bool
	}{
		{"sts GetSessionToken", request{sts, "POST", "/", "", form, "Action=GetSessionToken&Version=2011-06-15"}, true},
		{"sts AssumeRole", request{sts, "POST", "/", "", form, "Action=AssumeRole&Version=2011-06-15"}, true},
		{"sts GetCallerIdentity", request{sts, "POST", "/", "", form, "Action=GetCallerIdentity&Version=2011-06-15"}, false},
		{"iam CreateAccessKey", request{iam, "POST", "/", "", form, "Action=CreateAccessKey&Version=2010-05-08"}, true},
		{"iam ListAccessKeys", request{iam, "POST", "/", "", form, "Action=ListAccessKeys&Version=2010-05-08"}, false},
		{"ecr GetAuthorizationToken", request{ecr, "POST", "/", "", target("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"), "{}"}, true},
		{"lambda GetFunction", request{lambda, "GET", "/2015-03-31/functions/my-fn", "", nil, ""}, true},
		{"lambda GetFunctionConfiguration", request{lambda, "GET", "/2015-03-31/functions/my-fn/configuration", "", nil, ""}, false},
		{"s3 CreateSession", request{s3Express, "GET", "/", "session", nil, ""}, true},
		{"s3 GetObject", request{s3Virtual, "GET", "/k", "", nil, ""}, false},
		{"unidentified", request{sts, "POST", "/", "", form, "Action=GetSessionToken&Action=GetSessionToken"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.identify()
			if got.IssuesCredentials != tc.want {
				t.Fatalf("IssuesCredentials %v, want %v (%+v)", got.IssuesCredentials, tc.want, got)
			}
			if got.IssuesCredentials && got.ReadOnly {
				t.Errorf("an issuing operation is read-only: %+v", got)
			}
			if got.Name != "" && IssuesCredentials(got.Service, got.Name) != tc.want {
				t.Errorf("IssuesCredentials(%q, %q) disagrees with Identify", got.Service, got.Name)
			}
		})
	}
	if IssuesCredentials("nosuch", "GetSessionToken") || IssuesCredentials("sts", "NoSuch") {
		t.Error("IssuesCredentials of nothing is true")
	}
	if !IssuesCredentials("STS", "AssumeRole") || !IssuesCredentials("api.ecr", "GetAuthorizationToken") {
		t.Error("IssuesCredentials does not resolve service names as Service does")
	}
}

// TestIssuingOverridesReadOnly: the table, not the name, decides, and an
// entry makes a Get* or GET operation not read-only.
func TestIssuingOverridesReadOnly(t *testing.T) {
	for _, key := range []string{"lambda/GetFunction", "sts/GetSessionToken", "ivs/GetStreamKey", "quicksight/GetDashboardEmbedUrl", "cognito-idp/DescribeUserPoolClient"} {
		svcName, opName, _ := strings.Cut(key, "/")
		info, ok := Lookup(svcName, opName)
		if !ok {
			t.Fatalf("%s: not in the catalog", key)
		}
		if !readOnlyByRule(opName, info.Method, strings.HasPrefix(info.Protocol, "rest-")) {
			t.Errorf("%s: the rule says it is not read-only anyway; pick another example", key)
		}
		if info.ReadOnly {
			t.Errorf("%s: read-only, but it issues credentials", key)
		}
	}
}
