package tools

// Unlocking roles that require MFA. A grant whose role requires an MFA code
// is locked until a person gives one (vault.ErrLocked). When a call finds
// its grant locked and the MCP client can ask its user, the handler asks
// the user, never the model, for the device's current code with a form
// elicitation (in the same multi round-trip request as confirmWrite), then
// unlocks the grant with it (the unlock is audited, as this caller's) and
// makes the call. A client that cannot ask gets a tool error that says a
// person must run `alter-mcp grant unlock`.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/alter-mcp/alter-mcp/vault"
)

// unlockInputID names the MFA code's elicitation in the input requests.
const unlockInputID = "mfa_code"

// unlockState is the request state of the question about c: the call's
// digest, so that an answer unlocks only for the call it was asked for.
func unlockState(c vault.Call) string {
	return "mfa-unlock.v1." + strings.TrimPrefix(confirmState(c), "confirm-write.v1.")
}

// unlockSchema asks for one code.
var unlockSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"code": map[string]any{
			"type":        "string",
			"title":       "MFA code",
			"description": "The current 6-digit code of the MFA device. It unlocks the grant for every caller until the role's session expires.",
			"pattern":     `^[0-9]{6}$`,
		},
	},
	"required": []string{"code"},
}

// unlockAnswer handles req when it answers the MFA question about c: it
// unlocks g with the code and returns nil, true; or a tool error when the
// user gave none or the unlock failed. It returns nil, false when req is no
// such answer.
func (tb *toolbox) unlockAnswer(ctx context.Context, req mcp.CallToolRequest, c vault.Call, g vault.Grant) (*mcp.CallToolResult, bool) {
	if g.MFASerial == "" || req.Params.RequestState != unlockState(c) {
		return nil, false
	}
	ans := server.ElicitationResponse(req.Params.InputResponses, unlockInputID)
	if ans == nil {
		return nil, false
	}
	code := ""
	if m, ok := ans.Content.(map[string]any); ok && ans.Action == mcp.ElicitationResponseActionAccept {
		code, _ = m["code"].(string)
	}
	if code == "" {
		return errorResult(errorBody{Error: "locked", Grant: g.Name,
			Message: fmt.Sprintf("The user gave no MFA code for grant %s, so it stays locked. Nothing was sent to AWS. Do not ask again unless the user asks you to.", g.Name)}), true
	}
	s := session(ctx)
	if _, err := tb.vault.Unlock(ctx, g.ID, strings.TrimSpace(code), firstNonEmpty(s.Name, s.Caller)); err != nil {
		b := vaultErrorBody(err)
		b.Message = "The MFA code did not unlock grant " + g.Name + ": " + b.Message
		return errorResult(b), true
	}
	tb.log.Info("grant unlocked with an MFA code the user gave", "grant", g.ID, "caller", s.Caller)
	return nil, true
}

// askUnlock answers a call that found g locked (err): with the question to
// the user when the client can ask, else with the tool error.
func (tb *toolbox) askUnlock(ctx context.Context, c vault.Call, g vault.Grant, err error) *mcp.CallToolResult {
	if !errors.Is(err, vault.ErrLocked) || g.MFASerial == "" || !canElicit(ctx, mcp.ElicitationModeForm) {
		return nil
	}
	return server.NewInputRequestBuilder(unlockState(c)).Elicit(unlockInputID, mcp.ElicitationParams{
		Message: fmt.Sprintf("Grant %s assumes a role that requires MFA. Enter the current code of MFA device %s to unlock it; "+
			"the code goes to alter-mcp, not to the model, and the grant stays unlocked for every caller until the role's session expires.",
			g.Name, g.MFASerial),
		RequestedSchema: unlockSchema,
	}).ToolResult()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
