package vault

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// Rotation replaces a static grant's IAM access key by a new one, made with
// the grant's own key, in named steps. store.Rotation records the last step
// done, and the new key's secret as soon as IAM hands it out, so that a
// Rotate that stops anywhere (a crash, a network failure, IAM's eventual
// consistency) is finished by the next Rotate, and never loses the new key
// or makes a second one.
//
//	creating     the record exists; CreateAccessKey is about to be called
//	(a) created     IAM made the new key; its secret is sealed in the record, pending
//	(b) verified    STS GetCallerIdentity knows the new key as the old key's user
//	(c) current     the grant holds the new key (its id does not change)
//	(d) deactivated the old key is Inactive, set with the new key
//	(e) deleted     the old key is deleted, with the new key
//	(f) done        the record is deleted
//
// Rotations of one grant exclude each other through the record and the
// grant's Version: a Rotate writes the record with a lease (UpdatedAt),
// then claims the grant by writing it unchanged, which fails (ErrConflict)
// when another writer got in since it was read. Of Rotates that start
// together one claim succeeds; one that starts later finds the lease held
// and stops with ErrRotationInProgress without writing anything. Before
// each step the holder checks that the grant's Version is still its own,
// so that it stops rather than race whoever changed the grant.

// ErrRotationInProgress: another rotation of the grant is running, or the
// grant changed during the rotation. Run Rotate again to go on.
var ErrRotationInProgress = errors.New("rotation in progress")

// ErrRotation: a rotation stopped where it needs the operator (IAM refused
// to make a key, a key was lost, IAM is slow to accept the new key). The
// error says what to do; running Rotate again then goes on from where it
// stopped.
var ErrRotation = errors.New("rotation stopped")

// Rotation steps, as store.Rotation.Step records the last one done.
const (
	rotateCreating    = "creating"
	rotateCreated     = "created"
	rotateVerified    = "verified"
	rotateCurrent     = "current"
	rotateDeactivated = "deactivated"
	rotateDeleted     = "deleted"
	rotateDone        = "done" // reported, never stored: the record is gone
)

const (
	// rotateLease is how long a rotation record stays held after its last
	// write: longer than the longest step (a verification of
	// rotateVerifyTimeout plus a few calls of serviceTimeout).
	rotateLease = 5 * time.Minute
	// rotateVerifyTimeout bounds how long a new key may take to be known
	// to STS and IAM, which are eventually consistent.
	rotateVerifyTimeout = 30 * time.Second
	// toolRotate names rotation calls in the audit.
	toolRotate = "vault.rotate"
)

// RotateResult says what Rotate did. It never holds a secret.
type RotateResult struct {
	GrantID        string `json:"grant_id"`
	Name           string `json:"name"`
	UserARN        string `json:"user_arn,omitempty"`
	OldAccessKeyID string `json:"old_access_key_id"`
	NewAccessKeyID string `json:"new_access_key_id"`
	// ResumedFrom is the step an earlier, interrupted rotation had reached,
	// when this call went on from there; "" for a new rotation.
	ResumedFrom string `json:"resumed_from,omitempty"`
	// Steps are the steps this call did, in order: "created", "verified",
	// "current", "deactivated", "deleted", "done".
	Steps []string `json:"steps"`
}

// Rotate replaces the access key of a static grant: it makes a new key for
// the same IAM user with the grant's key (CreateAccessKey), checks that it
// works (STS GetCallerIdentity, retried while IAM's eventual consistency
// hides it, up to 30 seconds), makes it the grant's key, then deactivates
// and deletes the old key with the new one. The grant id stays the same
// and calls with the grant use the new key from step (c) on. The IAM and
// STS calls are made as the operator: the grant's policy does not apply,
// and each is audited (tool "vault.rotate"). AWS_REGION (or
// AWS_DEFAULT_REGION) picks the partition of the IAM endpoint; the default
// is aws.
//
// Every step survives a crash: calling Rotate again goes on from the last
// step done (RotateResult.ResumedFrom). The new key's secret is sealed in
// the store before anything else happens, bound to the grant and marked
// pending, so it is never lost and never taken for the grant's current
// secret.
//
// Errors: ErrGrantNotFound, ErrGrantRevoked, ErrInvalid (a grant whose
// credentials come from a profile or a role), ErrCredentials (temporary
// credentials, which cannot be rotated), ErrRotationInProgress, ErrRotation
// (with what to do, such as deleting an unused key when the user already
// has two), ErrAudit, or what IAM or STS answered (*credsrc.APIError).
func (v *Vault) Rotate(ctx context.Context, idOrName string) (RotateResult, error) {
	g, err := v.loadGrant(ctx, idOrName)
	if err != nil {
		return RotateResult{}, err
	}
	res := RotateResult{GrantID: g.ID, Name: g.Name, OldAccessKeyID: g.AccessKeyID, Steps: []string{}}
	r := &rotation{v: v, res: &res}
	if err := r.acquire(ctx, g.ID); err != nil {
		return res, err
	}
	if err := r.run(ctx); err != nil {
		r.release(ctx)
		return res, err
	}
	return res, nil
}

// rotatable says why a grant's key cannot be rotated, or nil.
func rotatable(g *store.Grant) error {
	switch {
	case g.Revoked:
		return fmt.Errorf("%w: grant %s (%s) is revoked; it has no key to rotate", ErrGrantRevoked, g.Name, g.ID)
	case g.Source != sourceStatic && g.Source != "":
		from := map[string]string{sourceProfile: "an AWS profile", sourceAssumeRole: "an assumed role"}[g.Source]
		return fmt.Errorf("%w: grant %s takes its credentials from %s, not from an access key the vault holds; rotate them where they are kept", ErrInvalid, g.Name, orUnknown(from))
	case staticConfigOf(g).SessionToken || strings.HasPrefix(g.AccessKeyID, "ASIA"):
		return fmt.Errorf("%w: grant %s holds temporary credentials (with a session token), which cannot be rotated: they expire by themselves. Give it new ones with `alter-mcp grant update-credential`", ErrCredentials, g.Name)
	case len(g.Sealed) == 0:
		return fmt.Errorf("%w: grant %s (%s) holds no secret; set its credentials with `alter-mcp grant update-credential`", ErrCredentials, g.Name, g.ID)
	}
	return nil
}

// rotation is one Rotate call at work.
type rotation struct {
	v        *Vault
	res      *RotateResult
	g        *store.Grant    // as last read or written; its Version is the one this rotation holds
	row      *store.Rotation // as last written
	held     bool            // the record is this call's to write
	resumed  bool            // the record was there before this call
	iam, sts credsrc.Endpoint
}

// acquire takes the grant's rotation record, as the package comment on
// rotation describes.
func (r *rotation) acquire(ctx context.Context, grantID string) error {
	v := r.v
	g, err := v.store.GetGrant(ctx, grantID)
	if err != nil {
		return fmt.Errorf("read grant %s: %w", grantID, err)
	}
	row, err := v.store.GetRotation(ctx, g.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		row = nil
	case err != nil:
		return err
	}
	if err := rotatable(g); err != nil {
		if row != nil && row.NewAccessKeyID != "" && row.Step != rotateDeleted {
			err = fmt.Errorf("%w (an unfinished rotation made key %s for it, which may be left in IAM: delete it there if so)", err, row.NewAccessKeyID)
		}
		return err
	}
	now := v.now().UTC()
	if row != nil && !row.UpdatedAt.IsZero() && now.Sub(row.UpdatedAt) < rotateLease {
		return fmt.Errorf("%w: another rotation of grant %s is running (step %q, last active %s). If none is (it was killed), run rotate again after %s",
			ErrRotationInProgress, g.Name, row.Step, row.UpdatedAt.Format(time.RFC3339), row.UpdatedAt.Add(rotateLease).Format(time.RFC3339))
	}
	r.resumed = row != nil
	if row == nil {
		row = &store.Rotation{GrantID: g.ID, Step: rotateCreating, OldAccessKeyID: g.AccessKeyID, StartedAt: now}
	}
	row.UpdatedAt = now
	if err := v.store.PutRotation(ctx, row); err != nil {
		return fmt.Errorf("record the rotation of grant %s: %w", g.Name, err)
	}
	// The claim: it fails when another writer (another Rotate that read the
	// grant before us) got in since we read it.
	if err := v.store.UpdateGrant(ctx, g); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("%w: grant %s changed as its rotation started (another rotation started at the same moment?); run rotate again", ErrRotationInProgress, g.Name)
		}
		return fmt.Errorf("claim grant %s for its rotation: %w", g.Name, err)
	}
	r.g, r.row, r.held = g, row, true
	// Write the record again: a Rotate that read the grant before our
	// claim may have written its own after ours; its claim fails.
	if err := v.store.PutRotation(ctx, row); err != nil {
		return fmt.Errorf("record the rotation of grant %s: %w", g.Name, err)
	}
	if r.resumed {
		r.res.ResumedFrom = row.Step
		v.log.Info("rotation: going on from an earlier run", "grant", g.ID, "name", g.Name, "step", row.Step,
			"started", row.StartedAt, "old_access_key_id", row.OldAccessKeyID, "new_access_key_id", row.NewAccessKeyID)
	}
	return nil
}

// guard checks, before each step, that nobody changed the grant since this
// rotation last read or wrote it.
func (r *rotation) guard(ctx context.Context) error {
	g, err := r.v.store.GetGrant(ctx, r.g.ID)
	if err != nil {
		return fmt.Errorf("read grant %s: %w", r.g.ID, err)
	}
	if g.Version != r.g.Version {
		r.held = false
		return fmt.Errorf("%w: grant %s was changed during its rotation (by another rotation, or an update); run rotate again to go on", ErrRotationInProgress, r.g.Name)
	}
	return nil
}

// save records step as done, renewing the lease.
func (r *rotation) save(ctx context.Context, step string) error {
	if err := r.hook(step + "/acted"); err != nil {
		return err
	}
	if err := r.guard(ctx); err != nil {
		return err
	}
	r.row.Step, r.row.UpdatedAt = step, r.v.now().UTC()
	if err := r.v.store.PutRotation(ctx, r.row); err != nil {
		return fmt.Errorf("record step %s of the rotation of grant %s: %w", step, r.g.Name, err)
	}
	r.done(step)
	return r.hook(step + "/saved")
}

func (r *rotation) done(step string) {
	r.res.Steps = append(r.res.Steps, step)
	r.v.log.Info("rotation step done", "grant", r.g.ID, "name", r.g.Name, "step", step,
		"old_access_key_id", r.row.OldAccessKeyID, "new_access_key_id", r.row.NewAccessKeyID)
}

// hook lets a test stop the rotation at a point: "<step>/acted" after a
// step's call or write and before its record, "<step>/saved" after its
// record, and "created/lost" after CreateAccessKey answered and before
// anything else (as a crash there would lose the new secret).
func (r *rotation) hook(point string) error {
	if f := r.v.hooks.rotateFail; f != nil {
		return f(point)
	}
	return nil
}

// release gives the record up after a failure, so that the next Rotate
// goes on at once instead of waiting for the lease to run out. It writes
// only while the grant is still this rotation's.
func (r *rotation) release(ctx context.Context) {
	if !r.held {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if r.guard(ctx) != nil {
		return
	}
	r.row.UpdatedAt = time.Time{}
	if err := r.v.store.PutRotation(ctx, r.row); err != nil {
		r.v.log.Warn("rotation: the record could not be released; the next rotate waits for its lease to run out", "grant", r.g.ID, "err", err)
	}
	r.held = false
}

// run does the steps left.
func (r *rotation) run(ctx context.Context) error {
	v, g := r.v, r.g
	if err := rotatable(g); err != nil {
		return err
	}
	region := firstNonEmpty(v.getenv("AWS_REGION"), v.getenv("AWS_DEFAULT_REGION"))
	call := serviceCall{tool: toolRotate, reason: "rotate the access key of grant " + g.Name, grant: g}
	var err error
	if r.iam, err = v.serviceEndpointFor(credsrc.IAM(region), call); err != nil {
		return err
	}
	if r.sts, err = v.serviceEndpointFor(credsrc.STS(region), call); err != nil {
		return err
	}

	// A record for neither the grant's key nor the key it was rotating to
	// is stale: the grant's credentials were replaced meanwhile.
	if g.AccessKeyID != r.row.OldAccessKeyID && g.AccessKeyID != r.row.NewAccessKeyID {
		v.log.Warn("rotation: the grant's key was replaced since an earlier rotation stopped; starting over",
			"grant", g.ID, "access_key_id", g.AccessKeyID, "stale_old_access_key_id", r.row.OldAccessKeyID,
			"stale_new_access_key_id", r.row.NewAccessKeyID, "hint", "delete the stale new key in IAM if it exists")
		*r.row = store.Rotation{GrantID: g.ID, Step: rotateCreating, OldAccessKeyID: g.AccessKeyID, StartedAt: v.now().UTC(), UpdatedAt: v.now().UTC()}
		r.resumed, r.res.ResumedFrom = false, ""
		if err := r.v.store.PutRotation(ctx, r.row); err != nil {
			return err
		}
	}
	r.res.OldAccessKeyID = r.row.OldAccessKeyID
	r.res.NewAccessKeyID = r.row.NewAccessKeyID

	for {
		var err error
		switch r.row.Step {
		case rotateCreating:
			err = r.create(ctx)
		case rotateCreated:
			err = r.verify(ctx)
		case rotateVerified:
			err = r.makeCurrent(ctx)
		case rotateCurrent:
			err = r.retire(ctx, "Inactive", rotateDeactivated)
		case rotateDeactivated:
			err = r.retire(ctx, "", rotateDeleted)
		case rotateDeleted:
			return r.finish(ctx)
		default:
			return fmt.Errorf("%w: the rotation record of grant %s is at an unknown step %q", ErrRotation, g.Name, r.row.Step)
		}
		if err != nil {
			return err
		}
	}
}

// (a) create makes the new key and records it, pending, at once.
func (r *rotation) create(ctx context.Context) error {
	v, g := r.v, r.g
	old, err := v.openSecret(g.ID, g.KeyID, g.AccessKeyID, g.Sealed)
	if err != nil {
		return err
	}
	if r.resumed {
		// An earlier run stopped after asking for a key and before
		// recording the answer: a key it made would be the user's other key.
		// Its secret is lost, so only the operator may delete it.
		keys, err := r.iam.ListAccessKeys(ctx, old, "")
		if err != nil {
			return fmt.Errorf("%w: an earlier rotation of grant %s stopped while creating a key; listing the user's keys to check failed: %w", ErrRotation, g.Name, err)
		}
		for _, k := range keys {
			if k.AccessKeyID != old.AccessKeyID {
				return fmt.Errorf("%w: an earlier rotation of grant %s (started %s) stopped while creating a key, and IAM user %s now has key %s (%s, created %s) besides the grant's key %s. If that rotation made it, its secret was never stored and it cannot be used: delete it (aws iam delete-access-key --user-name %s --access-key-id %s) and run `alter-mcp grant rotate %s` again",
					ErrRotation, g.Name, r.row.StartedAt.Format(time.RFC3339), k.UserName, k.AccessKeyID, k.Status, k.CreateDate.Format(time.RFC3339), old.AccessKeyID, k.UserName, k.AccessKeyID, g.Name)
			}
		}
	}
	if err := r.guard(ctx); err != nil {
		return err
	}
	fresh, meta, err := r.iam.CreateAccessKey(ctx, old)
	if err != nil {
		var ae *credsrc.APIError
		if !errors.As(err, &ae) {
			// No answer: IAM may have made a key. The record stays at
			// "creating"; the next Rotate looks at the user's keys.
			return fmt.Errorf("%w: grant %s: CreateAccessKey got no answer, so whether IAM made a key is not known; run rotate again, which checks: %w", ErrRotation, g.Name, err)
		}
		// IAM answered: no key was made, and there is nothing to resume.
		r.drop(ctx)
		switch {
		case ae.Code == "LimitExceeded":
			keys, _ := r.iam.ListAccessKeys(ctx, old, "")
			return limitError(g, old.AccessKeyID, keys, err)
		case credsrc.IsAuthError(err):
			return fmt.Errorf("%w: AWS refuses the key of grant %s (%s), so it cannot make its successor; give the grant a working key with `alter-mcp grant update-credential`: %w", ErrRotation, g.Name, old.AccessKeyID, err)
		}
		return fmt.Errorf("%w: grant %s: IAM made no new key: %w", ErrRotation, g.Name, err)
	}
	if err := r.hook("created/lost"); err != nil {
		return err
	}
	sealed, err := v.sealPending(g.ID, fresh)
	if err == nil {
		r.row.NewAccessKeyID, r.row.Sealed, r.row.KeyID = fresh.AccessKeyID, sealed, v.keyID
		r.res.NewAccessKeyID = fresh.AccessKeyID
		err = r.save(ctx, rotateCreated)
	}
	if err != nil && !errors.Is(err, errInjected) {
		// The new secret is only in memory, and this rotation cannot go on:
		// take the key back rather than leave a key nobody can use.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serviceTimeout)
		derr := r.iam.DeleteAccessKey(dctx, old, fresh.AccessKeyID)
		cancel()
		if derr != nil {
			return fmt.Errorf("%w; the new key %s could not be recorded or deleted (%v): delete it in IAM (aws iam delete-access-key --user-name %s --access-key-id %s)", err, fresh.AccessKeyID, derr, meta.UserName, fresh.AccessKeyID)
		}
		r.row.NewAccessKeyID, r.row.Sealed, r.row.KeyID = "", nil, ""
		r.res.NewAccessKeyID = ""
		return fmt.Errorf("%w (the new key %s was deleted again)", err, fresh.AccessKeyID)
	}
	return err
}

func limitError(g *store.Grant, current string, keys []credsrc.AccessKey, err error) error {
	user, other := "USER", ""
	var others []string
	for _, k := range keys {
		user = k.UserName
		if k.AccessKeyID != current {
			other = k.AccessKeyID
			others = append(others, fmt.Sprintf("%s (%s, created %s)", k.AccessKeyID, k.Status, k.CreateDate.Format(time.DateOnly)))
		}
	}
	if other == "" {
		other = "KEY_ID"
	}
	return fmt.Errorf("%w: IAM user %s already has two access keys, the most IAM allows: %s, the key of grant %s, and %s. Rotation needs room for a new key: delete the one not in use (aws iam delete-access-key --user-name %s --access-key-id %s), then run `alter-mcp grant rotate %s` again: %w",
		ErrRotation, user, current, g.Name, orUnknown(strings.Join(others, ", ")), user, other, g.Name, err)
}

// drop deletes the record of a rotation that made nothing.
func (r *rotation) drop(ctx context.Context) {
	if err := r.v.store.DeleteRotation(context.WithoutCancel(ctx), r.g.ID); err != nil {
		r.v.log.Warn("rotation: the record could not be deleted", "grant", r.g.ID, "err", err)
		return
	}
	r.held = false
}

// (b) verify checks that STS knows the new key as the old key's user,
// waiting for IAM's eventual consistency.
func (r *rotation) verify(ctx context.Context) error {
	v, g := r.v, r.g
	fresh, err := v.openPending(r.row)
	if err != nil {
		return err
	}
	// The grant still holds the old key, which is still active.
	old, err := v.openSecret(g.ID, g.KeyID, g.AccessKeyID, g.Sealed)
	if err != nil {
		return err
	}
	want, err := r.sts.CallerIdentity(ctx, old)
	if err != nil {
		return fmt.Errorf("%w: grant %s: ask STS who the old key is: %w", ErrRotation, g.Name, err)
	}
	var got credsrc.Identity
	err = r.retryAuth(ctx, "STS GetCallerIdentity with the new key", func() error {
		var err error
		got, err = r.sts.CallerIdentity(ctx, fresh)
		return err
	})
	if err != nil {
		return err
	}
	if got.ARN != want.ARN || got.Account != want.Account {
		return fmt.Errorf("%w: the new key %s belongs to %s, not to %s like the grant's key: the rotation stops here. Delete key %s in IAM and look into it",
			ErrRotation, fresh.AccessKeyID, got.ARN, want.ARN, fresh.AccessKeyID)
	}
	r.res.UserARN = got.ARN
	return r.save(ctx, rotateVerified)
}

// retryAuth calls f until AWS stops refusing the new key as unknown, up to
// rotateVerifyTimeout: IAM makes a new key known everywhere within seconds.
func (r *rotation) retryAuth(ctx context.Context, what string, f func() error) error {
	wait := r.v.hooks.rotateVerifyWait
	if wait <= 0 {
		wait = rotateVerifyTimeout
	}
	deadline := time.Now().Add(wait)
	delay := min(250*time.Millisecond, wait/4)
	for {
		err := f()
		if err == nil || !credsrc.IsAuthError(err) {
			return err
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("%w: grant %s: %s: AWS still refuses the new key after %s (IAM is eventually consistent); run rotate again in a minute to go on: %w", ErrRotation, r.g.Name, what, wait, err)
		}
		r.v.log.Debug("rotation: the new key is not known yet; retrying", "grant", r.g.ID, "call", what, "delay", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 4*time.Second)
	}
}

// (c) makeCurrent gives the grant the new key; its id stays.
func (r *rotation) makeCurrent(ctx context.Context) error {
	v := r.v
	if r.g.AccessKeyID != r.row.NewAccessKeyID {
		fresh, err := v.openPending(r.row)
		if err != nil {
			return err
		}
		if err := r.guard(ctx); err != nil {
			return err
		}
		g := *r.g
		var keyID string
		g.Sealed, keyID, err = v.sealSecret(g.ID, StaticCredentials{AccessKeyID: fresh.AccessKeyID, SecretAccessKey: fresh.SecretAccessKey})
		if err != nil {
			return err
		}
		g.AccessKeyID, g.KeyID, g.UpdatedAt = fresh.AccessKeyID, keyID, v.now().UTC()
		if err := v.store.UpdateGrant(ctx, &g); err != nil {
			if errors.Is(err, store.ErrConflict) {
				r.held = false
				return fmt.Errorf("%w: grant %s was changed during its rotation; run rotate again to go on", ErrRotationInProgress, g.Name)
			}
			return fmt.Errorf("give grant %s its new key: %w", g.Name, err)
		}
		r.g = &g
		v.log.Info("grant updated", "grant", g.ID, "name", g.Name, "change", "rotate", "access_key_id", g.AccessKeyID)
	} // else a crash came after the grant got the new key: nothing to redo.
	return r.save(ctx, rotateCurrent)
}

// (d, e) retire deactivates (status "Inactive") or deletes (status "") the
// old key, signed with the new one. A key already gone is fine: an earlier
// run got that far.
func (r *rotation) retire(ctx context.Context, status, step string) error {
	v, g := r.v, r.g
	creds, err := v.openSecret(g.ID, g.KeyID, g.AccessKeyID, g.Sealed) // the new key by now
	if err != nil {
		return err
	}
	if err := r.guard(ctx); err != nil {
		return err
	}
	what := "IAM DeleteAccessKey of the old key"
	if status != "" {
		what = "IAM UpdateAccessKey of the old key"
	}
	err = r.retryAuth(ctx, what, func() error {
		if status != "" {
			return r.iam.SetAccessKeyStatus(ctx, creds, r.row.OldAccessKeyID, status)
		}
		return r.iam.DeleteAccessKey(ctx, creds, r.row.OldAccessKeyID)
	})
	var ae *credsrc.APIError
	if errors.As(err, &ae) && ae.Code == "NoSuchEntity" {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("%w: grant %s: %s %s: %w; run rotate again to go on (the grant already uses the new key)", ErrRotation, g.Name, what, r.row.OldAccessKeyID, err)
	}
	return r.save(ctx, step)
}

// (f) finish deletes the record: the rotation is over.
func (r *rotation) finish(ctx context.Context) error {
	if err := r.guard(ctx); err != nil {
		return err
	}
	if err := r.v.store.DeleteRotation(ctx, r.g.ID); err != nil {
		return fmt.Errorf("delete the rotation record of grant %s: %w", r.g.Name, err)
	}
	r.held = false
	r.done(rotateDone)
	return nil
}

// pendingAD binds a rotation's pending secret to its grant, its access key
// and the master key, under its own label: it can never be opened as (or
// mistaken for) a grant's current secret.
func pendingAD(grantID, accessKeyID, keyID string) []byte {
	return []byte("alter-mcp/rotation-pending/v1\x00" + grantID + "\x00" + accessKeyID + "\x00" + keyID)
}

// sealPending seals a new key's secret for the rotation record of grantID.
func (v *Vault) sealPending(grantID string, c sigv4.Credentials) ([]byte, error) {
	pt := secretPlaintext(c.SecretAccessKey, c.SessionToken)
	defer clear(pt)
	return v.sealer.seal(pt, pendingAD(grantID, c.AccessKeyID, v.keyID))
}

// openPending opens a rotation record's pending key.
func (v *Vault) openPending(r *store.Rotation) (sigv4.Credentials, error) {
	s := v.sealerFor(r.KeyID)
	if s == nil {
		return sigv4.Credentials{}, fmt.Errorf("%w: the pending key of the rotation of grant %s was sealed with master key %s, not the open one (%s)", ErrWrongMasterKey, r.GrantID, r.KeyID, v.openKeyIDs())
	}
	pt, err := s.open(r.Sealed, pendingAD(r.GrantID, r.NewAccessKeyID, r.KeyID))
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("%w: the pending key of the rotation of grant %s does not open with master key %s", ErrWrongMasterKey, r.GrantID, r.KeyID)
	}
	defer clear(pt)
	secret, token, ok := parseSecretPlaintext(pt)
	if !ok {
		return sigv4.Credentials{}, fmt.Errorf("%w: the pending key of the rotation of grant %s is malformed", ErrCredentials, r.GrantID)
	}
	return sigv4.Credentials{AccessKeyID: r.NewAccessKeyID, SecretAccessKey: secret, SessionToken: token}, nil
}
