package awserr

// Error codes that ask for a retry, as the AWS SDKs read them: the SDK for
// Go v2's DefaultThrottleErrorCodes and DefaultRetryableErrorCodes
// (aws/retry/standard.go,
// https://github.com/aws/aws-sdk-go-v2/blob/main/aws/retry/standard.go),
// which the other SDKs share.

// throttlingCodes mean "too many requests, retry later".
var throttlingCodes = map[string]bool{
	"Throttling":                             true,
	"ThrottlingException":                    true,
	"ThrottledException":                     true,
	"RequestThrottledException":              true,
	"TooManyRequestsException":               true,
	"ProvisionedThroughputExceededException": true,
	"TransactionInProgressException":         true,
	"RequestLimitExceeded":                   true,
	"BandwidthLimitExceeded":                 true,
	"LimitExceededException":                 true,
	"RequestThrottled":                       true,
	"SlowDown":                               true,
	"PriorRequestNotComplete":                true,
	"EC2ThrottledException":                  true,
}

// transientCodes mean the request failed on the way and may succeed as it is.
var transientCodes = map[string]bool{
	"RequestTimeout":          true,
	"RequestTimeoutException": true,
}
