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
// cached key makes one allocation (the Authorization value), so signing does
// not show up in a profile.
//
// What is cached, and for how long: a KeyCache (one per package unless a
// Signer names its own) holds derived signing keys by access key id, day,
// region and service, at most DefaultKeyCacheSize of them. Each entry keeps
// the secret it was derived from only to check that a later caller signs with
// the same one, so a rotated secret never uses a stale key; deriving a key
// drops the entries of that key id under another secret and those more than a
// day old, and KeyCache.Purge drops all. An entry also keeps the HMAC state
// after the first lines of the string to sign, for the second it names.
// The pooled scratch of a signature drops its references to the request's
// headers when it is put back, but keeps the bytes of its last canonical
// request (a session token among them) until it is reused or the garbage
// collector empties the pool.
package sigv4
