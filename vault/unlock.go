package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
)

// ErrLocked: the grant's role requires an MFA code, and no person has
// given one for a session that is still valid. It comes wrapped with
// ErrCredentials.
var ErrLocked = errors.New("the grant is locked until a person unlocks it with an MFA code")

// Roles that require MFA. A code works once and only a person has it, so
// such a role's session is not refreshed on its own: Unlock makes it, with
// the code a person gives (never the agent), and keeps it sealed in the
// store, where every process and replica of the vault finds it, until it
// expires. One session serves every caller; its source identity names the
// person who unlocked it.

// mfaSettingPrefix names, with the grant id, the setting that holds a
// grant's unlocked session.
const mfaSettingPrefix = "mfa_session/"

// mfaSession is the stored form of an unlocked session: its secret and
// token sealed with the master key, for the grant id prefixed "mfa/" (so
// that it cannot pass for the grant's own secret).
type mfaSession struct {
	GrantVersion int64     `json:"grant_version"`
	AccessKeyID  string    `json:"access_key_id"`
	KeyID        string    `json:"key_id"`
	Sealed       []byte    `json:"sealed"`
	Expires      time.Time `json:"expires"`
	UnlockedBy   string    `json:"unlocked_by"`
}

// mfaCached is an opened session, kept in memory until it nears expiry.
type mfaCached struct {
	version int64
	creds   sigv4.Credentials
}

// mfaGrant reports whether g is a role grant whose role requires MFA.
func mfaGrant(g *store.Grant) bool {
	return g.Source == sourceAssumeRole && bytes.Contains(g.SourceConfig, []byte(`"mfa_serial":"`))
}

// mfaCredentials returns the unlocked session of an MFA grant, or
// ErrLocked.
func (v *Vault) mfaCredentials(ctx context.Context, g *store.Grant) (sigv4.Credentials, error) {
	now := v.now()
	fresh := func(c sigv4.Credentials) bool { return now.Add(time.Minute).Before(c.Expires) }
	v.providers.mu.Lock()
	c, ok := v.providers.mfa[g.ID]
	v.providers.mu.Unlock()
	if ok && c.version == g.Version && fresh(c.creds) {
		return c.creds, nil
	}
	locked := fmt.Errorf("%w: %w: grant %s (%s) assumes a role that requires an MFA code: a person unlocks it with `alter-mcp grant unlock %s`, and it stays unlocked until its session expires",
		ErrCredentials, ErrLocked, g.Name, g.ID, g.Name)
	b, err := v.store.GetSetting(ctx, mfaSettingPrefix+g.ID)
	if errors.Is(err, store.ErrNotFound) {
		return sigv4.Credentials{}, locked
	}
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("%w: grant %s: read its unlocked session: %w", ErrCredentials, g.ID, err)
	}
	var s mfaSession
	if json.Unmarshal(b, &s) != nil || s.GrantVersion != g.Version {
		return sigv4.Credentials{}, locked // the grant changed since: unlock it again
	}
	creds, err := v.openSecret("mfa/"+g.ID, s.KeyID, s.AccessKeyID, s.Sealed)
	if err != nil {
		return sigv4.Credentials{}, locked // sealed with a master key since replaced
	}
	creds.Expires = s.Expires
	if !fresh(creds) {
		return sigv4.Credentials{}, locked
	}
	v.providers.mu.Lock()
	if v.providers.mfa == nil {
		v.providers.mfa = map[string]mfaCached{}
	}
	v.providers.mfa[g.ID] = mfaCached{version: g.Version, creds: creds}
	v.providers.mu.Unlock()
	return creds, nil
}

// Unlock assumes the role of an MFA grant with code, the current code of
// its MFA device that person (who types it) gives, and keeps the session
// for every caller until it expires. It returns when the session expires.
// Each unlock is audited: who, which grant, until when (tool
// "vault.unlock"), beside the AssumeRole call it makes.
func (v *Vault) Unlock(ctx context.Context, idOrName, code, person string) (time.Time, error) {
	g, err := v.loadGrant(ctx, idOrName)
	if err != nil {
		return time.Time{}, err
	}
	if !mfaGrant(g) {
		return time.Time{}, fmt.Errorf("%w: grant %s (%s) does not assume a role that requires MFA (grant add --mfa-serial)", ErrInvalid, g.Name, g.ID)
	}
	if err := v.usable(g, v.now()); err != nil {
		return time.Time{}, err
	}
	if err := v.sourceUsable(ctx, g, 0); err != nil {
		return time.Time{}, err
	}
	person = firstNonEmpty(person, operatorCaller)
	e := v.newEntry(callMeta{caller: person, tool: "vault.unlock", reason: "unlock grant " + g.Name + " with an MFA code"}, v.now())
	e.GrantID, e.GrantName, e.Operation, e.Attempts = g.ID, g.Name, "Unlock", 1
	if err := v.auditor.Begin(ctx, e); err != nil {
		return time.Time{}, fmt.Errorf("%w: %v; nothing was sent", ErrAudit, err)
	}
	expires, err := v.unlock(ctx, g, code, person)
	e.Outcome, e.Expires = audit.OutcomeOK, expires
	if err != nil {
		e.Outcome, e.ErrorMessage = audit.OutcomeError, audit.RedactText(err.Error())
	}
	v.end(ctx, e)
	return expires, err
}

func (v *Vault) unlock(ctx context.Context, g *store.Grant, code, person string) (time.Time, error) {
	ar, err := v.assumeRole(ctx, g, person, 0)
	if err != nil {
		return time.Time{}, err
	}
	ar.TokenCode = code
	if err := ar.Validate(); err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	creds, err := ar.Fetch(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: grant %s: %w", ErrCredentials, g.ID, err)
	}
	sealed, keyID, err := v.sealSecret("mfa/"+g.ID, StaticCredentials{SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken})
	if err != nil {
		return time.Time{}, err
	}
	b, _ := json.Marshal(mfaSession{GrantVersion: g.Version, AccessKeyID: creds.AccessKeyID, KeyID: keyID, Sealed: sealed,
		Expires: creds.Expires.UTC(), UnlockedBy: person})
	if err := v.store.PutSetting(ctx, mfaSettingPrefix+g.ID, b); err != nil {
		return time.Time{}, fmt.Errorf("keep the unlocked session of grant %s: %w", g.ID, err)
	}
	v.providers.mu.Lock()
	delete(v.providers.mfa, g.ID)
	v.providers.mu.Unlock()
	return creds.Expires, nil
}
