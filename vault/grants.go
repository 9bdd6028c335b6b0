package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/store"
)

// StaticCredentials are an access key, optionally temporary.
//
// Formatting StaticCredentials with fmt or slog never shows the secret or
// the session token.
type StaticCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time // zero for long-term keys
}

// String names the access key id and hides the secret and the token.
func (c StaticCredentials) String() string {
	s := "StaticCredentials{AccessKeyID: " + c.AccessKeyID + ", SecretAccessKey: [redacted]"
	if c.SessionToken != "" {
		s += ", SessionToken: [redacted]"
	}
	return s + "}"
}

// GoString is String, so %#v hides the secret too.
func (c StaticCredentials) GoString() string { return c.String() }

// LogValue keeps the secret and the token out of slog output.
func (c StaticCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access_key_id", c.AccessKeyID), slog.Bool("session_token", c.SessionToken != ""))
}

// MarshalJSON writes the access key id and whether there is a session
// token, never the secret or the token, so that a GrantSpec logged as JSON
// stays safe.
func (c StaticCredentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AccessKeyID     string    `json:"access_key_id"`
		SecretAccessKey string    `json:"secret_access_key"`
		SessionToken    bool      `json:"session_token,omitempty"`
		Expires         time.Time `json:"expires,omitzero"`
	}{c.AccessKeyID, "[redacted]", c.SessionToken != "", c.Expires})
}

// GrantSpec describes a new grant. Its credentials come from exactly one
// of Static, Profile and AssumeRole.
type GrantSpec struct {
	Name        string
	Description string
	// Static is an access key, sealed in the store.
	Static *StaticCredentials
	// Profile names an AWS profile ("default" for the default chain),
	// resolved as the AWS CLI resolves it, in the process that signs, and
	// refreshed as its credentials expire. Nothing secret is stored.
	Profile string
	// AssumeRole makes the grant's credentials with STS AssumeRole, signed
	// with another grant's credentials, cached until shortly before expiry.
	AssumeRole *AssumeRoleSpec
	Policy     policy.Policy
	Expires    time.Time // zero: never
}

// Grant is what the vault tells about a grant. It never holds a secret.
type Grant struct {
	ID                string        `json:"grant_id"`
	Name              string        `json:"name"`
	Description       string        `json:"description,omitempty"`
	Source            string        `json:"source"`
	AccessKeyID       string        `json:"access_key_id,omitempty"`
	HasSessionToken   bool          `json:"has_session_token,omitempty"`
	CredentialsExpire time.Time     `json:"credentials_expire,omitzero"`
	Policy            policy.Policy `json:"policy"`
	CreatedAt         time.Time     `json:"created_at"`
	UpdatedAt         time.Time     `json:"updated_at"`
	Expires           time.Time     `json:"expires,omitzero"`
	Revoked           bool          `json:"revoked,omitempty"`
	// Profile is the AWS profile of a profile grant.
	Profile string `json:"profile,omitempty"`
	// RoleARN and SourceGrant describe an assume-role grant; SessionName
	// is the role session name its AssumeRole gives, as CloudTrail shows it
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
	RoleARN     string `json:"role_arn,omitempty"`
	SourceGrant string `json:"source_grant,omitempty"`
	SessionName string `json:"session_name,omitempty"`
	// SessionPolicyFromGrant: the role's sessions are scoped down by a
	// session policy derived from Policy.
	SessionPolicyFromGrant bool `json:"session_policy_from_grant,omitempty"`
	// MFASerial is the MFA device the role requires: a person unlocks the
	// grant (Unlock).
	MFASerial string `json:"mfa_serial,omitempty"`
}

// Credential sources.
const sourceStatic = "static"

// staticConfig is the non-secret configuration of a static grant, kept in
// store.Grant.SourceConfig: whether its sealed secret holds a session token.
type staticConfig struct {
	SessionToken bool `json:"session_token,omitempty"`
}

func (c staticConfig) encode() []byte {
	b, _ := json.Marshal(c)
	return b
}

func staticConfigOf(g *store.Grant) staticConfig {
	var c staticConfig
	if g.Source == sourceStatic && len(g.SourceConfig) > 0 {
		json.Unmarshal(g.SourceConfig, &c)
	}
	return c
}

// grantIDPrefix starts every grant id; names may not start with it, so that
// an argument that does is always an id.
const grantIDPrefix = "grt_"

// maxDescription bounds a grant's description.
const maxDescription = 1024

// AddGrant stores a new grant and returns it. The name must be unique; the
// credentials are checked for shape (not against AWS) and sealed; the policy
// is validated.
func (v *Vault) AddGrant(ctx context.Context, s GrantSpec) (Grant, error) {
	if err := checkName("grant", s.Name); err != nil {
		return Grant{}, err
	}
	if len(s.Description) > maxDescription {
		return Grant{}, fmt.Errorf("%w: the description is %d bytes; keep it under %d", ErrInvalid, len(s.Description), maxDescription)
	}
	sources := 0
	for _, given := range []bool{s.Static != nil, s.Profile != "", s.AssumeRole != nil} {
		if given {
			sources++
		}
	}
	if sources != 1 {
		return Grant{}, fmt.Errorf("%w: grant %q has no credentials or more than one source: give exactly one of an access key (Static), a profile (Profile) or a role to assume (AssumeRole)", ErrInvalid, s.Name)
	}
	switch {
	case s.Static != nil:
		if err := checkStatic(*s.Static); err != nil {
			return Grant{}, err
		}
	case s.Profile != "":
		if err := checkName("profile", s.Profile); err != nil {
			return Grant{}, err
		}
	default:
		if err := v.checkAssumeRole(ctx, s.AssumeRole); err != nil {
			return Grant{}, err
		}
		if s.AssumeRole.SessionPolicyFromGrant {
			if _, err := policy.SessionPolicy(s.Policy); err != nil {
				return Grant{}, fmt.Errorf("%w: %w", ErrInvalid, err)
			}
		}
	}
	pol, err := encodePolicy(s.Policy)
	if err != nil {
		return Grant{}, err
	}
	id, err := newGrantID()
	if err != nil {
		return Grant{}, err
	}
	now := v.now().UTC()
	g := &store.Grant{
		ID:          id,
		Name:        s.Name,
		Description: s.Description,
		Policy:      pol,
		CreatedAt:   now,
		UpdatedAt:   now,
		Expires:     utcOrZero(s.Expires),
	}
	switch {
	case s.Static != nil:
		g.Source = sourceStatic
		g.SourceConfig = staticConfig{SessionToken: s.Static.SessionToken != ""}.encode()
		g.AccessKeyID = s.Static.AccessKeyID
		g.CredentialsExpire = utcOrZero(s.Static.Expires)
		if g.Sealed, g.KeyID, err = v.sealSecret(id, *s.Static); err != nil {
			return Grant{}, err
		}
	case s.Profile != "":
		g.Source = sourceProfile
		g.SourceConfig, _ = json.Marshal(profileConfig{Profile: s.Profile})
	default:
		g.Source = sourceAssumeRole
		g.SourceConfig, _ = json.Marshal(s.AssumeRole)
	}
	if err := v.store.CreateGrant(ctx, g); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Grant{}, fmt.Errorf("%w: a grant named %q already exists; pick another name or update that grant", ErrInvalid, s.Name)
		}
		return Grant{}, fmt.Errorf("store grant %q: %w", s.Name, err)
	}
	v.log.Info("grant added", "grant", g.ID, "name", g.Name, "access_key_id", g.AccessKeyID)
	return v.grantView(g), nil
}

// Grant returns the grant with that id ("grt_…") or name.
func (v *Vault) Grant(ctx context.Context, idOrName string) (Grant, error) {
	g, err := v.loadGrant(ctx, idOrName)
	if err != nil {
		return Grant{}, err
	}
	return v.grantView(g), nil
}

// Grants lists every grant, revoked ones included, oldest first.
func (v *Vault) Grants(ctx context.Context) ([]Grant, error) {
	gs, err := v.store.ListGrants(ctx)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	out := make([]Grant, 0, len(gs))
	for _, g := range gs {
		out = append(out, v.grantView(g))
	}
	return out, nil
}

// UpdateCredential replaces a grant's access key, for example after the key
// was rotated in IAM. The old secret is overwritten in the store.
func (v *Vault) UpdateCredential(ctx context.Context, idOrName string, c StaticCredentials) error {
	if err := checkStatic(c); err != nil {
		return err
	}
	return v.updateGrant(ctx, idOrName, "update the credentials of", func(g *store.Grant) error {
		if g.Revoked {
			return fmt.Errorf("%w: grant %s (%s) is revoked; add a new grant instead", ErrGrantRevoked, g.Name, g.ID)
		}
		sealed, keyID, err := v.sealSecret(g.ID, c)
		if err != nil {
			return err
		}
		g.Source, g.AccessKeyID, g.Sealed, g.KeyID = sourceStatic, c.AccessKeyID, sealed, keyID
		g.SourceConfig = staticConfig{SessionToken: c.SessionToken != ""}.encode()
		g.CredentialsExpire = utcOrZero(c.Expires)
		return nil
	})
}

// SetPolicy replaces a grant's policy after validating it.
func (v *Vault) SetPolicy(ctx context.Context, idOrName string, p policy.Policy) error {
	pol, err := encodePolicy(p)
	if err != nil {
		return err
	}
	return v.updateGrant(ctx, idOrName, "set the policy of", func(g *store.Grant) error {
		g.Policy = pol
		return nil
	})
}

// RevokeGrant makes a grant unusable for good: its sealed secret is erased
// from the store, and calls with it fail with ErrGrantRevoked. Revoking a
// revoked grant does nothing.
func (v *Vault) RevokeGrant(ctx context.Context, idOrName string) error {
	return v.updateGrant(ctx, idOrName, "revoke", func(g *store.Grant) error {
		g.Revoked = true
		g.Sealed = nil
		return nil
	})
}

// updateGrant reads a grant, lets change edit it and writes it back,
// starting over when another writer got in between.
func (v *Vault) updateGrant(ctx context.Context, idOrName, what string, change func(*store.Grant) error) error {
	for attempt := 0; ; attempt++ {
		g, err := v.loadGrant(ctx, idOrName)
		if err != nil {
			return err
		}
		if err := change(g); err != nil {
			return err
		}
		g.UpdatedAt = v.now().UTC()
		err = v.store.UpdateGrant(ctx, g)
		if errors.Is(err, store.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s grant %s: %w", what, g.Name, err)
		}
		v.log.Info("grant updated", "grant", g.ID, "name", g.Name, "change", what)
		return nil
	}
}

// loadGrant finds a grant by id or name.
func (v *Vault) loadGrant(ctx context.Context, idOrName string) (*store.Grant, error) {
	if idOrName == "" {
		return nil, fmt.Errorf("%w: no grant named: give a grant id (grt_…) or name; list them with `alter-mcp grant list`", ErrGrantNotFound)
	}
	var g *store.Grant
	var err error
	if strings.HasPrefix(idOrName, grantIDPrefix) {
		g, err = v.store.GetGrant(ctx, idOrName)
	} else {
		g, err = v.store.GetGrantByName(ctx, idOrName)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %q: no grant has that id or name; list them with `alter-mcp grant list`", ErrGrantNotFound, text.Clip(idOrName, 100))
	}
	if err != nil {
		return nil, fmt.Errorf("read grant %q: %w", text.Clip(idOrName, 100), err)
	}
	return g, nil
}

// usable reports why a grant cannot be used now, or nil.
func (v *Vault) usable(g *store.Grant, now time.Time) error {
	if g.Revoked {
		return fmt.Errorf("%w: grant %s (%s) was revoked; ask the operator for another grant", ErrGrantRevoked, g.Name, g.ID)
	}
	if !g.Expires.IsZero() && !now.Before(g.Expires) {
		return fmt.Errorf("%w: grant %s (%s) expired at %s; ask the operator to renew it or for another grant", ErrGrantExpired, g.Name, g.ID, g.Expires.UTC().Format(time.RFC3339))
	}
	if (g.Source == sourceStatic || g.Source == "") && len(g.Sealed) == 0 {
		return fmt.Errorf("%w: grant %s (%s) holds no secret; set its credentials with `alter-mcp grant update-credential`", ErrCredentials, g.Name, g.ID)
	}
	if !g.CredentialsExpire.IsZero() && !now.Before(g.CredentialsExpire) {
		return fmt.Errorf("%w: the temporary credentials of grant %s (%s) expired at %s; set new ones with `alter-mcp grant update-credential`", ErrCredentials, g.Name, g.ID, g.CredentialsExpire.UTC().Format(time.RFC3339))
	}
	return nil
}

// grantView is what callers of the vault may see of a stored grant.
func (v *Vault) grantView(g *store.Grant) Grant {
	out := Grant{
		ID:                g.ID,
		Name:              g.Name,
		Description:       g.Description,
		Source:            g.Source,
		AccessKeyID:       g.AccessKeyID,
		HasSessionToken:   staticConfigOf(g).SessionToken,
		CredentialsExpire: g.CredentialsExpire,
		CreatedAt:         g.CreatedAt,
		UpdatedAt:         g.UpdatedAt,
		Expires:           g.Expires,
		Revoked:           g.Revoked,
	}
	if p, err := decodePolicy(g); err == nil {
		out.Policy = p
	}
	switch g.Source {
	case sourceProfile:
		var pc profileConfig
		if json.Unmarshal(g.SourceConfig, &pc) == nil {
			out.Profile = pc.Profile
		}
	case sourceAssumeRole:
		var spec AssumeRoleSpec
		if json.Unmarshal(g.SourceConfig, &spec) == nil {
			out.RoleARN, out.SourceGrant, out.SessionName = spec.RoleARN, spec.SourceGrant, roleSessionName(spec, g.Name)
			out.SessionPolicyFromGrant, out.MFASerial = spec.SessionPolicyFromGrant, spec.MFASerial
		}
	}
	return out
}

func encodePolicy(p policy.Policy) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: policy: %w", ErrInvalid, err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("%w: policy: %w", ErrInvalid, err)
	}
	return b, nil
}

func decodePolicy(g *store.Grant) (policy.Policy, error) {
	var p policy.Policy
	if len(g.Policy) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(g.Policy, &p); err != nil {
		return p, fmt.Errorf("grant %s (%s) has an unreadable policy (%v); set it again with `alter-mcp grant set-policy`", g.Name, g.ID, err)
	}
	return p, nil
}

// checkName validates grant and caller names: 1 to 64 letters, digits, '.',
// '_' and '-', starting with a letter or digit; grant ids cannot be names.
func checkName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("%w: the %s needs a name (letters, digits, '.', '_' and '-')", ErrInvalid, kind)
	}
	if len(name) > 64 {
		return fmt.Errorf("%w: %s name %q is longer than 64 characters", ErrInvalid, kind, text.Clip(name, 80))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return fmt.Errorf("%w: %s name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", ErrInvalid, kind, name)
		}
	}
	if strings.HasPrefix(name, grantIDPrefix) {
		return fmt.Errorf("%w: %s name %q starts with %q, which marks grant ids; pick another name", ErrInvalid, kind, name, grantIDPrefix)
	}
	return nil
}

// checkStatic checks an access key's shape. It never repeats the secret.
func checkStatic(c StaticCredentials) error {
	id := c.AccessKeyID
	validID := len(id) == 20 && (strings.HasPrefix(id, "AKIA") || strings.HasPrefix(id, "ASIA"))
	for i := 4; validID && i < len(id); i++ {
		ch := id[i]
		validID = ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
	}
	if !validID {
		return fmt.Errorf("%w: access key id %q is not an AWS access key id (AKIA or ASIA and 16 upper-case letters or digits)", ErrCredentials, text.Clip(id, 40))
	}
	if c.SecretAccessKey == "" {
		return fmt.Errorf("%w: the secret access key of %s is empty", ErrCredentials, id)
	}
	if len(c.SecretAccessKey) > 128 {
		return fmt.Errorf("%w: the secret access key of %s is longer than 128 characters; is it the right value?", ErrCredentials, id)
	}
	for i := 0; i < len(c.SecretAccessKey); i++ {
		if ch := c.SecretAccessKey[i]; ch <= ' ' || ch >= 0x7f {
			return fmt.Errorf("%w: the secret access key of %s holds a space, line break or non-ASCII character; paste it again without them", ErrCredentials, id)
		}
	}
	switch {
	case strings.HasPrefix(id, "ASIA") && c.SessionToken == "":
		return fmt.Errorf("%w: %s is a temporary access key (ASIA…) and needs its session token", ErrCredentials, id)
	}
	for i := 0; i < len(c.SessionToken); i++ {
		if ch := c.SessionToken[i]; ch <= ' ' || ch >= 0x7f {
			return fmt.Errorf("%w: the session token of %s holds a space, line break or non-ASCII character", ErrCredentials, id)
		}
	}
	return nil
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
