package tools

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// codeGiver is a client's elicitation handler that answers with an MFA code.
type codeGiver struct {
	mu    sync.Mutex
	asked []string
	code  string
}

func (h *codeGiver) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked = append(h.asked, req.Params.Message)
	action := mcp.ElicitationResponseActionAccept
	if h.code == "" {
		action = mcp.ElicitationResponseActionDecline
	}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: action, Content: map[string]any{"code": h.code}}}, nil
}

// TestUnlockByElicitation: a call with a grant whose role requires MFA asks
// the user (not the model) for the code, unlocks the grant with it and is
// made; later calls need no code; a client that cannot ask is told who can
// unlock it, and a user who declines leaves it locked.
func TestUnlockByElicitation(t *testing.T) {
	endpoint, admin := motoserver.StartWithAdmin(t, "tools-mfa")
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": endpoint}, nil)
	base := e.grant(t, "base", policy.Policy{}, vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey})
	c := e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/tools-mfa"},"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]}]}`
	q := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"breakglass"}, "AssumeRolePolicyDocument": {trust}}
	resp, err := e.v.Request(t.Context(), vault.Call{Method: "POST", URL: "https://iam.amazonaws.com/", Grant: base.ID, Body: []byte(q.Encode()),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 {
		t.Fatalf("CreateRole: %d %s", resp.StatusCode, body)
	}
	resp.Body.Close()
	g, err := e.v.AddGrant(t.Context(), vault.GrantSpec{Name: "breakglass", AssumeRole: &vault.AssumeRoleSpec{
		RoleARN: "arn:aws:iam::123456789012:role/breakglass", SourceGrant: base.ID, MFASerial: "arn:aws:iam::123456789012:mfa/alice"}})
	if err != nil {
		t.Fatal(err)
	}
	whoami := map[string]any{"grant_id": g.ID, "method": "POST", "url": "https://sts.us-east-1.amazonaws.com/",
		"body": "Action=GetCallerIdentity&Version=2011-06-15", "headers": map[string]any{"Content-Type": "application/x-www-form-urlencoded"}}

	// A client without elicitation is told that a person must unlock it.
	m := c.fail(t, "aws_request", whoami, "locked")
	if msg, _ := m["message"].(string); !strings.Contains(msg, "alter-mcp grant unlock breakglass") {
		t.Errorf("locked: %v", m)
	}
	no := &codeGiver{}
	declined := e.connect(t, e.server(t, Deps{}, Options{}, Session{Name: "alice"}), "", client.WithElicitationHandler(no))
	declined.fail(t, "aws_request", whoami, "locked")
	if len(no.asked) != 1 || !strings.Contains(no.asked[0], "arn:aws:iam::123456789012:mfa/alice") {
		t.Errorf("asked %q", no.asked)
	}

	yes := &codeGiver{code: "123456"}
	user := e.connect(t, e.server(t, Deps{}, Options{}, Session{Name: "alice"}), "", client.WithElicitationHandler(yes))
	m = user.ok(t, "aws_request", whoami)
	if !strings.Contains(fmt.Sprint(m["body"]), "assumed-role/breakglass/") {
		t.Errorf("after the unlock: %v", m)
	}
	// Unlocked for every caller, until the session expires.
	c.ok(t, "aws_request", whoami)
	if len(yes.asked) != 1 {
		t.Errorf("asked %d times", len(yes.asked))
	}
}
