package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Rekey moves every secret from one master key to another without a moment
// at which the vault cannot open. The store keeps two check values:
// settingMasterCheck names the key the store is sealed with, and
// settingMasterCheckNext, present only while a rekey is unfinished, names
// the key it is moving to. Every secret records the id of the key that
// sealed it (store.Grant.KeyID, store.Rotation.KeyID, the id before a
// sealed setting), so a vault holding both keys opens everything in
// between, and running Rekey again moves what is left.
//
// With the key in <home>/master.key, the new key is written to
// <home>/master.key.next before anything is sealed with it, and renamed over
// master.key once nothing needs the old key. Open reads both files while
// master.key.next exists. With ALTER_MCP_MASTER_KEY, the operator keeps the
// keys: Open takes ALTER_MCP_MASTER_KEY_PREVIOUS as the second key.

// settingMasterCheckNext is the check value of the key an unfinished rekey
// moves to; empty (or unset) when no rekey is under way.
const settingMasterCheckNext = "vault.master_key_check_next"

// nextKeyFile is the new master key of an unfinished rekey, beside masterKeyFile.
const nextKeyFile = "master.key.next"

// testHooks let tests stop rotations and rekeys at chosen points, as a
// crash would; all zero in use.
type testHooks struct {
	// rotateFail, when set, is asked at each point of a rotation (see
	// rotation.hook); an error it returns stops the rotation there.
	rotateFail func(point string) error
	// rotateVerifyWait replaces rotateVerifyTimeout when set.
	rotateVerifyWait time.Duration
	// rekeyFailAfter, when positive, stops Rekey after it moved that many
	// secrets; rekeyFailBeforeRename stops it after the store names the
	// new key and before master.key.next replaces master.key.
	rekeyFailAfter        int
	rekeyFailBeforeRename bool
}

// errInjected is what the test hooks stop with.
var errInjected = errors.New("stopped by a test hook")

// adoptKeys checks the master key Open loaded (v.sealer, from where)
// against the store's check values, and takes in the second key of an
// unfinished rekey: <home>/master.key.next beside the key file, or
// ALTER_MCP_MASTER_KEY_PREVIOUS beside ALTER_MCP_MASTER_KEY. Of the keys
// that the store knows, the one a rekey moves to seals and the other only
// opens (v.prev). ALTER_MCP_MASTER_KEY that the store does not know yet,
// beside an ALTER_MCP_MASTER_KEY_PREVIOUS that it does, is kept as the
// standby key (v.standby): it seals nothing and opens what a rekey to it,
// run by another process, seals. Any other key the store does not know is
// ignored with a warning; with no known key at all, Open fails with
// ErrWrongMasterKey.
func (v *Vault) adoptKeys(ctx context.Context, home, where, dsn string, check []byte) error {
	next, err := v.store.GetSetting(ctx, settingMasterCheckNext)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("read the master key check from the store: %w", err)
	}
	primary := v.sealer
	var second *sealer
	secondWhere := ""
	nextFile := ""
	switch {
	case where == filepath.Join(home, masterKeyFile):
		v.keyFile = where
		path := filepath.Join(home, nextKeyFile)
		key, err := readKeyFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return err
		default:
			nextFile = path
			second, err = newSealer(key)
			clear(key)
			if err != nil {
				return fmt.Errorf("master key %s: %w", path, err)
			}
			secondWhere = path
		}
	case where == EnvMasterKey:
		if env := v.getenv(EnvMasterKeyPrevious); env != "" {
			key, err := decodeKey([]byte(env))
			if err != nil {
				return fmt.Errorf("%s: %w", EnvMasterKeyPrevious, err)
			}
			second, err = newSealer(key)
			clear(key)
			if err != nil {
				return fmt.Errorf("%s: %w", EnvMasterKeyPrevious, err)
			}
			secondWhere = EnvMasterKeyPrevious
		}
	}

	// Which check each key passes: the store's key (main) or the key a
	// rekey moves to (next).
	inMain := func(s *sealer) bool { return s != nil && s.verifyCheckOK(check) }
	inNext := func(s *sealer) bool { return s != nil && s.verifyCheckOK(next) }
	known := func(s *sealer) bool { return s != nil && (inMain(s) || inNext(s)) }

	storedID, _ := primary.verifyCheck(check)
	nextID, _ := primary.verifyCheck(next)
	if !known(primary) && !known(second) {
		msg := fmt.Sprintf("the store%s was sealed with master key %s, but the key from %s is %s", storeName(dsn), orUnknown(storedID), where, primary.keyID)
		if second != nil {
			msg += fmt.Sprintf(" and the one from %s is %s", secondWhere, second.keyID)
		}
		if len(next) > 0 {
			msg += fmt.Sprintf(" (a rekey to %s is unfinished)", orUnknown(nextID))
		}
		return fmt.Errorf("%w: %s; use the master key the store was made with", ErrWrongMasterKey, msg)
	}
	keys := []*sealer{}
	for _, s := range []*sealer{primary, second} {
		if known(s) {
			keys = append(keys, s)
		}
	}
	switch {
	case !known(primary) && where == EnvMasterKey && second != nil:
		// The replicas' side of a rekey with keys in the environment: the
		// operator gives every replica the new key and, as the previous
		// one, the key the store still uses; a rekey run anywhere then
		// moves secrets to a key every replica already opens.
		v.standby = primary
		v.log.Warn("the store does not use "+EnvMasterKey+" yet: sealing with "+EnvMasterKeyPrevious+" and opening with both, so that a rekey to "+EnvMasterKey+" (alter-mcp vault rekey) can run while this process serves",
			"key_id", primary.keyID, "store_key_id", second.keyID)
	case !known(primary):
		v.log.Warn("the master key is not a key of this store; using the second key", "from", where, "key_id", primary.keyID, "second_key_from", secondWhere)
	}
	if second != nil && !known(second) {
		v.log.Warn("ignoring a master key this store does not know", "from", secondWhere, "key_id", second.keyID)
	}
	// The key that seals: the rekey's new key when it is open, else the
	// store's key.
	v.sealer = keys[0]
	if len(keys) == 2 && inNext(keys[1]) && !inNext(keys[0]) {
		v.sealer = keys[1]
	}
	for _, s := range keys {
		if s != v.sealer && s.keyID != v.sealer.keyID {
			v.prev = s
		}
	}
	v.keyID = v.sealer.keyID

	switch {
	case len(next) > 0 && v.prev == nil:
		v.log.Warn("a rekey of the master key is unfinished and only one of its keys is open: secrets sealed with the other do not open. Run `alter-mcp vault rekey` again (with --new-key-stdin if the key is in "+EnvMasterKey+"), or set "+EnvMasterKeyPrevious+" to the old key and "+EnvMasterKey+" to the new one",
			"open_key_id", v.keyID, "store_key_id", orUnknown(storedID), "new_key_id", orUnknown(nextID))
	case len(next) > 0 || nextFile != "":
		v.log.Warn("a rekey of the master key was interrupted; both keys are open. Run `alter-mcp vault rekey` again to finish it",
			"key_id", v.keyID, "previous_key_id", keyIDOf(v.prev), "next_key_file", nextFile)
	}
	return nil
}

func keyIDOf(s *sealer) string {
	if s == nil {
		return ""
	}
	return s.keyID
}

// Rekey seals every secret of the store again under newKey (32 bytes): the
// grants' credentials, the pending keys of unfinished rotations, the
// vault's own sealed settings, and the master-key check value. It is
// crash-safe: the old key keeps opening what it sealed until the last
// secret has moved, the vault opens at every point in between (see Open),
// and calling Rekey again finishes an interrupted rekey.
//
// With the key in <home>/master.key, the new key goes to
// <home>/master.key.next (0600, synced) before anything is sealed with it,
// and replaces master.key at the end. newKey may then be nil: Rekey
// finishes an unfinished rekey with the key in master.key.next, or makes a
// new random key.
//
// With ALTER_MCP_MASTER_KEY or Options.MasterKey, the caller keeps the new
// key and must give it; once Rekey returns, only the new key opens the
// store. Between an interrupted Rekey and the next one, set
// ALTER_MCP_MASTER_KEY to the new key and ALTER_MCP_MASTER_KEY_PREVIOUS to
// the old one: everything opens. The old key alone opens the vault too
// until the vault's own settings (moved last) have moved, but not the
// secrets already moved; calling Rekey with the new key from there
// finishes. newKey nil finishes an unfinished rekey when the vault holds
// its new key.
//
// Other processes may serve from the store while Rekey runs if they hold
// both keys: started with the new key in ALTER_MCP_MASTER_KEY and the old
// one in ALTER_MCP_MASTER_KEY_PREVIOUS (Open keeps the new one as a standby
// key), they open every secret, whichever key sealed it at that moment. A
// process holding only the old key fails, closed, on each secret moved.
// Secrets sealed with the old key meanwhile (a grant added elsewhere) are
// moved by a further pass. Rekey must not run while other calls use this
// same Vault. After Rekey returns, this vault seals and opens with the new
// key.
func (v *Vault) Rekey(ctx context.Context, newKey []byte) error {
	next, err := v.store.GetSetting(ctx, settingMasterCheckNext)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("rekey: read the master key check: %w", err)
	}
	main, err := v.store.GetSetting(ctx, settingMasterCheck)
	if err != nil {
		return fmt.Errorf("rekey: read the master key check: %w", err)
	}
	nextPath, keyPath := "", ""
	if v.keyFile != "" {
		keyPath = v.keyFile
		nextPath = filepath.Join(filepath.Dir(v.keyFile), nextKeyFile)
	}
	committed := func(s *sealer) bool { return s.verifyCheckOK(main) || s.verifyCheckOK(next) }

	// 1. The new key.
	var target *sealer
	var fileKey []byte // the key in master.key.next, if any
	defer func() { clear(fileKey) }()
	if nextPath != "" {
		fileKey, err = readKeyFile(nextPath)
		if errors.Is(err, fs.ErrNotExist) {
			fileKey, err = nil, nil
		}
		if err != nil {
			return fmt.Errorf("rekey: %w", err)
		}
	}
	switch {
	case newKey != nil:
		if target, err = newSealer(newKey); err != nil {
			return fmt.Errorf("%w: rekey: the new master key: %w", ErrInvalid, err)
		}
	case len(next) > 0:
		for _, s := range []*sealer{v.sealer, v.prev} {
			if s != nil && s.verifyCheckOK(next) {
				target = s
			}
		}
		if target == nil {
			id, _ := v.sealer.verifyCheck(next)
			return fmt.Errorf("%w: a rekey to master key %s is unfinished, and that key is not open: give it to finish the rekey", ErrInvalid, orUnknown(id))
		}
	case v.standby != nil:
		// Opened with the new key in ALTER_MCP_MASTER_KEY and the store's
		// in ALTER_MCP_MASTER_KEY_PREVIOUS, as the replicas are.
		target = v.standby
	case fileKey != nil:
		target, err = newSealer(fileKey)
		if err != nil {
			return fmt.Errorf("rekey: %s: %w", nextPath, err)
		}
	case v.keyFile != "":
		made := make([]byte, masterKeySize)
		defer clear(made)
		if _, err := rand.Read(made); err != nil {
			return fmt.Errorf("rekey: make a master key: %w", err)
		}
		if target, err = newSealer(made); err != nil {
			return err
		}
		newKey = made
	default:
		return fmt.Errorf("%w: rekey: give the new master key (32 random bytes: head -c 32 /dev/urandom | base64); the vault's key comes from %s, which alter-mcp cannot change", ErrInvalid, v.info.MasterKeySource)
	}
	if len(next) > 0 && !target.verifyCheckOK(next) {
		id, _ := target.verifyCheck(next)
		return fmt.Errorf("%w: a rekey to master key %s is unfinished; finish it (run rekey again with that key) before moving to %s", ErrInvalid, orUnknown(id), target.keyID)
	}

	// 2. With a key file, master.key.next holds the new key before anything
	// is sealed with it. A file holding another key that the store does not
	// know was left by a rekey that stopped before it sealed anything: it
	// is replaced.
	if nextPath != "" {
		if fileKey != nil && masterKeyID(fileKey) != target.keyID {
			if s, err := newSealer(fileKey); err == nil && committed(s) {
				return fmt.Errorf("%w: %s holds master key %s, which a rekey is moving to; run rekey without a new key to finish that one first", ErrInvalid, nextPath, s.keyID)
			}
			if err := os.Remove(nextPath); err != nil {
				return fmt.Errorf("rekey: remove the stale %s: %w", nextPath, err)
			}
			clear(fileKey)
			fileKey = nil
		}
		if fileKey == nil && !(target.verifyCheckOK(main) && len(next) == 0) {
			if newKey == nil {
				return fmt.Errorf("%w: rekey: the new master key is open but %s is missing; give the key again", ErrInvalid, nextPath)
			}
			existing, err := writeKeyFile(filepath.Dir(nextPath), nextPath, newKey)
			if err == nil && existing != nil {
				clear(existing)
				err = fmt.Errorf("%s appeared while rekeying; is another rekey running?", nextPath)
			}
			if err != nil {
				return fmt.Errorf("rekey: %w", err)
			}
			v.log.Info("rekey: the new master key is written", "file", nextPath, "key_id", target.keyID)
		}
	}

	// 3. The store names the new key, so that a vault holding both opens
	// everything from here on; then this vault seals with it.
	if len(next) == 0 && !target.verifyCheckOK(main) {
		value, err := target.checkValue()
		if err != nil {
			return err
		}
		if err := v.store.PutSetting(ctx, settingMasterCheckNext, value); err != nil {
			return fmt.Errorf("rekey: store the new key's check value: %w", err)
		}
	}
	if v.sealer.keyID != target.keyID {
		v.prev, v.sealer, v.keyID = v.sealer, target, target.keyID
	}
	if v.standby != nil && v.standby.keyID == target.keyID {
		v.standby = nil // it seals now
	}
	v.log.Info("rekey: moving secrets", "from", keyIDOf(v.prev), "to", v.keyID)

	// 4. Move every secret. A pass that moves nothing ends it; more than one
	// pass is needed only when something was sealed with the old key
	// meanwhile.
	total := 0
	for pass := 0; ; pass++ {
		n, err := v.moveSecrets(ctx, target, total)
		total += n
		if err != nil {
			return fmt.Errorf("rekey: %w (%d secrets moved; run rekey again to finish)", err, total)
		}
		if n == 0 {
			break
		}
		if pass == 3 {
			return fmt.Errorf("rekey: secrets keep being sealed with the old key; stop the other alter-mcp processes using this store and run rekey again")
		}
	}

	// 5. The store's key is the new one.
	if !target.verifyCheckOK(main) {
		value, err := target.checkValue()
		if err != nil {
			return err
		}
		if err := v.store.PutSetting(ctx, settingMasterCheck, value); err != nil {
			return fmt.Errorf("rekey: store the master key check: %w", err)
		}
	}
	if len(next) > 0 || !target.verifyCheckOK(main) {
		if err := v.store.PutSetting(ctx, settingMasterCheckNext, nil); err != nil {
			return fmt.Errorf("rekey: clear the rekey's check value: %w", err)
		}
	}

	// 6. With a key file, the new key replaces the old one.
	if v.hooks.rekeyFailBeforeRename {
		return errInjected
	}
	if nextPath != "" {
		if _, err := os.Stat(nextPath); err == nil {
			if err := os.Rename(nextPath, keyPath); err != nil {
				return fmt.Errorf("rekey: replace %s with %s: %w", keyPath, nextPath, err)
			}
			if err := syncDir(filepath.Dir(keyPath)); err != nil {
				v.log.Warn("rekey: the folder of the master key could not be synced", "err", err)
			}
		}
	}
	v.prev = nil
	v.info.MasterKeyID = v.keyID
	v.log.Info("rekey: done", "key_id", v.keyID, "secrets_moved", total)
	return nil
}

// verifyCheckOK reports whether value is this key's check value.
func (s *sealer) verifyCheckOK(value []byte) bool {
	if len(value) == 0 {
		return false
	}
	_, ok := s.verifyCheck(value)
	return ok
}

// moveSecrets seals again under target every secret sealed with another
// key, and says how many it moved. done is how many earlier passes moved,
// for the test hook.
func (v *Vault) moveSecrets(ctx context.Context, target *sealer, done int) (int, error) {
	moved := 0
	step := func() error {
		moved++
		if n := v.hooks.rekeyFailAfter; n > 0 && done+moved >= n {
			return errInjected
		}
		return nil
	}
	reseal := func(what, keyID string, blob, oldAD, newAD []byte) ([]byte, error) {
		s := v.sealerFor(keyID)
		if s == nil {
			return nil, fmt.Errorf("%w: %s is sealed with master key %s, which is not open (open: %s); open the vault with that key too (%s, or %s)",
				ErrWrongMasterKey, what, keyID, v.openKeyIDs(), nextKeyFile, EnvMasterKeyPrevious)
		}
		pt, err := s.open(blob, oldAD)
		if err != nil {
			return nil, fmt.Errorf("%w: %s does not open with master key %s", ErrWrongMasterKey, what, keyID)
		}
		defer clear(pt)
		return target.seal(pt, newAD)
	}

	grants, err := v.store.ListGrants(ctx)
	if err != nil {
		return moved, fmt.Errorf("list grants: %w", err)
	}
	for _, g := range grants {
		for attempt := 0; len(g.Sealed) > 0 && g.KeyID != target.keyID; attempt++ {
			sealed, err := reseal("the secret of grant "+g.ID, g.KeyID, g.Sealed, grantAD(g.ID, g.KeyID), grantAD(g.ID, target.keyID))
			if err != nil {
				return moved, err
			}
			g.Sealed, g.KeyID = sealed, target.keyID
			err = v.store.UpdateGrant(ctx, g)
			if errors.Is(err, store.ErrConflict) && attempt < 3 {
				// Changed meanwhile: read it again.
				if g, err = v.store.GetGrant(ctx, g.ID); err != nil {
					return moved, fmt.Errorf("read grant: %w", err)
				}
				continue
			}
			if err != nil {
				return moved, fmt.Errorf("store grant %s: %w", g.ID, err)
			}
			if err := step(); err != nil {
				return moved, err
			}
		}
		r, err := v.store.GetRotation(ctx, g.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return moved, err
		}
		if len(r.Sealed) > 0 && r.KeyID != target.keyID {
			sealed, err := reseal("the pending key of the rotation of grant "+g.ID, r.KeyID, r.Sealed,
				pendingAD(g.ID, r.NewAccessKeyID, r.KeyID), pendingAD(g.ID, r.NewAccessKeyID, target.keyID))
			if err != nil {
				return moved, err
			}
			r.Sealed, r.KeyID = sealed, target.keyID
			if err := v.store.PutRotation(ctx, r); err != nil {
				return moved, err
			}
			if err := step(); err != nil {
				return moved, err
			}
		}
	}

	for _, name := range sealedSettings {
		value, err := v.store.GetSetting(ctx, name)
		if errors.Is(err, store.ErrNotFound) || err == nil && len(value) == 0 {
			continue
		}
		if err != nil {
			return moved, err
		}
		keyID, blob, ok := bytes.Cut(value, []byte{0})
		if !ok {
			return moved, fmt.Errorf("%w: setting %s is malformed", ErrWrongMasterKey, name)
		}
		if string(keyID) == target.keyID {
			continue
		}
		sealed, err := reseal("setting "+name, string(keyID), blob, settingAD(name, string(keyID)), settingAD(name, target.keyID))
		if err != nil {
			return moved, err
		}
		if err := v.store.PutSetting(ctx, name, append([]byte(target.keyID+"\x00"), sealed...)); err != nil {
			return moved, err
		}
		if err := step(); err != nil {
			return moved, err
		}
	}
	return moved, nil
}
