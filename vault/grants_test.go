package vault_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

func TestGrantLifecycle(t *testing.T) {
	h := newHarness(t, nil, nil)
	ctx := t.Context()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	g, err := h.v.AddGrant(ctx, vault.GrantSpec{
		Name: "s3-reader", Description: "reads reports", Expires: exp,
		Static: &vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		Policy: policy.Policy{ReadOnly: true, AllowServices: []string{"s3"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^grt_[a-z2-7]{20}$`).MatchString(g.ID) {
		t.Errorf("grant id %q", g.ID)
	}
	if g.Name != "s3-reader" || g.Source != "static" || g.AccessKeyID != testKeyID || g.HasSessionToken ||
		!g.Expires.Equal(exp) || !g.Policy.ReadOnly || g.Revoked || g.CreatedAt.IsZero() {
		t.Errorf("AddGrant returned %+v", g)
	}

	byID, err := h.v.Grant(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	byName, err := h.v.Grant(ctx, "s3-reader")
	if err != nil {
		t.Fatal(err)
	}
	if byID.ID != g.ID || byName.ID != g.ID || byName.Description != "reads reports" {
		t.Errorf("Grant: %+v / %+v", byID, byName)
	}
	if _, err := h.v.Grant(ctx, "grt_aaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, vault.ErrGrantNotFound) {
		t.Errorf("unknown id: %v", err)
	}

	// Names are unique.
	_, err = h.v.AddGrant(ctx, vault.GrantSpec{Name: "s3-reader", Static: &vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}})
	if !errors.Is(err, vault.ErrInvalid) || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate name: %v", err)
	}

	temp := vault.StaticCredentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret, SessionToken: "FwoGZXIvYXdzEXAMPLETOKEN", Expires: exp}
	if err := h.v.UpdateCredential(ctx, "s3-reader", temp); err != nil {
		t.Fatal(err)
	}
	if err := h.v.SetPolicy(ctx, g.ID, policy.Policy{AllowRegions: []string{"eu-*"}}); err != nil {
		t.Fatal(err)
	}
	err = h.v.SetPolicy(ctx, g.ID, policy.Policy{AllowActions: []string{"not an action"}})
	if !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("invalid policy: %v", err)
	}
	got, _ := h.v.Grant(ctx, g.ID)
	if got.AccessKeyID != temp.AccessKeyID || !got.HasSessionToken || !got.CredentialsExpire.Equal(exp) ||
		got.Policy.ReadOnly || len(got.Policy.AllowRegions) != 1 || !got.UpdatedAt.After(g.UpdatedAt) && !got.UpdatedAt.Equal(g.UpdatedAt) {
		t.Errorf("after updates: %+v", got)
	}

	// Emulators (moto's STS) hand out AKIA keys with session tokens.
	second := h.addGrant(t, "second", policy.Policy{}, vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "tok"})
	if !second.HasSessionToken {
		t.Error("HasSessionToken is false for a key with a token")
	}
	list, err := h.v.Grants(ctx)
	if err != nil || len(list) != 2 || list[0].ID != g.ID || list[1].ID != second.ID {
		t.Fatalf("Grants: %v %+v", err, list)
	}

	if err := h.v.RevokeGrant(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if err := h.v.RevokeGrant(ctx, "second"); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if got, _ := h.v.Grant(ctx, second.ID); !got.Revoked {
		t.Error("not revoked")
	}
	err = h.v.UpdateCredential(ctx, second.ID, vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret})
	if !errors.Is(err, vault.ErrGrantRevoked) {
		t.Errorf("UpdateCredential of a revoked grant: %v", err)
	}
	raw, err := h.v.Store().GetGrant(ctx, second.ID)
	if err != nil || len(raw.Sealed) != 0 {
		t.Errorf("the revoked grant still holds %d sealed bytes (%v)", len(raw.Sealed), err)
	}

	// A grant tells everything but its secret.
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), testSecret) || strings.Contains(string(b), temp.SessionToken) {
		t.Errorf("grant JSON holds a secret: %s", b)
	}
}

func TestGrantValidation(t *testing.T) {
	h := newHarness(t, nil, nil)
	ok := &vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	tests := []struct {
		name string
		spec vault.GrantSpec
		want error
		msg  string
	}{
		{"no name", vault.GrantSpec{Static: ok}, vault.ErrInvalid, "needs a name"},
		{"bad char", vault.GrantSpec{Name: "a b", Static: ok}, vault.ErrInvalid, "use letters"},
		{"leading dash", vault.GrantSpec{Name: "-a", Static: ok}, vault.ErrInvalid, "use letters"},
		{"id prefix", vault.GrantSpec{Name: "grt_x", Static: ok}, vault.ErrInvalid, "grant ids"},
		{"too long", vault.GrantSpec{Name: strings.Repeat("a", 65), Static: ok}, vault.ErrInvalid, "64"},
		{"no credentials", vault.GrantSpec{Name: "a"}, vault.ErrInvalid, "no credentials"},
		{"bad key id", vault.GrantSpec{Name: "a", Static: &vault.StaticCredentials{AccessKeyID: "AKIA123", SecretAccessKey: testSecret}}, vault.ErrCredentials, "not an AWS access key id"},
		{"lower-case key id", vault.GrantSpec{Name: "a", Static: &vault.StaticCredentials{AccessKeyID: "AKIAiosfodnn7example", SecretAccessKey: testSecret}}, vault.ErrCredentials, "not an AWS access key id"},
		{"other prefix", vault.GrantSpec{Name: "a", Static: &vault.StaticCredentials{AccessKeyID: "AROAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret}}, vault.ErrCredentials, "not an AWS access key id"},
		{"empty secret", vault.GrantSpec{Name: "a", Static: &vault.StaticCredentials{AccessKeyID: testKeyID}}, vault.ErrCredentials, "empty"},
		{"secret with newline", vault.GrantSpec{Name: "a", Static: &vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret + "\n"}}, vault.ErrCredentials, "line break"},
		{"ASIA without token", vault.GrantSpec{Name: "a", Static: &vault.StaticCredentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret}}, vault.ErrCredentials, "session token"},
		{"token with a space", vault.GrantSpec{Name: "a", Static: &vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "t t"}}, vault.ErrCredentials, "session token"},
		{"bad policy", vault.GrantSpec{Name: "a", Static: ok, Policy: policy.Policy{Rate: &policy.Rate{PerSecond: -1}}}, vault.ErrInvalid, "policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.v.AddGrant(t.Context(), tt.spec)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want %v saying %q", err, tt.want, tt.msg)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
	if list, _ := h.v.Grants(t.Context()); len(list) != 0 {
		t.Errorf("%d grants stored by failed calls", len(list))
	}
}

func TestStaticCredentialsFormatting(t *testing.T) {
	c := vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "the-token"}
	spec := vault.GrantSpec{Name: "x", Static: &c}
	var sb syncBuffer
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("creds", "c", c, "spec", spec)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%+v %v", spec, &spec), sb.String()} {
		if strings.Contains(s, testSecret) || strings.Contains(s, "the-token") {
			t.Errorf("formatted credentials show a secret: %s", s)
		}
		if !strings.Contains(s, testKeyID) {
			t.Errorf("formatted credentials lost the key id: %s", s)
		}
	}
}
