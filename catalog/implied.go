package catalog

import "net/http"

// Implied is an IAM action that AWS authorizes because of a request header,
// beyond the operation's own action: the source of a copy is read
// (s3:GetObject), an ACL header sets the object's ACL (s3:PutObjectAcl), a
// KMS key id uses that key (kms:GenerateDataKey). The policy judges each one
// as it judges the operation itself.
type Implied struct {
	// Header is the canonical name of the header that implies the action:
	// "X-Amz-Copy-Source".
	Header string
	// Value is the header's value as sent (for the audit and messages).
	Value string
	// Action is the IAM action: "s3:GetObject", "s3:PutObjectAcl".
	Action string
	// ReadOnly reports whether Action only reads.
	ReadOnly bool
	// Bucket and Key name the object the action acts on when it is not the
	// request's own (a copy source); both empty for the request's own.
	Bucket, Key string
	// AccessPoint is set when the resource is named through an access point
	// (an ARN copy source): the vault cannot know which bucket it fronts.
	AccessPoint string
	// Region is the region an ARN names; "" for the request's own.
	Region string
	// KMSKeyID is the KMS key an encryption header names.
	KMSKeyID string
	// Source cites the AWS documentation the rule comes from.
	Source string
}

// HeaderActions returns the actions the request's headers imply beyond
// op.Action, from the package's table of header-borne actions. It returns an
// error, naming the header, when a header the table lists cannot be read
// (a copy source that is not BUCKET/KEY or an access point ARN): the
// request cannot be judged and must be refused.
func HeaderActions(op Operation, header http.Header) ([]Implied, error) {
	return nil, nil
}
