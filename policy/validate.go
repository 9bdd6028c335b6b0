package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldError is a problem with one field of a policy. Validate and Parse
// return them, joined (errors.Join) when there are several; errors.As finds
// the first.
type FieldError struct {
	// Field is the JSON name of the field, with the index of a list entry
	// or the name of a nested field: "allow_actions[2]", "rate.burst".
	Field string
	// Msg says what is wrong and how to write it instead.
	Msg string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return "policy: " + e.Msg
	}
	return "policy: " + e.Field + ": " + e.Msg
}

// methods are the HTTP methods a policy may name; AWS APIs use no others.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// Validate reports what is wrong with the policy, naming each field: globs
// that are empty, too long (over 1000 bytes) or hold characters that cannot
// occur where they match; unknown HTTP methods; actions not of the form
// "prefix:Name" (wildcards allowed in Name only) or "*"; service names with
// wildcards; a negative max_body_bytes; rates whose per_second is not above
// 0 or whose burst is below 1; not_before at or after expires;
// issue_credentials on a read_only grant; allow_customer_hosts entries that
// are not host globs or that name no host at all ("**"). It returns nil for
// a valid policy, and every problem at once otherwise.
func (p *Policy) Validate() error {
	var v validator
	v.list("allow_services", p.AllowServices, checkService)
	v.list("deny_services", p.DenyServices, checkService)
	v.list("allow_regions", p.AllowRegions, checkRegion)
	v.list("deny_regions", p.DenyRegions, checkRegion)
	v.list("allow_methods", p.AllowMethods, checkMethod)
	v.list("deny_methods", p.DenyMethods, checkMethod)
	v.list("allow_actions", p.AllowActions, checkAction)
	v.list("deny_actions", p.DenyActions, checkAction)
	v.list("allow_hosts", p.AllowHosts, checkHost)
	v.list("deny_hosts", p.DenyHosts, checkHost)
	v.list("allow_paths", p.AllowPaths, checkPath)
	v.list("deny_paths", p.DenyPaths, checkPath)
	v.list("allow_customer_hosts", p.AllowCustomerHosts, checkCustomerHost)
	if p.IssueCredentials && p.ReadOnly {
		v.add("issue_credentials", "a read-only grant never issues credentials (read_only is set): an operation that hands out credentials lets their reader write without the vault; remove issue_credentials, or read_only")
	}
	if p.MaxBodyBytes < 0 {
		v.add("max_body_bytes", fmt.Sprintf("%d is negative; write a number of bytes, or 0 for no cap", p.MaxBodyBytes))
	}
	v.rate("rate", p.Rate)
	v.rate("caller_rate", p.CallerRate)
	if p.NotBefore != nil && p.Expires != nil && !p.NotBefore.Before(*p.Expires) {
		v.add("not_before", fmt.Sprintf("%s is not before expires (%s): the grant could never be used",
			p.NotBefore.Format(time.RFC3339), p.Expires.Format(time.RFC3339)))
	}
	return v.err()
}

type validator struct{ errs []error }

func (v *validator) add(field, msg string) {
	v.errs = append(v.errs, &FieldError{Field: field, Msg: msg})
}

func (v *validator) list(field string, entries []string, check func(string) string) {
	for i, e := range entries {
		if msg := check(e); msg != "" {
			v.add(fmt.Sprintf("%s[%d]", field, i), msg)
		}
	}
}

func (v *validator) rate(field string, r *Rate) {
	if r == nil {
		return
	}
	if !(r.PerSecond > 0) || math.IsInf(r.PerSecond, 0) {
		v.add(field+".per_second", fmt.Sprintf("%v: write a number of calls per second above 0 (0.5 is one call every two seconds)", r.PerSecond))
	}
	if r.Burst < 1 {
		v.add(field+".burst", fmt.Sprintf("%d: write the number of calls allowed at once, at least 1", r.Burst))
	}
}

func (v *validator) err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return v.errs[0]
	}
	return errors.Join(v.errs...)
}

// The check functions return what is wrong with one entry, or "".

func checkService(s string) string {
	if s == "" {
		return "empty service name"
	}
	if strings.ContainsAny(s, "*?") {
		return fmt.Sprintf("%q: services are matched by exact name (s3, bedrock-runtime), without wildcards; list each service, or use actions (\"s3:*\")", s)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return !nameChar(r) && r != '.' && r != '_' }); i >= 0 {
		return fmt.Sprintf("%q is not a service name: use letters, digits, '-', '.' and '_' (s3, bedrock-runtime, runtime.sagemaker)", s)
	}
	return ""
}

func checkRegion(s string) string {
	if msg := checkGlob(s); msg != "" {
		return msg
	}
	if strings.IndexFunc(s, func(r rune) bool { return !nameChar(r) && r != '*' && r != '?' }) >= 0 {
		return fmt.Sprintf("%q is not a region or region glob: use letters, digits, '-' and the wildcards * and ? (us-east-1, eu-*)", s)
	}
	return ""
}

func checkMethod(s string) string {
	for _, m := range methods {
		if equal(s, m, true) {
			return ""
		}
	}
	return fmt.Sprintf("%q is not an HTTP method AWS uses; write one of %s", s, strings.Join(methods, ", "))
}

func checkAction(s string) string {
	if msg := checkGlob(s); msg != "" {
		return msg
	}
	if allStars(s) {
		return ""
	}
	const form = `write "prefix:Name" with the wildcards * and ? in Name (s3:GetObject, s3:Get*, dynamodb:*), or "*" for every action`
	prefix, name, ok := strings.Cut(s, ":")
	switch {
	case !ok:
		return fmt.Sprintf("%q is not an IAM action: %s", s, form)
	case strings.ContainsAny(prefix, "*?"):
		return fmt.Sprintf("%q: the service prefix cannot have wildcards; list each service's actions (s3:*, s3-object-lambda:*)", s)
	case prefix == "" || strings.IndexFunc(prefix, func(r rune) bool { return !nameChar(r) }) >= 0:
		return fmt.Sprintf("%q: the service prefix %q is not an IAM service prefix (letters, digits and '-': s3, execute-api); %s", s, prefix, form)
	case name == "" || strings.IndexFunc(name, func(r rune) bool { return !nameChar(r) && r != '_' && r != '*' && r != '?' }) >= 0:
		return fmt.Sprintf("%q: the action name %q is not an IAM action name (letters and digits, with * and ?); %s", s, name, form)
	}
	return ""
}

func checkHost(s string) string {
	if msg := checkGlob(s); msg != "" {
		return msg
	}
	if strings.Contains(s, "/") {
		return fmt.Sprintf("%q is not a host glob: write the host name alone, without scheme or path (*.s3.us-east-1.amazonaws.com, **.amazonaws.com)", s)
	}
	if strings.IndexFunc(s, func(r rune) bool { return !nameChar(r) && !strings.ContainsRune(".:_*?", r) }) >= 0 {
		return fmt.Sprintf("%q is not a host glob: use letters, digits, '-', '.', ':' (before a port) and the wildcards *, ** and ?", s)
	}
	return ""
}

// checkCustomerHost checks an allow_customer_hosts entry: a host glob that
// names something. "**" or "*.*" would let the grant send its signed
// requests to every Lambda function URL and API Gateway of every account.
func checkCustomerHost(s string) string {
	if msg := checkHost(s); msg != "" {
		return msg
	}
	if strings.Trim(s, "*?.") == "" {
		return fmt.Sprintf("%q names every host anyone can own, in every account: name the hosts (abc123.execute-api.us-east-1.amazonaws.com), or at least their service and region (**.execute-api.us-east-1.amazonaws.com)", s)
	}
	return ""
}

func checkPath(s string) string {
	if msg := checkGlob(s); msg != "" {
		return msg
	}
	if s[0] != '/' && s[0] != '*' {
		return fmt.Sprintf("%q is not a path glob: a path begins with / (/my-bucket/reports/**, /*/logs/*.gz)", s)
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return fmt.Sprintf("%q is not a path glob: it holds a control character (match one with ?)", s)
	}
	return ""
}

// checkGlob checks what every glob needs: not empty, valid UTF-8, not so
// long that matching it would cost much.
func checkGlob(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "empty entry"
	case strings.TrimSpace(s) != s:
		return fmt.Sprintf("%q has spaces around it", s)
	case !utf8.ValidString(s):
		return fmt.Sprintf("%q is not valid UTF-8", s)
	case len(s) > maxGlobLen:
		return fmt.Sprintf("%.40q... is %d bytes long; a glob may have at most %d", s, len(s), maxGlobLen)
	}
	return ""
}

func nameChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-'
}

// Parse reads a policy from JSON, such as a --policy-file, and validates it.
// Unknown fields are errors (a misspelt deny_actions must not silently
// allow), as are fields given twice (encoding/json would keep the last one
// silently) and anything after the policy object. Errors are *FieldError
// where a field is to blame.
func Parse(data []byte) (Policy, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Policy{}, &FieldError{Msg: `a policy is a JSON object: {"allow_actions": ["s3:Get*"], "read_only": true}`}
	}
	if err := duplicateKey(trimmed); err != nil {
		return Policy{}, err
	}
	var p Policy
	// Times are decoded here rather than by encoding/json, which does not
	// say which field a bad time is in. The outer fields win over the
	// embedded Policy's fields of the same JSON name.
	doc := struct {
		*Policy
		NotBefore json.RawMessage `json:"not_before"`
		Expires   json.RawMessage `json:"expires"`
	}{Policy: &p}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Policy{}, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Policy{}, &FieldError{Msg: fmt.Sprintf("unexpected data after the policy object at byte %d; a policy file holds one JSON object", dec.InputOffset())}
	}
	var errs []error
	for _, t := range []struct {
		field string
		raw   json.RawMessage
		dst   **time.Time
	}{{"not_before", doc.NotBefore, &p.NotBefore}, {"expires", doc.Expires, &p.Expires}} {
		if len(t.raw) == 0 || string(t.raw) == "null" {
			continue
		}
		var tm time.Time
		if err := tm.UnmarshalJSON(t.raw); err != nil {
			errs = append(errs, &FieldError{Field: t.field, Msg: fmt.Sprintf("%s is not a time in RFC 3339 form, such as \"2030-01-31T18:00:00Z\"", t.raw)})
			continue
		}
		*t.dst = &tm
	}
	if err := errors.Join(errs...); err != nil {
		return Policy{}, err
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// duplicateKey reports the first key that appears twice in one object of
// a JSON document; it leaves syntax errors to the decoder.
func duplicateKey(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type object struct {
		keys   map[string]bool // nil for a list
		expect bool            // the next string token is a key
	}
	var stack []*object
	var path []string // the field path, for the message
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.expect {
			if key, ok := tok.(string); ok {
				k := strings.ToLower(key) // encoding/json matches field names without case
				if top.keys[k] {
					return &FieldError{Field: strings.Join(append(path, key), "."), Msg: "given twice; write each field once"}
				}
				top.keys[k] = true
				top.expect = false
				path = append(path, key)
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{keys: map[string]bool{}, expect: true})
			continue
		case json.Delim('}'):
			stack = stack[:len(stack)-1]
		case json.Delim('['):
			stack = append(stack, &object{}) // a list has no keys
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: the enclosing object expects a key next.
		if len(stack) > 0 && stack[len(stack)-1].keys != nil {
			stack[len(stack)-1].expect = true
			path = path[:max(len(path)-1, 0)]
		}
	}
}

// decodeError turns encoding/json's errors into ones that name the field in
// policy terms.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &FieldError{Msg: fmt.Sprintf("invalid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))}
	case errors.As(err, &typ):
		field := strings.TrimPrefix(typ.Field, "Policy.")
		return &FieldError{Field: field, Msg: fmt.Sprintf("expected %s, got a JSON %s", describe(typ.Type), typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &FieldError{Msg: "the JSON ends too early (an unclosed { or [)"}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		msg := "unknown field"
		if s := suggest(name); s != "" {
			msg += "; did you mean " + s + "?"
		} else {
			msg += "; the fields are " + strings.Join(fieldNames(reflect.TypeFor[Policy]()), ", ")
		}
		return &FieldError{Field: name, Msg: msg}
	}
	return &FieldError{Msg: err.Error()}
}

func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of strings"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Pointer:
		if t == reflect.TypeFor[Rate]() || t == reflect.TypeFor[*Rate]() {
			return `an object {"per_second": N, "burst": N}`
		}
		return "an object"
	}
	return t.String()
}

// suggest returns the field name closest to name, when one is close.
func suggest(name string) string {
	best, bestDist := "", 4 // at most 3 edits
	for _, t := range []reflect.Type{reflect.TypeFor[Policy](), reflect.TypeFor[Rate]()} {
		for _, f := range fieldNames(t) {
			if d := distance(strings.ToLower(name), f); d < bestDist {
				best, bestDist = f, d
			}
		}
	}
	return best
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// distance is the Levenshtein distance between a and b (bytes).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
