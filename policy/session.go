package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/alter-mcp/alter-mcp/catalog"
)

// MaxSessionPolicy is the longest session policy STS takes, in characters
// of its plain text (AssumeRole, Policy).
const MaxSessionPolicy = 2048

// SessionPolicy derives from p an IAM session policy for a role's session,
// so that IAM enforces what the vault enforces, where IAM can express it:
//
//   - allow_actions become the allowed actions; without them,
//     allow_services become "PREFIX:*" for the IAM prefix of every service
//     one of whose names (as Evaluate matches them) is listed; without
//     either, "*" is allowed;
//   - allow_regions become a condition on aws:RequestedRegion (StringLike);
//   - deny_actions are denied, and deny_regions denied by aws:RequestedRegion.
//
// The rest (methods, hosts, paths, read-only, reasons, rates, and
// deny_services, whose names may stand for more of IAM than the vault
// denies) stays the vault's to enforce: the session policy allows at least
// everything the vault allows. It fails when the policy would be longer
// than STS takes (MaxSessionPolicy).
func SessionPolicy(p Policy) (string, error) {
	type statement struct {
		Effect    string                         `json:"Effect"`
		Action    []string                       `json:"Action"`
		Resource  string                         `json:"Resource"`
		Condition map[string]map[string][]string `json:"Condition,omitempty"`
	}
	regions := func(globs []string) map[string]map[string][]string {
		if len(globs) == 0 {
			return nil
		}
		return map[string]map[string][]string{"StringLike": {"aws:RequestedRegion": globs}}
	}
	allow := statement{Effect: "Allow", Action: slices.Clone(p.AllowActions), Resource: "*", Condition: regions(p.AllowRegions)}
	if len(allow.Action) == 0 && len(p.AllowServices) > 0 {
		allow.Action = servicePrefixes(p.AllowServices)
		if len(allow.Action) == 0 {
			return "", fmt.Errorf("policy: no service of allow_services %q is known to the catalog, so no IAM action can be allowed", p.AllowServices)
		}
	}
	if len(allow.Action) == 0 {
		allow.Action = []string{"*"}
	}
	sts := []statement{allow}
	if len(p.DenyActions) > 0 {
		sts = append(sts, statement{Effect: "Deny", Action: slices.Clone(p.DenyActions), Resource: "*"})
	}
	if len(p.DenyRegions) > 0 {
		sts = append(sts, statement{Effect: "Deny", Action: []string{"*"}, Resource: "*", Condition: regions(p.DenyRegions)})
	}
	b, err := json.Marshal(struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", sts})
	if err != nil {
		return "", err
	}
	if len(b) > MaxSessionPolicy {
		return "", fmt.Errorf("policy: the session policy it makes is %d characters; STS takes at most %d (name fewer actions or services)", len(b), MaxSessionPolicy)
	}
	return string(b), nil
}

// servicePrefixes are "PREFIX:*" for the IAM prefix of every service one
// of whose names is among names, sorted.
func servicePrefixes(names []string) []string {
	var out []string
	for _, s := range catalog.Services() {
		for _, n := range [...]string{s.Name, s.EndpointPrefix, s.SigningName, s.IAMPrefix} {
			if _, ok := foldEntry(names, n); ok && n != "" && s.IAMPrefix != "" {
				a := strings.ToLower(s.IAMPrefix) + ":*"
				if !slices.Contains(out, a) {
					out = append(out, a)
				}
				break
			}
		}
	}
	slices.Sort(out)
	return out
}
