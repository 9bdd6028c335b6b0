package policy

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/catalog"
)

// Rules, as reported in Decision.Rule. Each is the JSON name of the policy
// field that decided, except RuleRate and RuleCallerRate, which name the
// bucket of a Limiter that ran out.
const (
	RuleNotBefore     = "not_before"
	RuleExpires       = "expires"
	RuleDenyServices  = "deny_services"
	RuleDenyRegions   = "deny_regions"
	RuleDenyMethods   = "deny_methods"
	RuleDenyActions   = "deny_actions"
	RuleDenyHosts     = "deny_hosts"
	RuleDenyPaths     = "deny_paths"
	RuleDenyPresign   = "deny_presign"
	RuleAllowServices = "allow_services"
	RuleAllowRegions  = "allow_regions"
	RuleAllowMethods  = "allow_methods"
	RuleAllowActions  = "allow_actions"
	RuleAllowHosts    = "allow_hosts"
	RuleAllowPaths    = "allow_paths"
	RuleReadOnly      = "read_only"
	RuleRequireReason = "require_reason"
	RuleMaxBodyBytes  = "max_body_bytes"
	RuleRate          = "rate"
	RuleCallerRate    = "caller_rate"
)

// Rules of the opt-ins, which deny what a grant allows only when it says so.
const (
	RuleIssueCredentials   = "issue_credentials"
	RuleAllowCustomerHosts = "allow_customer_hosts"
)

// Separators of the host and path globs.
const (
	hostSep = '.'
	pathSep = '/'
)

// unidentified explains an empty Input.Action to an agent.
const unidentified = "this request was not identified as a known AWS operation"

// Evaluate decides whether the policy allows the call in, checking the
// rules in the order the package documentation gives and reporting the
// first that denies. It reads no clock and applies no rate limit (see
// Limiter). A nil *Policy allows every call, as the zero Policy does.
//
// Evaluate does not allocate when it allows (for globs of up to 1000 bytes,
// which Validate enforces).
func (p *Policy) Evaluate(in Input) Decision {
	if p == nil {
		return Decision{Allow: true}
	}
	if d, ok := p.checkWindow(in.Time); !ok {
		return d
	}
	if d, ok := p.checkDeny(&in); !ok {
		return d
	}
	if d, ok := p.checkOptIn(&in); !ok {
		return d
	}
	if d, ok := p.checkAllow(&in); !ok {
		return d
	}
	if p.ReadOnly && (in.Action == "" || !in.ReadOnly) {
		if in.Action == "" {
			return deny(RuleReadOnly, "grant is read-only and "+unidentified+
				", so it cannot be shown to be a read. Check the URL, method and headers against the API reference, use a grant that allows writes, or ask the operator.")
		}
		return deny(RuleReadOnly, "grant is read-only; "+in.Action+
			" is a write (not a read-only operation). Use a grant that allows writes or ask the operator.")
	}
	if p.RequireReason && strings.TrimSpace(in.Reason) == "" {
		return deny(RuleRequireReason, "grant requires a reason: say in reason why you make this call (the task it serves), then retry.")
	}
	if p.MaxBodyBytes > 0 && in.BodyBytes > p.MaxBodyBytes {
		return deny(RuleMaxBodyBytes, fmt.Sprintf(
			"request body is %d bytes; grant allows at most %d (max_body_bytes). Send a smaller body or ask the operator.",
			in.BodyBytes, p.MaxBodyBytes))
	}
	return Decision{Allow: true}
}

// EvaluateImplied decides the actions a request's headers make AWS run
// beyond its operation (catalog.HeaderActions): each is evaluated as a call
// of its own (InputForImplied with base, the call's Input) and the first
// denial is returned, its Message saying which header implied what. It
// allows when every one is allowed, and when imps is empty. Call it after
// Evaluate(base) allowed.
//
// An implied action is judged by every rule, so an implied write (an ACL
// header) is denied on a read-only grant, a copy source by the path rules
// of its own bucket, and a KMS key by the services and actions lists as a
// kms call: a grant with allow_services ["s3"] refuses an upload with an
// x-amz-server-side-encryption-aws-kms-key-id header, as it should, since
// the upload makes AWS use the key with the grant's identity.
func (p *Policy) EvaluateImplied(base Input, imps []catalog.Implied) Decision {
	if p == nil {
		return Decision{Allow: true}
	}
	for _, imp := range imps {
		in := InputForImplied(base, imp)
		d := p.Evaluate(in)
		if d.Allow {
			continue
		}
		action := imp.Action
		if action == "" {
			action = "an action the catalog does not name"
		}
		on := fmt.Sprintf(" on %q", in.Path)
		if imp.KMSKeyID != "" {
			on = fmt.Sprintf(" with the KMS key %q", imp.KMSKeyID)
		}
		d.Message = fmt.Sprintf("the header %s makes AWS also run %s%s: %s", strings.ToLower(imp.Header), action, on, d.Message)
		return d
	}
	return Decision{Allow: true}
}

func deny(rule, msg string) Decision { return Decision{Rule: rule, Message: msg} }

func (p *Policy) checkWindow(t time.Time) (Decision, bool) {
	if p.NotBefore == nil && p.Expires == nil {
		return Decision{}, true
	}
	if t.IsZero() {
		rule := RuleExpires
		if p.NotBefore != nil {
			rule = RuleNotBefore
		}
		return deny(rule, "the call has no time, so the grant's validity window cannot be checked; this is a bug in the program that calls policy.Evaluate (it must set Input.Time): report it to the operator."), false
	}
	if nb := p.NotBefore; nb != nil && t.Before(*nb) {
		return deny(RuleNotBefore, fmt.Sprintf("grant is not valid until %s (in %s). Retry then, or ask the operator.",
			stamp(*nb), nb.Sub(t).Round(time.Second))), false
	}
	if exp := p.Expires; exp != nil && !t.Before(*exp) {
		return deny(RuleExpires, fmt.Sprintf("grant expired at %s (%s ago). Ask the operator to renew it, or use another grant.",
			stamp(*exp), t.Sub(*exp).Round(time.Second))), false
	}
	return Decision{}, true
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (p *Policy) checkDeny(in *Input) (Decision, bool) {
	if e, name, ok := serviceEntry(p.DenyServices, in.Services); ok {
		return deny(RuleDenyServices, fmt.Sprintf("grant denies the %s service (deny_services has %q). Use a grant for that service or ask the operator.",
			name, e)), false
	}
	if len(p.DenyRegions) > 0 {
		if in.Region == "" {
			return deny(RuleDenyRegions, "this call names no single region (it is signed with SigV4a for a region set, or its region is unknown), so it cannot be shown to be outside the denied regions ("+
				list(p.DenyRegions)+"). Use a regional endpoint, or ask the operator."), false
		}
		if e, ok := firstMatch(p.DenyRegions, in.Region, 0, true); ok {
			return deny(RuleDenyRegions, fmt.Sprintf("grant denies region %s (deny_regions has %q). Use an endpoint in another region, or ask the operator.",
				in.Region, e)), false
		}
	}
	if e, ok := foldEntry(p.DenyMethods, in.Method); ok {
		return deny(RuleDenyMethods, fmt.Sprintf("grant denies the method %q (deny_methods has %q). Use a grant that allows it, or ask the operator.",
			strings.ToUpper(in.Method), e)), false
	}
	if len(p.DenyActions) > 0 {
		if in.Action == "" {
			if e, ok := coversUnknown(p.DenyActions, in.Services, true); ok {
				return deny(RuleDenyActions, fmt.Sprintf("%s, so it cannot be shown not to be an operation deny_actions denies (it has %q, of this service). Check the URL, method and headers against the API reference, or ask the operator.",
					capitalize(unidentified), e)), false
			}
		} else if e, ok := firstMatch(p.DenyActions, in.Action, 0, true); ok {
			return deny(RuleDenyActions, fmt.Sprintf("grant denies %s (deny_actions has %q). Use a grant that allows it, or ask the operator.",
				in.Action, e)), false
		}
	}
	if e, ok := firstMatch(p.DenyHosts, in.Host, hostSep, true); ok {
		return deny(RuleDenyHosts, fmt.Sprintf("grant denies the host %q (deny_hosts has %q). Use a grant for that host, or ask the operator.",
			in.Host, e)), false
	}
	if len(p.DenyPaths) > 0 {
		e, ok := firstMatch(p.DenyPaths, in.Path, pathSep, false)
		if !ok {
			if c := cleanPath(in.Path); c != in.Path {
				e, ok = firstMatch(p.DenyPaths, c, pathSep, false)
			}
		}
		if ok {
			return deny(RuleDenyPaths, fmt.Sprintf("grant denies the path %q (deny_paths has %q). Use a grant for that path, or ask the operator.",
				in.Path, e)), false
		}
	}
	if p.DenyPresign && in.Presign {
		return deny(RuleDenyPresign, "grant does not issue presigned URLs or bearer tokens (deny_presign). Make the call itself through the vault instead, or ask the operator."), false
	}
	return Decision{}, true
}

func (p *Policy) checkAllow(in *Input) (Decision, bool) {
	if len(p.AllowServices) > 0 {
		if _, _, ok := serviceEntry(p.AllowServices, in.Services); !ok {
			return deny(RuleAllowServices, fmt.Sprintf("grant allows only the services %s; this call is to %s. Use a grant for that service, or ask the operator.",
				list(p.AllowServices), serviceNames(in.Services))), false
		}
	}
	if len(p.AllowRegions) > 0 {
		if _, ok := firstMatch(p.AllowRegions, in.Region, 0, true); !ok {
			if in.Region == "" {
				return deny(RuleAllowRegions, "this call names no single region (it is signed with SigV4a for a region set, or its region is unknown), so it cannot be shown to be in the allowed regions ("+
					list(p.AllowRegions)+"). Use a regional endpoint, or ask the operator."), false
			}
			return deny(RuleAllowRegions, fmt.Sprintf("grant allows only the regions %s; this call is signed for %s. Use an endpoint in an allowed region, or ask the operator.",
				list(p.AllowRegions), in.Region)), false
		}
	}
	if len(p.AllowMethods) > 0 {
		if _, ok := foldEntry(p.AllowMethods, in.Method); !ok {
			return deny(RuleAllowMethods, fmt.Sprintf("grant allows only the methods %s; this call uses %q. Use a grant that allows it, or ask the operator.",
				list(p.AllowMethods), strings.ToUpper(in.Method))), false
		}
	}
	if len(p.AllowActions) > 0 {
		if in.Action == "" {
			if _, ok := coversUnknown(p.AllowActions, in.Services, false); !ok {
				return deny(RuleAllowActions, capitalize(unidentified)+", so it cannot be shown to match the allowed actions ("+
					list(p.AllowActions)+"). Check the URL, method and headers (X-Amz-Target, Action=) against the API reference, or ask the operator."), false
			}
		} else if _, ok := firstMatch(p.AllowActions, in.Action, 0, true); !ok {
			return deny(RuleAllowActions, fmt.Sprintf("grant allows only the actions %s; %s is not among them. Use a grant that allows it, or ask the operator.",
				list(p.AllowActions), in.Action)), false
		}
	}
	if len(p.AllowHosts) > 0 {
		if _, ok := firstMatch(p.AllowHosts, in.Host, hostSep, true); !ok {
			return deny(RuleAllowHosts, fmt.Sprintf("grant allows only the hosts %s; this call goes to %q. Use a grant for that host, or ask the operator.",
				list(p.AllowHosts), in.Host)), false
		}
	}
	if len(p.AllowPaths) > 0 || (in.Via != "" && len(p.DenyPaths) > 0) {
		_, ok := firstPathMatch(p.AllowPaths, in.Path, in.Via)
		if ok {
			if c := cleanPath(in.Path); c != in.Path {
				_, ok = firstPathMatch(p.AllowPaths, c, in.Via)
			}
		}
		if !ok {
			if in.Via != "" && !namedVia(p.AllowPaths, in.Via) {
				return deny(RuleAllowPaths, viaMessage(p, in)), false
			}
			return deny(RuleAllowPaths, fmt.Sprintf("grant allows only the paths %s; this call is to %q. Use a grant for that path, or ask the operator.",
				list(p.AllowPaths), in.Path)), false
		}
	}
	return Decision{}, true
}

// checkOptIn denies what a grant allows only when it says so: operations
// that issue credentials, and hosts anyone can own.
func (p *Policy) checkOptIn(in *Input) (Decision, bool) {
	if in.IssuesCredentials && (!p.IssueCredentials || p.ReadOnly) {
		what := "this operation"
		if in.Action != "" {
			what = in.Action
		}
		hands := what + " hands out credentials, a token or a signed URL, which whoever reads the answer can use without the vault and outside this grant's policy"
		if p.ReadOnly {
			return deny(RuleIssueCredentials, "grant is read-only, and a read-only grant never issues credentials: "+hands+
				". Do the work through the vault with calls that need no credentials of their own, or ask the operator for a grant with issue_credentials."), false
		}
		return deny(RuleIssueCredentials, "grant does not issue credentials (issue_credentials is off): "+hands+
			". Do the work through the vault with calls that need no credentials of their own, or ask the operator for a grant with issue_credentials."), false
	}
	if in.CustomerHost {
		if _, ok := firstMatch(p.AllowCustomerHosts, in.Host, hostSep, true); !ok {
			const why = "is a host anyone can own (a Lambda function URL, an API Gateway or AppSync API, an OpenSearch or CloudSearch domain, an IoT or Neptune endpoint): whoever made it runs the code behind it and sees this signed request"
			if len(p.AllowCustomerHosts) == 0 {
				return deny(RuleAllowCustomerHosts, fmt.Sprintf("%q %s, and the grant names no such host (allow_customer_hosts is empty). If the host is your organization's, ask the operator to add it to allow_customer_hosts.",
					in.Host, why)), false
			}
			return deny(RuleAllowCustomerHosts, fmt.Sprintf("%q %s, and the grant allows only the customer hosts %s (allow_customer_hosts). If the host is your organization's, ask the operator to add it.",
				in.Host, why, list(p.AllowCustomerHosts))), false
		}
	}
	return Decision{}, true
}

// firstPathMatch is firstMatch for allow_paths: for a call with a Via, only
// entries that name it literally count.
func firstPathMatch(entries []string, s, via string) (string, bool) {
	for _, e := range entries {
		if via != "" && !namesVia(e, via) {
			continue
		}
		if match(e, s, pathSep, false) {
			return e, true
		}
	}
	return "", false
}

// namesVia reports whether the path glob e begins with the segments of via,
// written out: "/accesspoint:reports-123456789012/**" names
// "accesspoint:reports-123456789012"; "/**" and "/accesspoint:*/**" do not.
func namesVia(e, via string) bool {
	if strings.ContainsAny(via, "*?") || len(e) <= len(via) || e[0] != pathSep || e[1:1+len(via)] != via {
		return false
	}
	return len(e) == 1+len(via) || e[1+len(via)] == pathSep
}

// namedVia reports whether an entry names via (namesVia).
func namedVia(entries []string, via string) bool {
	for _, e := range entries {
		if namesVia(e, via) {
			return true
		}
	}
	return false
}

// viaMessage explains the refusal of a call with a Via under path rules.
func viaMessage(p *Policy, in *Input) string {
	kind, name, _ := strings.Cut(in.Via, ":")
	var what, instead string
	switch kind + ":" {
	case viaAccessPoint:
		what = fmt.Sprintf("reaches its bucket through the access point %q", name)
	case viaAlias:
		what = fmt.Sprintf("reaches its bucket through the access point alias %q", name)
	case viaMRAP:
		what = fmt.Sprintf("reaches its bucket through the Multi-Region Access Point %q", name)
	case viaObjectLambda:
		what = fmt.Sprintf("goes through the Object Lambda access point %q", name)
	case viaOutposts:
		what = fmt.Sprintf("reaches its bucket through the S3 on Outposts access point %q", name)
	case viaS3Control:
		what = "goes to S3 Control, whose paths name buckets and access points,"
		instead = " Use a grant for S3 Control,"
	case viaLambda:
		what = fmt.Sprintf("names the Lambda function %q in a form that is not a function of this region (%s)", name, in.Region)
		instead = " Name the function by its name or an ARN of the endpoint's region,"
	default:
		what = fmt.Sprintf("goes through %q", in.Via)
	}
	if instead == "" {
		instead = " Name the bucket itself (https://BUCKET.s3.REGION.amazonaws.com/KEY),"
	}
	rules := "deny_paths"
	if len(p.AllowPaths) > 0 {
		rules = "allow_paths"
	}
	return fmt.Sprintf("this call %s, so the vault cannot tell which resource it reaches, and the grant has path rules (%s): such a call is allowed only when an allow_paths entry names it literally, as %q does.%s or ask the operator.",
		what, rules, "/"+in.Via+"/**", instead)
}

// firstMatch returns the first glob of entries that s matches.
func firstMatch(entries []string, s string, sep byte, fold bool) (string, bool) {
	for _, e := range entries {
		if match(e, s, sep, fold) {
			return e, true
		}
	}
	return "", false
}

// serviceEntry returns the first entry equal to one of names, and that name.
func serviceEntry(entries, names []string) (entry, name string, ok bool) {
	for _, e := range entries {
		for _, n := range names {
			if equal(e, n, true) {
				return e, n, true
			}
		}
	}
	return "", "", false
}

// foldEntry returns the first entry equal to s, ignoring ASCII case.
func foldEntry(entries []string, s string) (string, bool) {
	for _, e := range entries {
		if equal(e, s, true) {
			return e, true
		}
	}
	return "", false
}

// coversUnknown returns the first action entry that may match an operation
// the catalog did not identify, of a service named in services. For an
// allow list (anyAction false) that is only "*", the one entry that can be
// shown to match it. For a deny list (anyAction true) it is also every
// entry of the service ("s3:*", "s3:DeleteBucket"), since the operation
// cannot be shown not to be the one it names.
func coversUnknown(entries, services []string, anyAction bool) (string, bool) {
	for _, e := range entries {
		if allStars(e) {
			return e, true
		}
		if !anyAction {
			continue
		}
		prefix, _, ok := strings.Cut(e, ":")
		if !ok {
			continue
		}
		for _, s := range services {
			if equal(prefix, s, true) {
				return e, true
			}
		}
	}
	return "", false
}

func allStars(s string) bool {
	return s != "" && strings.Trim(s, "*") == ""
}

// cleanPath returns p with "." and ".." segments and repeated slashes
// removed, keeping a trailing slash; p itself (without allocating) when
// there is nothing to clean.
func cleanPath(p string) string {
	if !unclean(p) {
		return p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func unclean(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") ||
		strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || p == "." || p == ".."
}

// list shows a policy list in a message, shortened when long.
func list(entries []string) string {
	const show = 10
	if len(entries) <= show {
		return strings.Join(entries, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(entries[:show], ", "), len(entries)-show)
}

// serviceNames shows the names of a call's service, first (the IAM prefix)
// first, without repeats.
func serviceNames(names []string) string {
	var seen []string
	for _, n := range names {
		if n == "" {
			continue
		}
		dup := false
		for _, s := range seen {
			dup = dup || equal(s, n, true)
		}
		if !dup {
			seen = append(seen, n)
		}
	}
	switch len(seen) {
	case 0:
		return "a service that is not known"
	case 1:
		return seen[0]
	}
	return seen[0] + " (also named " + strings.Join(seen[1:], ", ") + ")"
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
