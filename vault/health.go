package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// Info says where the vault keeps its state, for doctor and logs.
type Info struct {
	Home            string `json:"home"`
	Store           string `json:"store"` // the DSN, password redacted; "" for Options.Backend
	MasterKeySource string `json:"master_key_source"`
	MasterKeyID     string `json:"master_key_id"` // mk_…: names the key, reveals nothing
}

// Info says where the vault keeps its state.
func (v *Vault) Info() Info { return v.info }

// MaxKeyAge is the age past which an access key should be rotated (the
// CIS AWS Foundations benchmark's 90 days).
const MaxKeyAge = 90 * 24 * time.Hour

// KeyInfo is what IAM says about a grant's access key. Fields IAM did not
// answer (the grant's policy or IAM permissions forbid the call) are zero,
// with the reason in Notes.
type KeyInfo struct {
	AccessKeyID string    `json:"access_key_id"`
	UserName    string    `json:"user_name,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Status      string    `json:"status,omitempty"` // Active | Inactive
	LastUsed    time.Time `json:"last_used,omitzero"`
	LastService string    `json:"last_used_service,omitempty"`
	LastRegion  string    `json:"last_used_region,omitempty"`
	Notes       []string  `json:"notes,omitempty"`
}

// Age is how old the key is, or 0 when its creation date is unknown.
func (k KeyInfo) Age(now time.Time) time.Duration {
	if k.Created.IsZero() {
		return 0
	}
	return now.Sub(k.Created)
}

// KeyInfo asks IAM, with the grant's own credentials, for its access key's
// creation date, status and last use (ListAccessKeys and
// GetAccessKeyLastUsed). Each call is made only when the grant's policy
// allows it, and is audited. Temporary credentials have no IAM key to
// describe: ErrInvalid.
func (v *Vault) KeyInfo(ctx context.Context, idOrName string) (KeyInfo, error) {
	g, err := v.loadGrant(ctx, idOrName)
	if err != nil {
		return KeyInfo{}, err
	}
	if err := v.usable(g, v.now()); err != nil {
		return KeyInfo{}, err
	}
	creds, err := v.credentials(ctx, g)
	if err != nil {
		return KeyInfo{}, err
	}
	info := KeyInfo{AccessKeyID: creds.AccessKeyID}
	if creds.SessionToken != "" {
		return info, fmt.Errorf("%w: grant %s uses temporary credentials (%s…), which are not an IAM access key", ErrInvalid, g.Name, prefix(creds.AccessKeyID))
	}
	pol, err := decodePolicy(g)
	if err != nil {
		return info, err
	}
	iam, err := v.serviceEndpointFor(credsrc.IAM(""), serviceCall{tool: "vault.key_info", reason: "key age and last use for the operator", grant: g})
	if err != nil {
		return info, err
	}
	host, region, _ := urlparse.GlobalHost("iam", "") // where credsrc.IAM("") calls
	may := func(action string) bool {
		d := pol.Evaluate(policy.Input{
			Services: []string{"iam"}, Region: region, Method: "POST", Host: host, Path: "/",
			Action: action, ReadOnly: true, Reason: "key hygiene check by the operator", Time: v.now(),
		})
		if !d.Allow {
			info.Notes = append(info.Notes, fmt.Sprintf("not asked: the grant's policy does not allow %s (%s)", action, d.Rule))
		}
		return d.Allow
	}
	note := func(action string, err error) {
		var ae *credsrc.APIError
		if errors.As(err, &ae) {
			info.Notes = append(info.Notes, fmt.Sprintf("%s: IAM answered %s: %s", action, ae.Code, ae.Message))
			return
		}
		info.Notes = append(info.Notes, fmt.Sprintf("%s: %v", action, err))
	}
	if may("iam:ListAccessKeys") {
		keys, err := iam.ListAccessKeys(ctx, creds, "")
		if err != nil {
			note("iam:ListAccessKeys", err)
		}
		for _, k := range keys {
			if k.AccessKeyID == creds.AccessKeyID {
				info.Created, info.Status, info.UserName = k.CreateDate, k.Status, k.UserName
			}
		}
	}
	if may("iam:GetAccessKeyLastUsed") {
		lu, err := iam.AccessKeyLastUsed(ctx, creds, creds.AccessKeyID)
		if err != nil {
			note("iam:GetAccessKeyLastUsed", err)
		} else {
			info.LastUsed, info.LastService, info.LastRegion = lu.Date, lu.ServiceName, lu.Region
			if info.UserName == "" {
				info.UserName = lu.UserName
			}
		}
	}
	return info, nil
}

// GrantCheck is the outcome of checking one grant's credentials with AWS.
type GrantCheck struct {
	Grant    Grant
	Identity credsrc.Identity
	// Skew is the local clock minus AWS's, from the answer's Date header
	// (to the second); AWS refuses signatures more than 5 minutes off.
	Skew      time.Duration
	SkewKnown bool
	// Endpoint is where the check went (an emulator when AWS_ENDPOINT_URL
	// routes STS there).
	Endpoint string
	Err      error
}

// CheckGrant asks STS GetCallerIdentity who a grant's credentials are, as
// the operator (the grant's policy does not apply; the call is audited).
func (v *Vault) CheckGrant(ctx context.Context, idOrName string) GrantCheck {
	g, err := v.loadGrant(ctx, idOrName)
	if err != nil {
		return GrantCheck{Err: err}
	}
	c := GrantCheck{Grant: v.grantView(g)}
	if c.Err = v.usable(g, v.now()); c.Err != nil {
		return c
	}
	creds, err := v.credentials(ctx, g)
	if err != nil {
		c.Err = err
		return c
	}
	sts, err := v.serviceEndpointFor(credsrc.STS(""), serviceCall{tool: "vault.check_grant", reason: "doctor: do the grant's credentials work", grant: g})
	if err != nil {
		c.Err = err
		return c
	}
	c.Endpoint = sts.URL
	start := v.now()
	c.Identity, c.Err = sts.CallerIdentity(ctx, creds)
	if !c.Identity.ServerTime.IsZero() {
		// The Date header has whole seconds: compare with the middle of the call.
		local := start.Add(v.now().Sub(start) / 2)
		c.Skew, c.SkewKnown = local.Sub(c.Identity.ServerTime).Round(time.Second), true
	}
	return c
}

// Routes reports where calls for AWS hosts go when AWS_ENDPOINT_URL or
// AWS_ENDPOINT_URL_<SERVICE> reroutes them: service → endpoint, for the
// services given (a reroute of every service shows as "*").
func (v *Vault) Routes(services ...string) map[string]string {
	out := map[string]string{}
	if base := v.getenv(envEndpointURL); base != "" && !envTrue(v.getenv(envIgnoreEndpoint)) {
		out["*"] = base
	}
	for _, s := range services {
		if name := endpointEnv(s); name != "" {
			if u := v.getenv(name); u != "" && !envTrue(v.getenv(envIgnoreEndpoint)) {
				out[s] = u
			}
		}
	}
	return out
}

func prefix(s string) string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}
