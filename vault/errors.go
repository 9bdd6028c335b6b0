package vault

import (
	"errors"

	"github.com/alter-mcp/alter-mcp/policy"
)

// Errors, checked with errors.Is; denials are *DeniedError (errors.As).
//
// The vault returns them wrapped with what a person or an agent needs to act:
// which grant, which caller, which command fixes it. None of them ever holds a
// secret.
var (
	ErrGrantNotFound    = errors.New("grant not found")
	ErrGrantRevoked     = errors.New("grant revoked")
	ErrGrantExpired     = errors.New("grant expired")
	ErrCallerNotFound   = errors.New("caller not found")
	ErrCallerRevoked    = errors.New("caller revoked")
	ErrCallerNotAllowed = errors.New("caller may not use this grant")
	ErrNotAWS           = errors.New("not an AWS URL")
	ErrCredentials      = errors.New("credentials unusable")
	ErrWrongMasterKey   = errors.New("wrong master key")
	ErrAudit            = errors.New("audit record could not be written")
	ErrInvalid          = errors.New("invalid request")
)

// DeniedError is a call the grant's policy refused; nothing was sent.
type DeniedError struct {
	Grant    string
	Decision policy.Decision
}

func (e *DeniedError) Error() string {
	return "denied by grant " + e.Grant + " (" + e.Decision.Rule + "): " + e.Decision.Message
}
