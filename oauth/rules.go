package oauth

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ClaimRule maps tokens to a caller by a claim, for tokens whose subject no
// caller is mapped to: a token whose Claim holds Value (equal to a string,
// or one of an array's strings) is made as Caller. Claim may be a path of
// object keys, as Keycloak's realm_access.roles.
type ClaimRule struct {
	Claim  string
	Value  string
	Caller string
}

// ParseClaimRule reads a rule written CLAIM=VALUE:CALLER, as
// groups=aws-readers:reports-agent or realm_access.roles=aws:ci. The caller
// is after the last colon (caller names have none).
func ParseClaimRule(s string) (ClaimRule, error) {
	claim, rest, ok1 := strings.Cut(s, "=")
	i := strings.LastIndexByte(rest, ':')
	if !ok1 || i < 0 || claim == "" || rest[:i] == "" || rest[i+1:] == "" {
		return ClaimRule{}, fmt.Errorf("oauth: claim rule %q: write CLAIM=VALUE:CALLER, as groups=aws-readers:reports-agent", s)
	}
	return ClaimRule{Claim: claim, Value: rest[:i], Caller: rest[i+1:]}, nil
}

func (r ClaimRule) String() string { return r.Claim + "=" + r.Value + ":" + r.Caller }

// ruleCaller is the caller of the first rule the token's claims match.
func (v *Verifier) ruleCaller(payload []byte) string {
	if len(v.c.ClaimRules) == 0 {
		return ""
	}
	var all map[string]any
	if json.Unmarshal(payload, &all) != nil {
		return ""
	}
	for _, r := range v.c.ClaimRules {
		if holds(lookup(all, r.Claim), r.Value) {
			return r.Caller
		}
	}
	return ""
}

// lookup follows a dotted path of object keys; a key with a dot of its own
// (a URI-named claim) is found whole first.
func lookup(m map[string]any, path string) any {
	if v, ok := m[path]; ok {
		return v
	}
	head, rest, ok := strings.Cut(path, ".")
	if !ok {
		return nil
	}
	sub, _ := m[head].(map[string]any)
	if sub == nil {
		return nil
	}
	return lookup(sub, rest)
}

func holds(v any, want string) bool {
	switch v := v.(type) {
	case string:
		return v == want
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s == want {
				return true
			}
		}
	}
	return false
}
