//go:build unix

package credsrc_test

import (
	"context"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// TestAccessKeyLifecycle walks a key rotation by hand through IAM in moto,
// with signatures checked: a user creates a second key with its first,
// the new key works, the old one is deactivated (and refused), then deleted.
func TestAccessKeyLifecycle(t *testing.T) {
	endpoint := motoserver.Start(t, motoserver.WithAuth(motoserver.AdminSetupActions))
	user := motoserver.CreateAdminUser(t, endpoint, "rotator")
	old := sigv4.Credentials{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey}
	iam := credsrc.Endpoint{URL: endpoint + "/", Region: "us-east-1", Service: "iam"}
	sts := credsrc.Endpoint{URL: endpoint + "/", Region: "us-east-1", Service: "sts"}
	ctx := context.Background()

	keys, err := iam.ListAccessKeys(ctx, old, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].AccessKeyID != old.AccessKeyID || keys[0].Status != "Active" || keys[0].CreateDate.IsZero() || keys[0].UserName != "rotator" {
		t.Fatalf("ListAccessKeys = %+v", keys)
	}
	if _, err := iam.AccessKeyLastUsed(ctx, old, old.AccessKeyID); err != nil {
		t.Fatal(err)
	}

	fresh, meta, err := iam.CreateAccessKey(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessKeyID == "" || fresh.SecretAccessKey == "" || meta.Status != "Active" || time.Since(meta.CreateDate) > time.Hour {
		t.Fatalf("CreateAccessKey gave %v %+v", fresh, meta)
	}
	id, err := sts.CallerIdentity(ctx, fresh)
	if err != nil || id.ARN != "arn:aws:iam::123456789012:user/rotator" {
		t.Fatalf("new key: %+v %v", id, err)
	}
	if err := iam.SetAccessKeyStatus(ctx, fresh, old.AccessKeyID, "Inactive"); err != nil {
		t.Fatal(err)
	}
	// moto keeps accepting an inactive key (AWS refuses it with
	// InvalidClientTokenId), so check the status IAM reports.
	keys, err = iam.ListAccessKeys(ctx, fresh, "")
	if err != nil || len(keys) != 2 {
		t.Fatalf("ListAccessKeys after create: %+v %v", keys, err)
	}
	for _, k := range keys {
		if want := map[bool]string{true: "Inactive", false: "Active"}[k.AccessKeyID == old.AccessKeyID]; k.Status != want {
			t.Errorf("key %s is %s, want %s", k.AccessKeyID, k.Status, want)
		}
	}
	if err := iam.DeleteAccessKey(ctx, fresh, old.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	keys, err = iam.ListAccessKeys(ctx, fresh, "rotator")
	if err != nil || len(keys) != 1 || keys[0].AccessKeyID != fresh.AccessKeyID {
		t.Errorf("after delete: %+v %v", keys, err)
	}
}
