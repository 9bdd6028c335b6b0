// Package credsrc is where a grant's AWS credentials come from: an AWS
// profile resolved as the AWS CLI resolves it (with the legacy boto config as
// the last file source), or STS AssumeRole on top of another source, cached
// until shortly before the temporary credentials expire.
//
// Every source is a sigv4.CredentialsProvider: Retrieve is safe for
// concurrent use, and many concurrent calls while credentials are being
// fetched wait for one fetch (single-flight). Nothing here stores a secret;
// the vault keeps static keys sealed and hands them out as sigv4.Credentials.
package credsrc
