package vault

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// Credential sources: where a grant's credentials come from.
const (
	// sourceProfile: an AWS profile resolved as the AWS CLI resolves it, in
	// the process that signs. Nothing secret is stored.
	sourceProfile = "profile"
	// sourceAssumeRole: STS AssumeRole with another grant's credentials,
	// cached until shortly before they expire.
	sourceAssumeRole = "assume_role"
)

// AssumeRoleSpec describes a grant whose credentials come from STS
// AssumeRole, called with the credentials of SourceGrant.
type AssumeRoleSpec struct {
	RoleARN     string `json:"role_arn"`
	SourceGrant string `json:"source_grant"` // id or name; stored as the id
	ExternalID  string `json:"external_id,omitempty"`
	SessionName string `json:"session_name,omitempty"`
	// Duration of each session, 15m to 12h; 0: STS's default (1h).
	Duration time.Duration `json:"duration,omitempty"`
	// SessionPolicy is an inline JSON policy that scopes the role down.
	SessionPolicy string `json:"session_policy,omitempty"`
	// SessionPolicyFromGrant derives the session policy from the grant's
	// policy (policy.SessionPolicy: its actions, services and regions), so
	// that IAM enforces what the vault does; a policy change makes new
	// sessions. Not with SessionPolicy.
	SessionPolicyFromGrant bool `json:"session_policy_from_grant,omitempty"`
	// Region of the STS endpoint to call; "" is us-east-1.
	Region string `json:"region,omitempty"`
	// MFASerial is the MFA device the role's trust policy requires (its
	// ARN): the grant works once a person unlocks it (Unlock).
	MFASerial string `json:"mfa_serial,omitempty"`
}

// profileConfig is the stored configuration of a profile grant.
type profileConfig struct {
	Profile string `json:"profile"`
}

// maxRoleChain bounds how many assume-role grants may stand on each other.
const maxRoleChain = 5

// providers caches one credentials provider per grant, so that profile
// chains are resolved once and assumed-role credentials are reused until
// they are about to expire. An entry is keyed by the grant's Version: any
// update of the grant makes a new provider.
type providers struct {
	mu  sync.Mutex
	m   map[string]cachedProvider
	mfa map[string]mfaCached // by grant id: unlocked sessions (unlock.go)
}

type cachedProvider struct {
	version int64
	p       sigv4.CredentialsProvider
}

// credentials returns the credentials to sign one request of the operator
// with (see credentialsFor).
func (v *Vault) credentials(ctx context.Context, g *store.Grant) (sigv4.Credentials, error) {
	return v.credentialsFor(ctx, g, "")
}

// credentialsFor returns the credentials to sign one request of caller
// ("" is the operator) with. Static secrets are decrypted here and nowhere
// else. A role grant's session is the caller's own: its AssumeRole names
// the caller as the source identity and in session tags, so that CloudTrail
// names who each call was made for.
func (v *Vault) credentialsFor(ctx context.Context, g *store.Grant, caller string) (sigv4.Credentials, error) {
	if g.Source == sourceStatic || g.Source == "" {
		c, err := v.openSecret(g.ID, g.KeyID, g.AccessKeyID, g.Sealed)
		c.Expires = g.CredentialsExpire // temporary keys: presigned URLs and tokens must not outlive them
		return c, err
	}
	if g.Source == sourceAssumeRole {
		// A role's cached credentials must stop working the moment its
		// source grant is revoked or expires, not when they expire.
		if err := v.sourceUsable(ctx, g, 0); err != nil {
			return sigv4.Credentials{}, err
		}
		if mfaGrant(g) {
			return v.mfaCredentials(ctx, g)
		}
	}
	p, err := v.provider(ctx, g, cmp.Or(caller, operatorCaller), 0)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	c, err := p.Retrieve(ctx)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("%w: grant %s (%s): %w", ErrCredentials, g.Name, g.ID, err)
	}
	return c, nil
}

// provider returns the cached provider of a profile grant, or of caller's
// session of an assume-role grant: sessions are kept per caller, each
// cached until shortly before it expires and shared by the caller's
// concurrent calls.
func (v *Vault) provider(ctx context.Context, g *store.Grant, caller string, depth int) (sigv4.CredentialsProvider, error) {
	key := g.ID
	if g.Source == sourceAssumeRole {
		key += "\x00" + caller
	}
	v.providers.mu.Lock()
	if c, ok := v.providers.m[key]; ok && c.version == g.Version {
		v.providers.mu.Unlock()
		return c.p, nil
	}
	v.providers.mu.Unlock()

	var p sigv4.CredentialsProvider
	switch g.Source {
	case sourceProfile:
		var pc profileConfig
		if err := json.Unmarshal(g.SourceConfig, &pc); err != nil {
			return nil, fmt.Errorf("%w: grant %s: its profile configuration is unreadable: %w", ErrCredentials, g.ID, err)
		}
		p = &credsrc.Profile{Name: pc.Profile, Getenv: v.getenv}
	case sourceAssumeRole:
		ar, err := v.assumeRole(ctx, g, caller, depth)
		if err != nil {
			return nil, err
		}
		p = ar
	default:
		return nil, fmt.Errorf("%w: grant %s has an unknown credential source %q", ErrCredentials, g.ID, g.Source)
	}
	v.providers.mu.Lock()
	if v.providers.m == nil {
		v.providers.m = map[string]cachedProvider{}
	}
	if c, ok := v.providers.m[key]; ok && c.version == g.Version {
		p = c.p // another call got here first: share its cache
	} else {
		v.providers.m[key] = cachedProvider{version: g.Version, p: p}
	}
	v.providers.mu.Unlock()
	return p, nil
}

// sourceProvider is what signs a source grant's calls: its static secret,
// or its own provider, the caller's session of it when it is a role.
type sourceProvider struct {
	v      *Vault
	g      *store.Grant
	caller string
}

func (s sourceProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	// Reload the source grant: it may have been revoked, or its key rotated.
	g, err := s.v.store.GetGrant(ctx, s.g.ID)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("source grant %s: %w", s.g.ID, err)
	}
	if err := s.v.usable(g, s.v.now()); err != nil {
		return sigv4.Credentials{}, fmt.Errorf("source grant: %w", err)
	}
	return s.v.credentialsFor(ctx, g, s.caller)
}

// Session identity: what a role grant's AssumeRole says of the caller. The
// trust policy must allow sts:SetSourceIdentity and sts:TagSession.
const (
	sourceIdentityPrefix = "alter-mcp." // STS allows no ':' in a source identity
	tagGrant             = "alter-mcp:grant"
	tagCaller            = "alter-mcp:caller"
)

func (v *Vault) assumeRole(ctx context.Context, g *store.Grant, caller string, depth int) (*credsrc.AssumeRole, error) {
	if depth >= maxRoleChain {
		return nil, fmt.Errorf("%w: grant %s: more than %d assume-role grants stand on each other", ErrCredentials, g.ID, maxRoleChain)
	}
	var spec AssumeRoleSpec
	if err := json.Unmarshal(g.SourceConfig, &spec); err != nil {
		return nil, fmt.Errorf("%w: grant %s: its role configuration is unreadable: %w", ErrCredentials, g.ID, err)
	}
	src, err := v.store.GetGrant(ctx, spec.SourceGrant)
	if err != nil {
		return nil, fmt.Errorf("%w: grant %s: source grant %s: %w", ErrCredentials, g.ID, spec.SourceGrant, err)
	}
	if src.Source == sourceAssumeRole {
		// Validate the chain now, so that a loop is an error, not a hang.
		if _, err := v.assumeRole(ctx, src, caller, depth+1); err != nil {
			return nil, err
		}
	}
	sts, err := v.serviceEndpointFor(credsrc.STS(spec.Region), serviceCall{tool: "vault.assume_role", reason: "credentials for grant " + g.Name, grant: src})
	if err != nil {
		return nil, err
	}
	ar := &credsrc.AssumeRole{
		Source:         sourceProvider{v: v, g: src, caller: caller},
		RoleARN:        spec.RoleARN,
		ExternalID:     spec.ExternalID,
		SessionName:    roleSessionName(spec, g.Name),
		Duration:       spec.Duration,
		Policy:         spec.SessionPolicy,
		SourceIdentity: credsrc.SourceIdentityOf(sourceIdentityPrefix, caller),
		SerialNumber:   spec.MFASerial,
		Tags:           []credsrc.Tag{{Key: tagGrant, Value: g.Name}, {Key: tagCaller, Value: credsrc.TagValueOf(caller)}},
		STS:            sts,
		Now:            v.now,
	}
	if spec.SessionPolicyFromGrant {
		p, err := decodePolicy(g)
		if err == nil {
			ar.Policy, err = policy.SessionPolicy(p)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: grant %s: the session policy from its policy: %w", ErrCredentials, g.ID, err)
		}
	}
	if err := ar.Validate(); err != nil {
		return nil, fmt.Errorf("%w: grant %s: %w", ErrCredentials, g.ID, err)
	}
	return ar, nil
}

// roleSessionName is the session name a role grant's AssumeRole gives:
// the configured one, else alter-mcp-GRANT cut to STS's 64 characters.
// audit reconcile finds the grant's sessions in CloudTrail by it.
func roleSessionName(spec AssumeRoleSpec, grant string) string {
	if spec.SessionName != "" {
		return spec.SessionName
	}
	name := "alter-mcp-" + grant
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// checkAssumeRole validates a new grant's credential source against the store.
func (v *Vault) checkAssumeRole(ctx context.Context, s *AssumeRoleSpec) error {
	if s.SessionPolicyFromGrant && s.SessionPolicy != "" {
		return fmt.Errorf("%w: give a session policy or derive it from the grant's policy, not both", ErrInvalid)
	}
	probe := &credsrc.AssumeRole{
		Source:       sigv4.Credentials{}, // any non-nil source: only the shape is checked here
		RoleARN:      s.RoleARN,
		ExternalID:   s.ExternalID,
		SessionName:  s.SessionName,
		Duration:     s.Duration,
		Policy:       s.SessionPolicy,
		SerialNumber: s.MFASerial,
	}
	if err := probe.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if s.SessionPolicy != "" && !json.Valid([]byte(s.SessionPolicy)) {
		return fmt.Errorf("%w: the session policy is not JSON", ErrInvalid)
	}
	src, err := v.loadGrant(ctx, s.SourceGrant)
	if err != nil {
		return fmt.Errorf("source grant: %w", err)
	}
	if err := v.usable(src, v.now()); err != nil {
		return fmt.Errorf("source grant: %w", err)
	}
	s.SourceGrant = src.ID
	if src.Source == sourceAssumeRole {
		if _, err := v.assumeRole(ctx, src, operatorCaller, 1); err != nil {
			return err
		}
	}
	return nil
}

// sourceUsable checks every grant an assume-role grant stands on.
func (v *Vault) sourceUsable(ctx context.Context, g *store.Grant, depth int) error {
	if depth >= maxRoleChain {
		return fmt.Errorf("%w: grant %s: more than %d assume-role grants stand on each other", ErrCredentials, g.ID, maxRoleChain)
	}
	var spec AssumeRoleSpec
	if err := json.Unmarshal(g.SourceConfig, &spec); err != nil {
		return fmt.Errorf("%w: grant %s: its role configuration is unreadable: %w", ErrCredentials, g.ID, err)
	}
	src, err := v.store.GetGrant(ctx, spec.SourceGrant)
	if err != nil {
		return fmt.Errorf("%w: grant %s: source grant %s: %w", ErrCredentials, g.ID, spec.SourceGrant, err)
	}
	if err := v.usable(src, v.now()); err != nil {
		return fmt.Errorf("%w: grant %s assumes its role with grant %s, which cannot be used: %w", ErrCredentials, g.ID, src.ID, err)
	}
	if src.Source == sourceAssumeRole {
		return v.sourceUsable(ctx, src, depth+1)
	}
	return nil
}
