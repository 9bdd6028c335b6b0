package credsrc

import (
	"context"
	"net/url"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

const iamVersion = "2010-05-08"

// AccessKey is an IAM access key as ListAccessKeys reports it.
type AccessKey struct {
	AccessKeyID string    `xml:"AccessKeyId" json:"access_key_id"`
	Status      string    `xml:"Status" json:"status"` // Active | Inactive
	CreateDate  time.Time `xml:"CreateDate" json:"create_date"`
	UserName    string    `xml:"UserName" json:"user_name"`
}

// LastUsed is what GetAccessKeyLastUsed reports; zero Date: never used.
type LastUsed struct {
	UserName    string    `xml:"GetAccessKeyLastUsedResult>UserName" json:"user_name"`
	Date        time.Time `xml:"GetAccessKeyLastUsedResult>AccessKeyLastUsed>LastUsedDate" json:"date,omitzero"`
	ServiceName string    `xml:"GetAccessKeyLastUsedResult>AccessKeyLastUsed>ServiceName" json:"service"`
	Region      string    `xml:"GetAccessKeyLastUsedResult>AccessKeyLastUsed>Region" json:"region"`
}

// ListAccessKeys lists the access keys of the IAM user the credentials
// belong to (userName empty) or of userName.
func (e Endpoint) ListAccessKeys(ctx context.Context, creds sigv4.Credentials, userName string) ([]AccessKey, error) {
	form := url.Values{"Action": {"ListAccessKeys"}, "Version": {iamVersion}}
	if userName != "" {
		form.Set("UserName", userName)
	}
	var out struct {
		Keys []AccessKey `xml:"ListAccessKeysResult>AccessKeyMetadata>member"`
	}
	err := e.Call(ctx, creds, form, &out)
	return out.Keys, err
}

// AccessKeyLastUsed asks IAM when and where a key was last used.
func (e Endpoint) AccessKeyLastUsed(ctx context.Context, creds sigv4.Credentials, accessKeyID string) (LastUsed, error) {
	var out LastUsed
	err := e.Call(ctx, creds, url.Values{"Action": {"GetAccessKeyLastUsed"}, "Version": {iamVersion}, "AccessKeyId": {accessKeyID}}, &out)
	return out, err
}

// CreateAccessKey makes a new access key for the user the credentials
// belong to. The secret is in the result and nowhere else: seal it at once.
func (e Endpoint) CreateAccessKey(ctx context.Context, creds sigv4.Credentials) (sigv4.Credentials, AccessKey, error) {
	var out struct {
		Key struct {
			AccessKey
			SecretAccessKey string `xml:"SecretAccessKey"`
		} `xml:"CreateAccessKeyResult>AccessKey"`
	}
	if err := e.Call(ctx, creds, url.Values{"Action": {"CreateAccessKey"}, "Version": {iamVersion}}, &out); err != nil {
		return sigv4.Credentials{}, AccessKey{}, err
	}
	return sigv4.Credentials{AccessKeyID: out.Key.AccessKeyID, SecretAccessKey: out.Key.SecretAccessKey}, out.Key.AccessKey, nil
}

// SetAccessKeyStatus makes a key Active or Inactive.
func (e Endpoint) SetAccessKeyStatus(ctx context.Context, creds sigv4.Credentials, accessKeyID, status string) error {
	var out struct{}
	return e.Call(ctx, creds, url.Values{"Action": {"UpdateAccessKey"}, "Version": {iamVersion}, "AccessKeyId": {accessKeyID}, "Status": {status}}, &out)
}

// DeleteAccessKey deletes a key.
func (e Endpoint) DeleteAccessKey(ctx context.Context, creds sigv4.Credentials, accessKeyID string) error {
	var out struct{}
	return e.Call(ctx, creds, url.Values{"Action": {"DeleteAccessKey"}, "Version": {iamVersion}, "AccessKeyId": {accessKeyID}}, &out)
}
