package catalog

// issuingOperations lists the operations whose answer lets its reader act
// without the vault: AWS credentials, bearer tokens, passwords and keys AWS
// generates, presigned or signed URLs, and sign-in, embed or streaming URLs.
// It is keyed "service/Operation" (botocore service name); each value is the
// AWS API reference page that documents what the answer carries.
//
// Such an operation is never read-only (readOnly), and Identify reports it
// (Operation.IssuesCredentials). A test walks every output shape of
// botocore's models and fails on an operation that returns a member named
// like a credential and is neither listed here nor excluded, with the
// reason, in the test's notIssuing table: stored configuration the caller
// wrote (a database endpoint's password, an identity provider's client
// secret) is read like secretsmanager GetSecretValue, and is not listed.
var issuingOperations = map[string]string{
	// AWS credentials.
	"sts/AssumeRole":                                      "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
	"sts/AssumeRoleWithSAML":                              "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html",
	"sts/AssumeRoleWithWebIdentity":                       "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html",
	"sts/AssumeRoot":                                      "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html",
	"sts/GetSessionToken":                                 "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html",
	"sts/GetFederationToken":                              "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html",
	"sts/GetWebIdentityToken":                             "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html", // a signed JWT for outside services
	"sts/GetDelegatedAccessToken":                         "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetDelegatedAccessToken.html",
	"iam/CreateAccessKey":                                 "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html",
	"iam/CreateServiceSpecificCredential":                 "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html",
	"iam/ResetServiceSpecificCredential":                  "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResetServiceSpecificCredential.html",
	"sso/GetRoleCredentials":                              "https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html",
	"s3/CreateSession":                                    "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateSession.html",
	"s3control/GetDataAccess":                             "https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetDataAccess.html",
	"cognito-identity/GetCredentialsForIdentity":          "https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html",
	"deadline/AssumeFleetRoleForRead":                     "https://docs.aws.amazon.com/deadline-cloud/latest/APIReference/API_AssumeFleetRoleForRead.html",
	"deadline/AssumeFleetRoleForWorker":                   "https://docs.aws.amazon.com/deadline-cloud/latest/APIReference/API_AssumeFleetRoleForWorker.html",
	"deadline/AssumeQueueRoleForRead":                     "https://docs.aws.amazon.com/deadline-cloud/latest/APIReference/API_AssumeQueueRoleForRead.html",
	"deadline/AssumeQueueRoleForUser":                     "https://docs.aws.amazon.com/deadline-cloud/latest/APIReference/API_AssumeQueueRoleForUser.html",
	"deadline/AssumeQueueRoleForWorker":                   "https://docs.aws.amazon.com/deadline-cloud/latest/APIReference/API_AssumeQueueRoleForWorker.html",
	"eks-auth/AssumeRoleForPodIdentity":                   "https://docs.aws.amazon.com/eks/latest/APIReference/API_auth_AssumeRoleForPodIdentity.html",
	"lakeformation/AssumeDecoratedRoleWithSAML":           "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_AssumeDecoratedRoleWithSAML.html",
	"lakeformation/GetTemporaryDataLocationCredentials":   "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetTemporaryDataLocationCredentials.html",
	"lakeformation/GetTemporaryGluePartitionCredentials":  "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetTemporaryGluePartitionCredentials.html",
	"lakeformation/GetTemporaryGlueTableCredentials":      "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetTemporaryGlueTableCredentials.html",
	"datazone/GetEnvironmentCredentials":                  "https://docs.aws.amazon.com/datazone/latest/APIReference/API_GetEnvironmentCredentials.html",
	"datazone/CreateConnection":                           "https://docs.aws.amazon.com/datazone/latest/APIReference/API_CreateConnection.html", // connection credentials and OAuth tokens
	"datazone/GetConnection":                              "https://docs.aws.amazon.com/datazone/latest/APIReference/API_GetConnection.html",
	"datazone/ListConnections":                            "https://docs.aws.amazon.com/datazone/latest/APIReference/API_ListConnections.html",
	"datazone/UpdateConnection":                           "https://docs.aws.amazon.com/datazone/latest/APIReference/API_UpdateConnection.html",
	"finspace-data/GetProgrammaticAccessCredentials":      "https://docs.aws.amazon.com/finspace/latest/data-api/API_GetProgrammaticAccessCredentials.html",
	"finspace-data/GetExternalDataViewAccessDetails":      "https://docs.aws.amazon.com/finspace/latest/data-api/API_GetExternalDataViewAccessDetails.html",
	"gamelift/CreateBuild":                                "https://docs.aws.amazon.com/gamelift/latest/apireference/API_CreateBuild.html", // UploadCredentials
	"gamelift/RequestUploadCredentials":                   "https://docs.aws.amazon.com/gamelift/latest/apireference/API_RequestUploadCredentials.html",
	"gamelift/GetComputeAccess":                           "https://docs.aws.amazon.com/gamelift/latest/apireference/API_GetComputeAccess.html",
	"gamelift/GetInstanceAccess":                          "https://docs.aws.amazon.com/gamelift/latest/apireference/API_GetInstanceAccess.html",
	"codepipeline/GetJobDetails":                          "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetJobDetails.html", // artifactCredentials
	"codepipeline/GetThirdPartyJobDetails":                "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetThirdPartyJobDetails.html",
	"codepipeline/PollForJobs":                            "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PollForJobs.html",
	"ssm/GetAccessToken":                                  "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetAccessToken.html",
	"signin/CreateOAuth2Token":                            "https://docs.aws.amazon.com/signin/latest/APIReference/API_CreateOAuth2Token.html",
	"lightsail/CreateBucketAccessKey":                     "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_CreateBucketAccessKey.html",
	"emr/GetClusterSessionCredentials":                    "https://docs.aws.amazon.com/emr/latest/APIReference/API_GetClusterSessionCredentials.html",
	"emr-containers/GetManagedEndpointSessionCredentials": "https://docs.aws.amazon.com/emr-on-eks/latest/APIReference/API_GetManagedEndpointSessionCredentials.html",
	"redshift/GetClusterCredentials":                      "https://docs.aws.amazon.com/redshift/latest/APIReference/API_GetClusterCredentials.html",
	"redshift/GetClusterCredentialsWithIAM":               "https://docs.aws.amazon.com/redshift/latest/APIReference/API_GetClusterCredentialsWithIAM.html",
	"redshift/GetIdentityCenterAuthToken":                 "https://docs.aws.amazon.com/redshift/latest/APIReference/API_GetIdentityCenterAuthToken.html",
	"redshift-serverless/GetCredentials":                  "https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_GetCredentials.html",
	"redshift-serverless/GetIdentityCenterAuthToken":      "https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_GetIdentityCenterAuthToken.html",
	"workmail/AssumeImpersonationRole":                    "https://docs.aws.amazon.com/workmail/latest/APIReference/API_AssumeImpersonationRole.html",

	// Registry, repository and service tokens.
	"ecr/GetAuthorizationToken":                         "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html",
	"ecr-public/GetAuthorizationToken":                  "https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/API_GetAuthorizationToken.html",
	"codeartifact/GetAuthorizationToken":                "https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_GetAuthorizationToken.html",
	"lightsail/CreateContainerServiceRegistryLogin":     "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_CreateContainerServiceRegistryLogin.html",
	"license-manager/GetAccessToken":                    "https://docs.aws.amazon.com/license-manager/latest/APIReference/API_GetAccessToken.html",
	"license-manager/CreateToken":                       "https://docs.aws.amazon.com/license-manager/latest/APIReference/API_CreateToken.html",
	"mwaa/CreateCliToken":                               "https://docs.aws.amazon.com/mwaa/latest/API/API_CreateCliToken.html",
	"mwaa/CreateWebLoginToken":                          "https://docs.aws.amazon.com/mwaa/latest/API/API_CreateWebLoginToken.html",
	"grafana/CreateWorkspaceApiKey":                     "https://docs.aws.amazon.com/grafana/latest/APIReference/API_CreateWorkspaceApiKey.html",
	"grafana/CreateWorkspaceServiceAccountToken":        "https://docs.aws.amazon.com/grafana/latest/APIReference/API_CreateWorkspaceServiceAccountToken.html",
	"appsync/CreateApiKey":                              "https://docs.aws.amazon.com/appsync/latest/APIReference/API_CreateApiKey.html", // the key is ApiKey.id
	"appsync/UpdateApiKey":                              "https://docs.aws.amazon.com/appsync/latest/APIReference/API_UpdateApiKey.html",
	"appsync/ListApiKeys":                               "https://docs.aws.amazon.com/appsync/latest/APIReference/API_ListApiKeys.html",
	"apigateway/CreateApiKey":                           "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateApiKey.html", // ApiKey.value
	"apigateway/GetApiKey":                              "https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKey.html",    // with includeValue
	"apigateway/GetApiKeys":                             "https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKeys.html",   // with includeValues
	"apigateway/UpdateApiKey":                           "https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateApiKey.html",
	"devops-agent/AssociateService":                     "https://docs.aws.amazon.com/devopsagent/latest/APIReference/API_AssociateService.html", // a webhook's API key
	"devops-agent/UpdateAssociation":                    "https://docs.aws.amazon.com/devopsagent/latest/APIReference/API_UpdateAssociation.html",
	"bedrock-agentcore/GetWorkloadAccessToken":          "https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_GetWorkloadAccessToken.html",
	"bedrock-agentcore/GetWorkloadAccessTokenForJWT":    "https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_GetWorkloadAccessTokenForJWT.html",
	"bedrock-agentcore/GetWorkloadAccessTokenForUserId": "https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_GetWorkloadAccessTokenForUserId.html",
	"bedrock-agentcore/GetResourceOauth2Token":          "https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_GetResourceOauth2Token.html",
	"bedrock-agentcore/GetResourceApiKey":               "https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_GetResourceApiKey.html",
	"bedrock-agentcore/GetResourcePaymentToken":         "https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_GetResourcePaymentToken.html",
	"codecatalyst/CreateAccessToken":                    "https://docs.aws.amazon.com/codecatalyst/latest/APIReference/API_CreateAccessToken.html",
	"codebuild/CreateWebhook":                           "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Webhook.html", // Webhook.secret signs the payloads that start builds
	"codebuild/UpdateWebhook":                           "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Webhook.html",
	"codebuild/CreateProject":                           "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Webhook.html",
	"codebuild/UpdateProject":                           "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Webhook.html",
	"codebuild/BatchGetProjects":                        "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Webhook.html",
	"chime/CreateBot":                                   "https://docs.aws.amazon.com/chime/latest/APIReference/API_Bot.html", // Bot.SecurityToken
	"chime/GetBot":                                      "https://docs.aws.amazon.com/chime/latest/APIReference/API_Bot.html",
	"chime/ListBots":                                    "https://docs.aws.amazon.com/chime/latest/APIReference/API_Bot.html",
	"chime/UpdateBot":                                   "https://docs.aws.amazon.com/chime/latest/APIReference/API_Bot.html",
	"chime/RegenerateSecurityToken":                     "https://docs.aws.amazon.com/chime/latest/APIReference/API_RegenerateSecurityToken.html",
	"mediapackage/CreateChannel":                        "https://docs.aws.amazon.com/mediapackage/latest/apireference/channels.html", // IngestEndpoint: a generated user name and password
	"mediapackage/DescribeChannel":                      "https://docs.aws.amazon.com/mediapackage/latest/apireference/channels-id.html",
	"mediapackage/ListChannels":                         "https://docs.aws.amazon.com/mediapackage/latest/apireference/channels.html",
	"mediapackage/UpdateChannel":                        "https://docs.aws.amazon.com/mediapackage/latest/apireference/channels-id.html",
	"mediapackage/ConfigureLogs":                        "https://docs.aws.amazon.com/mediapackage/latest/apireference/channels-id-configure_logs.html",
	"mediapackage/RotateChannelCredentials":             "https://docs.aws.amazon.com/mediapackage/latest/apireference/channels-id-credentials.html",
	"mediapackage/RotateIngestEndpointCredentials":      "https://docs.aws.amazon.com/mediapackage/latest/apireference/channels-id-ingest_endpoints-ingest_endpoint_id-credentials.html",
	"pca-connector-scep/CreateChallenge":                "https://docs.aws.amazon.com/pca-connector-scep/latest/APIReference/API_CreateChallenge.html",
	"pca-connector-scep/GetChallengePassword":           "https://docs.aws.amazon.com/pca-connector-scep/latest/APIReference/API_GetChallengePassword.html",
	"route53domains/TransferDomainToAnotherAwsAccount":  "https://docs.aws.amazon.com/Route53/latest/APIReference/API_domains_TransferDomainToAnotherAwsAccount.html", // the password that accepts the domain
	"finspace-data/ResetUserPassword":                   "https://docs.aws.amazon.com/finspace/latest/data-api/API_ResetUserPassword.html",
	"finspace/GetKxConnectionString":                    "https://docs.aws.amazon.com/finspace/latest/management-api/API_GetKxConnectionString.html",

	// Sign-in, user-pool and federation tokens.
	"cognito-identity/GetOpenIdToken":                     "https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetOpenIdToken.html",
	"cognito-identity/GetOpenIdTokenForDeveloperIdentity": "https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetOpenIdTokenForDeveloperIdentity.html",
	"cognito-idp/InitiateAuth":                            "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html",
	"cognito-idp/AdminInitiateAuth":                       "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html",
	"cognito-idp/RespondToAuthChallenge":                  "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html",
	"cognito-idp/AdminRespondToAuthChallenge":             "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminRespondToAuthChallenge.html",
	"cognito-idp/GetTokensFromRefreshToken":               "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html",
	"cognito-idp/AssociateSoftwareToken":                  "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AssociateSoftwareToken.html", // the TOTP seed
	"cognito-idp/CreateUserPoolClient":                    "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html",     // the generated ClientSecret
	"cognito-idp/DescribeUserPoolClient":                  "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html",
	"cognito-idp/UpdateUserPoolClient":                    "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html",
	"sso-oidc/CreateToken":                                "https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateToken.html",
	"sso-oidc/CreateTokenWithIAM":                         "https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateTokenWithIAM.html",
	"sso-oidc/RegisterClient":                             "https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_RegisterClient.html",
	"amplifyuibuilder/ExchangeCodeForToken":               "https://docs.aws.amazon.com/amplifyuibuilder/latest/APIReference/API_ExchangeCodeForToken.html",
	"amplifyuibuilder/RefreshToken":                       "https://docs.aws.amazon.com/amplifyuibuilder/latest/APIReference/API_RefreshToken.html",
	"connect/GetFederationToken":                          "https://docs.aws.amazon.com/connect/latest/APIReference/API_GetFederationToken.html",
	"wickr/GetOidcInfo":                                   "https://docs.aws.amazon.com/wickr/latest/APIReference/API_GetOidcInfo.html", // OidcTokenInfo
	"datazone/GetIamPortalLoginUrl":                       "https://docs.aws.amazon.com/datazone/latest/APIReference/API_GetIamPortalLoginUrl.html",

	// Session, meeting, stream and tunnel tokens.
	"ssm/StartSession":                               "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartSession.html",
	"ssm/ResumeSession":                              "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ResumeSession.html",
	"ecs/ExecuteCommand":                             "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommand.html",
	"sagemaker/StartSession":                         "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StartSession.html",
	"codebuild/StartSandboxConnection":               "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartSandboxConnection.html",
	"codecatalyst/StartDevEnvironmentSession":        "https://docs.aws.amazon.com/codecatalyst/latest/APIReference/API_StartDevEnvironmentSession.html",
	"athena/CreatePresignedNotebookUrl":              "https://docs.aws.amazon.com/athena/latest/APIReference/API_CreatePresignedNotebookUrl.html",
	"athena/GetSessionEndpoint":                      "https://docs.aws.amazon.com/athena/latest/APIReference/API_GetSessionEndpoint.html",
	"emr-serverless/GetSessionEndpoint":              "https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_GetSessionEndpoint.html",
	"emr-serverless/GetDashboardForJobRun":           "https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_GetDashboardForJobRun.html",
	"gamelift/GetComputeAuthToken":                   "https://docs.aws.amazon.com/gamelift/latest/apireference/API_GetComputeAuthToken.html",
	"iotsecuretunneling/OpenTunnel":                  "https://docs.aws.amazon.com/iot/latest/apireference/API_iot-secure-tunneling_OpenTunnel.html",
	"iotsecuretunneling/RotateTunnelAccessToken":     "https://docs.aws.amazon.com/iot/latest/apireference/API_iot-secure-tunneling_RotateTunnelAccessToken.html",
	"kinesis-video-signaling/GetIceServerConfig":     "https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_signaling_GetIceServerConfig.html",
	"chime-sdk-meetings/CreateAttendee":              "https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_CreateAttendee.html", // Attendee.JoinToken
	"chime-sdk-meetings/BatchCreateAttendee":         "https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_BatchCreateAttendee.html",
	"chime-sdk-meetings/CreateMeetingWithAttendees":  "https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_CreateMeetingWithAttendees.html",
	"chime-sdk-meetings/GetAttendee":                 "https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_GetAttendee.html",
	"chime-sdk-meetings/ListAttendees":               "https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_ListAttendees.html",
	"chime-sdk-meetings/UpdateAttendeeCapabilities":  "https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_UpdateAttendeeCapabilities.html",
	"connect/CreateParticipant":                      "https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateParticipant.html",
	"connect/StartChatContact":                       "https://docs.aws.amazon.com/connect/latest/APIReference/API_StartChatContact.html",
	"connect/StartWebRTCContact":                     "https://docs.aws.amazon.com/connect/latest/APIReference/API_StartWebRTCContact.html",
	"connectparticipant/CreateParticipantConnection": "https://docs.aws.amazon.com/connect/latest/APIReference/API_connect-participant_CreateParticipantConnection.html",
	"ivs/CreateChannel":                              "https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_CreateChannel.html", // the channel's stream key
	"ivs/CreateStreamKey":                            "https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_CreateStreamKey.html",
	"ivs/GetStreamKey":                               "https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_GetStreamKey.html",
	"ivs/BatchGetStreamKey":                          "https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_BatchGetStreamKey.html",
	"ivs-realtime/CreateParticipantToken":            "https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/API_CreateParticipantToken.html",
	"ivs-realtime/CreateStage":                       "https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/API_CreateStage.html",
	"ivs-realtime/CreateIngestConfiguration":         "https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/API_CreateIngestConfiguration.html",
	"ivs-realtime/GetIngestConfiguration":            "https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/API_GetIngestConfiguration.html",
	"ivs-realtime/UpdateIngestConfiguration":         "https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/API_UpdateIngestConfiguration.html",
	"ivschat/CreateChatToken":                        "https://docs.aws.amazon.com/ivs/latest/ChatAPIReference/API_CreateChatToken.html",

	// Private keys and passwords AWS generates or holds.
	"acm/ExportCertificate":                             "https://docs.aws.amazon.com/acm/latest/APIReference/API_ExportCertificate.html",
	"iot/CreateKeysAndCertificate":                      "https://docs.aws.amazon.com/iot/latest/apireference/API_CreateKeysAndCertificate.html",
	"iot/CreateProvisioningClaim":                       "https://docs.aws.amazon.com/iot/latest/apireference/API_CreateProvisioningClaim.html",
	"ec2/CreateKeyPair":                                 "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateKeyPair.html",
	"ec2/GetPasswordData":                               "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetPasswordData.html",
	"lightsail/CreateKeyPair":                           "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_CreateKeyPair.html",
	"lightsail/DownloadDefaultKeyPair":                  "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_DownloadDefaultKeyPair.html",
	"lightsail/GetInstanceAccessDetails":                "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_GetInstanceAccessDetails.html",
	"lightsail/GetRelationalDatabaseMasterUserPassword": "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_GetRelationalDatabaseMasterUserPassword.html",
	"lightsail/CreateGUISessionAccessDetails":           "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_CreateGUISessionAccessDetails.html",
	"payment-cryptography/ExportKey":                    "https://docs.aws.amazon.com/payment-cryptography/latest/APIReference/API_ExportKey.html",

	// Presigned and signed URLs.
	"lambda/GetFunction":                                      "https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html", // Code.Location
	"lambda/GetLayerVersion":                                  "https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersion.html",
	"lambda/GetLayerVersionByArn":                             "https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionByArn.html",
	"lambda/PublishLayerVersion":                              "https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html",
	"ecr/GetDownloadUrlForLayer":                              "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetDownloadUrlForLayer.html",
	"amplify/CreateDeployment":                                "https://docs.aws.amazon.com/amplify/latest/APIReference/API_CreateDeployment.html",
	"amplify/GetArtifactUrl":                                  "https://docs.aws.amazon.com/amplify/latest/APIReference/API_GetArtifactUrl.html",
	"amplify/GenerateAccessLogs":                              "https://docs.aws.amazon.com/amplify/latest/APIReference/API_GenerateAccessLogs.html",
	"amplify/GetJob":                                          "https://docs.aws.amazon.com/amplify/latest/APIReference/API_Step.html",
	"amplifyuibuilder/GetCodegenJob":                          "https://docs.aws.amazon.com/amplifyuibuilder/latest/APIReference/API_CodegenJobAsset.html",
	"amplifyuibuilder/StartCodegenJob":                        "https://docs.aws.amazon.com/amplifyuibuilder/latest/APIReference/API_CodegenJobAsset.html",
	"artifact/GetReport":                                      "https://docs.aws.amazon.com/artifact/latest/APIReference/API_GetReport.html",
	"artifact/GetTermForReport":                               "https://docs.aws.amazon.com/artifact/latest/APIReference/API_GetTermForReport.html",
	"auditmanager/GetAssessmentReportUrl":                     "https://docs.aws.amazon.com/audit-manager/latest/APIReference/API_GetAssessmentReportUrl.html",
	"auditmanager/GetEvidenceFileUploadUrl":                   "https://docs.aws.amazon.com/audit-manager/latest/APIReference/API_GetEvidenceFileUploadUrl.html",
	"cognito-idp/CreateUserImportJob":                         "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html", // PreSignedUrl
	"cognito-idp/DescribeUserImportJob":                       "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html",
	"cognito-idp/ListUserImportJobs":                          "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html",
	"cognito-idp/StartUserImportJob":                          "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html",
	"cognito-idp/StopUserImportJob":                           "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html",
	"connect/GetAttachedFile":                                 "https://docs.aws.amazon.com/connect/latest/APIReference/API_GetAttachedFile.html",
	"connect/StartAttachedFileUpload":                         "https://docs.aws.amazon.com/connect/latest/APIReference/API_StartAttachedFileUpload.html",
	"connect/GetPromptFile":                                   "https://docs.aws.amazon.com/connect/latest/APIReference/API_GetPromptFile.html",
	"connectparticipant/GetAttachment":                        "https://docs.aws.amazon.com/connect/latest/APIReference/API_connect-participant_GetAttachment.html",
	"connectparticipant/StartAttachmentUpload":                "https://docs.aws.amazon.com/connect/latest/APIReference/API_connect-participant_StartAttachmentUpload.html",
	"customer-profiles/GetUploadJobPath":                      "https://docs.aws.amazon.com/customerprofiles/latest/APIReference/API_GetUploadJobPath.html",
	"dataexchange/CreateJob":                                  "https://docs.aws.amazon.com/data-exchange/latest/apireference/v1-jobs.html", // SignedUrl, ApiSpecificationUploadUrl
	"dataexchange/GetJob":                                     "https://docs.aws.amazon.com/data-exchange/latest/apireference/v1-jobs-jobid.html",
	"dataexchange/ListJobs":                                   "https://docs.aws.amazon.com/data-exchange/latest/apireference/v1-jobs.html",
	"dataexchange/GetAsset":                                   "https://docs.aws.amazon.com/data-exchange/latest/apireference/v1-data-sets-datasetid-revisions-revisionid-assets-assetid.html", // ApiSpecificationDownloadUrl, ApiKey
	"dataexchange/ListRevisionAssets":                         "https://docs.aws.amazon.com/data-exchange/latest/apireference/v1-data-sets-datasetid-revisions-revisionid-assets.html",
	"dataexchange/UpdateAsset":                                "https://docs.aws.amazon.com/data-exchange/latest/apireference/v1-data-sets-datasetid-revisions-revisionid-assets-assetid.html",
	"devicefarm/CreateUpload":                                 "https://docs.aws.amazon.com/devicefarm/latest/APIReference/API_CreateUpload.html",
	"devicefarm/GetUpload":                                    "https://docs.aws.amazon.com/devicefarm/latest/APIReference/API_GetUpload.html",
	"devicefarm/ListUploads":                                  "https://docs.aws.amazon.com/devicefarm/latest/APIReference/API_ListUploads.html",
	"devicefarm/UpdateUpload":                                 "https://docs.aws.amazon.com/devicefarm/latest/APIReference/API_UpdateUpload.html",
	"devicefarm/InstallToRemoteAccessSession":                 "https://docs.aws.amazon.com/devicefarm/latest/APIReference/API_InstallToRemoteAccessSession.html",
	"devicefarm/ListArtifacts":                                "https://docs.aws.amazon.com/devicefarm/latest/APIReference/API_Artifact.html",
	"devicefarm/CreateTestGridUrl":                            "https://docs.aws.amazon.com/devicefarm/latest/APIReference/API_CreateTestGridUrl.html",
	"discovery/DescribeExportConfigurations":                  "https://docs.aws.amazon.com/application-discovery/latest/APIReference/API_ExportInfo.html",
	"discovery/DescribeExportTasks":                           "https://docs.aws.amazon.com/application-discovery/latest/APIReference/API_ExportInfo.html",
	"emr/GetOnClusterAppUIPresignedURL":                       "https://docs.aws.amazon.com/emr/latest/APIReference/API_GetOnClusterAppUIPresignedURL.html",
	"emr/GetPersistentAppUIPresignedURL":                      "https://docs.aws.amazon.com/emr/latest/APIReference/API_GetPersistentAppUIPresignedURL.html",
	"gamelift/GetGameSessionLogUrl":                           "https://docs.aws.amazon.com/gamelift/latest/apireference/API_GetGameSessionLogUrl.html",
	"gamelift/DescribeFleetEvents":                            "https://docs.aws.amazon.com/gamelift/latest/apireference/API_Event.html", // Event.PreSignedLogUrl
	"greengrassv2/GetComponentVersionArtifact":                "https://docs.aws.amazon.com/greengrass/v2/APIReference/API_GetComponentVersionArtifact.html",
	"groundstation/GetAgentTaskResponseUrl":                   "https://docs.aws.amazon.com/ground-station/latest/APIReference/API_GetAgentTaskResponseUrl.html",
	"invoicing/GetInvoicePDF":                                 "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_invoicing_GetInvoicePDF.html",
	"iotdeviceadvisor/GetSuiteRunReport":                      "https://docs.aws.amazon.com/iot/latest/apireference/API_iotdeviceadvisor_GetSuiteRunReport.html",
	"kinesis-video-archived-media/GetDASHStreamingSessionURL": "https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_reader_GetDASHStreamingSessionURL.html",
	"kinesis-video-archived-media/GetHLSStreamingSessionURL":  "https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_reader_GetHLSStreamingSessionURL.html",
	"lexv2-models/CreateUploadUrl":                            "https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateUploadUrl.html",
	"lexv2-models/DescribeExport":                             "https://docs.aws.amazon.com/lexv2/latest/APIReference/API_DescribeExport.html",
	"lexv2-models/GetTestExecutionArtifactsUrl":               "https://docs.aws.amazon.com/lexv2/latest/APIReference/API_GetTestExecutionArtifactsUrl.html",
	"m2/GetSignedBluinsightsUrl":                              "https://docs.aws.amazon.com/m2/latest/APIReference/API_GetSignedBluinsightsUrl.html",
	"mailmanager/CreateAddressListImportJob":                  "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateAddressListImportJob.html",
	"mailmanager/GetAddressListImportJob":                     "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetAddressListImportJob.html",
	"mailmanager/ListAddressListImportJobs":                   "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_ListAddressListImportJobs.html",
	"mturk/GetFileUploadURL":                                  "https://docs.aws.amazon.com/AWSMechTurk/latest/AWSMturkAPI/ApiReference_GetFileUploadURLOperation.html",
	"qapps/CreatePresignedUrl":                                "https://docs.aws.amazon.com/amazonq/latest/api-reference/API_qapps_CreatePresignedUrl.html",
	"qbusiness/GetDocumentContent":                            "https://docs.aws.amazon.com/amazonq/latest/api-reference/API_GetDocumentContent.html",
	"qconnect/StartContentUpload":                             "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_StartContentUpload.html",
	"qconnect/CreateContent":                                  "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_ContentData.html", // ContentData.url, urlExpiry
	"qconnect/GetContent":                                     "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_ContentData.html",
	"qconnect/UpdateContent":                                  "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_ContentData.html",
	"qconnect/GetImportJob":                                   "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_ImportJobData.html",
	"qconnect/StartImportJob":                                 "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_ImportJobData.html",
	"qconnect/CreateMessageTemplateAttachment":                "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_MessageTemplateAttachment.html",
	"qconnect/CreateMessageTemplateVersion":                   "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_MessageTemplateAttachment.html",
	"qconnect/GetMessageTemplate":                             "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_MessageTemplateAttachment.html",
	"qconnect/RenderMessageTemplate":                          "https://docs.aws.amazon.com/connect/latest/APIReference/API_amazon-q-connect_MessageTemplateAttachment.html",
	"wisdom/StartContentUpload":                               "https://docs.aws.amazon.com/wisdom/latest/APIReference/API_StartContentUpload.html",
	"wisdom/CreateContent":                                    "https://docs.aws.amazon.com/wisdom/latest/APIReference/API_ContentData.html",
	"wisdom/GetContent":                                       "https://docs.aws.amazon.com/wisdom/latest/APIReference/API_ContentData.html",
	"wisdom/UpdateContent":                                    "https://docs.aws.amazon.com/wisdom/latest/APIReference/API_ContentData.html",
	"wisdom/GetImportJob":                                     "https://docs.aws.amazon.com/wisdom/latest/APIReference/API_ImportJobData.html",
	"wisdom/StartImportJob":                                   "https://docs.aws.amazon.com/wisdom/latest/APIReference/API_ImportJobData.html",
	"quicksight/DescribeAssetBundleExportJob":                 "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_DescribeAssetBundleExportJob.html",
	"security-ir/GetCaseAttachmentDownloadUrl":                "https://docs.aws.amazon.com/security-ir/latest/APIReference/API_GetCaseAttachmentDownloadUrl.html",
	"security-ir/GetCaseAttachmentUploadUrl":                  "https://docs.aws.amazon.com/security-ir/latest/APIReference/API_GetCaseAttachmentUploadUrl.html",
	"serverlessrepo/CreateCloudFormationTemplate":             "https://docs.aws.amazon.com/serverlessrepo/latest/devguide/applications-applicationid-templates.html",
	"serverlessrepo/GetCloudFormationTemplate":                "https://docs.aws.amazon.com/serverlessrepo/latest/devguide/applications-applicationid-templates-templateid.html",
	"ssm/GetDeployablePatchSnapshotForInstance":               "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetDeployablePatchSnapshotForInstance.html",
	"ssm/GetDocument":                                         "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AttachmentContent.html", // attachments' URLs
	"taxsettings/GetTaxRegistrationDocument":                  "https://docs.aws.amazon.com/tax-settings/latest/APIReference/API_GetTaxRegistrationDocument.html",
	"workdocs/InitiateDocumentVersionUpload":                  "https://docs.aws.amazon.com/workdocs/latest/APIReference/API_InitiateDocumentVersionUpload.html",

	// Sign-in, embed and streaming URLs.
	"quicksight/GenerateEmbedUrlForAnonymousUser":              "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_GenerateEmbedUrlForAnonymousUser.html",
	"quicksight/GenerateEmbedUrlForRegisteredUser":             "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_GenerateEmbedUrlForRegisteredUser.html",
	"quicksight/GenerateEmbedUrlForRegisteredUserWithIdentity": "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_GenerateEmbedUrlForRegisteredUserWithIdentity.html",
	"quicksight/GetDashboardEmbedUrl":                          "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_GetDashboardEmbedUrl.html",
	"quicksight/GetSessionEmbedUrl":                            "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_GetSessionEmbedUrl.html",
	"marketplace-reporting/GetBuyerDashboard":                  "https://docs.aws.amazon.com/marketplace/latest/APIReference/API_marketplace-reporting_GetBuyerDashboard.html",
	"sagemaker/CreatePresignedDomainUrl":                       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedDomainUrl.html",
	"sagemaker/CreatePresignedNotebookInstanceUrl":             "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedNotebookInstanceUrl.html",
	"sagemaker/CreatePresignedMlflowTrackingServerUrl":         "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedMlflowTrackingServerUrl.html",
	"sagemaker/CreatePresignedMlflowAppUrl":                    "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedMlflowAppUrl.html",
	"sagemaker/CreatePartnerAppPresignedUrl":                   "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePartnerAppPresignedUrl.html",
	"sagemaker/CreateHubContentPresignedUrls":                  "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateHubContentPresignedUrls.html",
	"appstream/CreateStreamingURL":                             "https://docs.aws.amazon.com/appstream2/latest/APIReference/API_CreateStreamingURL.html",
	"appstream/CreateImageBuilderStreamingURL":                 "https://docs.aws.amazon.com/appstream2/latest/APIReference/API_CreateImageBuilderStreamingURL.html",
	"appstream/CreateAppBlockBuilderStreamingURL":              "https://docs.aws.amazon.com/appstream2/latest/APIReference/API_CreateAppBlockBuilderStreamingURL.html",
	"kinesisanalyticsv2/CreateApplicationPresignedUrl":         "https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CreateApplicationPresignedUrl.html",
	"partnercentral-account/StartVerification":                 "https://docs.aws.amazon.com/partner-central/latest/APIReference/API_StartVerification.html", // CompletionUrl
	"partnercentral-account/GetVerification":                   "https://docs.aws.amazon.com/partner-central/latest/APIReference/API_GetVerification.html",
}

// IssuesCredentials reports whether an operation of a service (named as
// Service accepts) returns credentials, tokens or signed URLs: it is in the
// package's table of issuing operations. Identify reports the same as
// Operation.IssuesCredentials.
func IssuesCredentials(service, operation string) bool {
	for _, s := range get().resolve(service) {
		if o := s.byName[operation]; o != nil {
			return o.issues
		}
	}
	return false
}

// issues reports whether the table lists an operation.
func issues(service, operation string) bool {
	_, ok := issuingOperations[service+"/"+operation]
	return ok
}
