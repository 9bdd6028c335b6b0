// Package sigv4 signs HTTP requests for AWS with Signature Version 4 and
// Signature Version 4a, in process and without the AWS SDK.
//
// It covers header signing (the Authorization header), presigned URLs,
// aws-chunked streaming uploads, SigV4a for multi-region endpoints, a bounded
// signing-key cache and an http.RoundTripper that signs any net/http client's
// requests. Canonicalization follows AWS's rules exactly: the AWS signing test
// suite passes, and signatures are byte-identical to aws-sdk-go-v2's signer
// wherever that signer is correct.
//
// The package depends only on the standard library. Header signing with a
// cached key makes at most a handful of allocations, so signing does not show
// up in a profile.
package sigv4
