package policy_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// FuzzMatchGlob checks that the host and path matcher never panics, gives
// the same answer every time, and agrees with the regular expression the
// documented semantics translate to.
func FuzzMatchGlob(f *testing.F) {
	for _, c := range [][2]string{
		{"*.s3.amazonaws.com", "bucket.s3.amazonaws.com"},
		{"**.amazonaws.com", "amazonaws.com"},
		{"/reports/**/*.csv", "/reports/2024/01/jan.csv"},
		{"/a/**/b", "/a/b"},
		{"**/x", "x"},
		{"/caf?/*", "/café/menu"},
		{"/x/***", "/x/"},
		{"a*b*c*d*e*f", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaf"},
	} {
		f.Add(c[0], c[1], uint8(1), false)
		f.Add(c[0], c[1], uint8(2), true)
	}
	f.Fuzz(func(t *testing.T, pat, s string, sepIdx uint8, fold bool) {
		sep := [...]byte{0, '.', '/'}[sepIdx%3]
		got := policy.Match(pat, s, sep, fold)
		if again := policy.Match(pat, s, sep, fold); again != got {
			t.Fatalf("Match(%q, %q, %q, %v) gave %v, then %v", pat, s, sep, fold, got, again)
		}
		if !utf8.ValidString(pat) || !utf8.ValidString(s) || len(pat) > 200 {
			return // the oracle works on runes; and keep it fast
		}
		if want := oracle(pat, sep, fold).MatchString(foldASCII(s, fold)); got != want {
			t.Fatalf("Match(%q, %q, sep %q, fold %v) = %v, oracle says %v", pat, s, sep, fold, got, want)
		}
	})
}

// FuzzMatchAction checks IAM action matching through Evaluate: an entry
// that Validate accepts denies exactly the actions it allows, and matching
// ignores ASCII case.
func FuzzMatchAction(f *testing.F) {
	for _, c := range [][2]string{
		{"s3:Get*", "s3:GetObject"},
		{"s3:Get*", "s3:PutObject"},
		{"S3:get?bject", "s3:GetObject"},
		{"*", "dynamodb:PutItem"},
		{"s3:*", ""},
		{"execute-api:Invoke", "execute-api:Invoke"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, entry, action string) {
		deny := policy.Policy{DenyActions: []string{entry}}
		allow := policy.Policy{AllowActions: []string{entry}}
		if deny.Validate() != nil {
			return
		}
		in := policy.Input{Services: []string{"s3"}, Action: action}
		denied := !deny.Evaluate(in).Allow
		allowed := allow.Evaluate(in).Allow
		if action != "" && denied != allowed {
			t.Fatalf("entry %q, action %q: deny list denies %v, allow list allows %v", entry, action, denied, allowed)
		}
		if action != "" && denied != policy.Match(entry, action, 0, true) {
			t.Fatalf("entry %q, action %q: Evaluate disagrees with the matcher", entry, action)
		}
		swapped := in
		swapped.Action = swapCase(action)
		if d := !deny.Evaluate(swapped).Allow; d != denied {
			t.Fatalf("entry %q: action %q denied %v, %q denied %v", entry, action, denied, swapped.Action, d)
		}
	})
}

// FuzzParse checks that Parse never panics, and that whatever it accepts is
// valid and survives a JSON round trip.
func FuzzParse(f *testing.F) {
	data, _ := json.Marshal(full())
	f.Add(string(data))
	f.Add(`{}`)
	f.Add(`{"allow_actions":["s3:Get*"],"read_only":true,"rate":{"per_second":1,"burst":1}}`)
	f.Add(`{"expires":"2030-01-31T18:00:00Z","not_before":"2030-01-01T00:00:00+02:00"}`)
	f.Add(`{"deny_action":["s3:*"]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := policy.Parse([]byte(doc))
		if err != nil {
			if !reflect.DeepEqual(p, policy.Policy{}) {
				t.Fatalf("Parse(%q) returned %+v with error %v", doc, p, err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse(%q) accepted a policy Validate rejects: %v", doc, err)
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		again, err := policy.Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but not its own JSON %s: %v", doc, out, err)
		}
		if !reflect.DeepEqual(normalize(again), normalize(p)) {
			t.Fatalf("round trip of %q:\n got %+v\nwant %+v", doc, again, p)
		}
		p.Evaluate(getObject()) // must not panic
	})
}

// FuzzInputForLambda checks how InputFor reads a Lambda function name: a
// path it maps names a function without a colon in its place, and a path
// it does not map begins with its Via, so that only a rule naming that Via
// can allow it.
func FuzzInputForLambda(f *testing.F) {
	for _, fn := range []string{"my-fn", "my-fn:PROD", "123456789012:function:my-fn:1",
		"arn:aws:lambda:us-east-1:123456789012:function:my-fn", "arn:aws:lambda:eu-west-1:1:function:f", "a:b:c", "x/../a:function:b", ":", "/"} {
		f.Add("/2015-03-31/functions/" + fn + "/invocations")
	}
	ep := urlparse.Endpoint{Host: "lambda.us-east-1.amazonaws.com", Service: "lambda", SigningName: "lambda", SigningRegion: "us-east-1"}
	f.Fuzz(func(t *testing.T, path string) {
		in := policy.InputFor(ep, catalog.Operation{}, "POST", path)
		if in.Via != "" {
			if !strings.HasPrefix(in.Path, "/"+in.Via+"/") || !strings.HasPrefix(in.Via, "lambda:") {
				t.Fatalf("InputFor(%q): Via %q, Path %q", path, in.Via, in.Path)
			}
			return
		}
		segs := strings.Split(in.Path, "/")
		if strings.HasPrefix(in.Path, "/") && len(segs) > 3 && segs[2] == "functions" && strings.Contains(segs[3], ":") {
			t.Fatalf("InputFor(%q) = Path %q: the function is not mapped, and no Via names it", path, in.Path)
		}
	})
}

// normalize drops what JSON does not keep: empty lists marshal as absent,
// and times keep their instant but not their monotonic reading.
func normalize(p policy.Policy) policy.Policy {
	for _, l := range []*[]string{&p.AllowServices, &p.DenyServices, &p.AllowRegions, &p.DenyRegions,
		&p.AllowMethods, &p.DenyMethods, &p.AllowActions, &p.DenyActions,
		&p.AllowHosts, &p.DenyHosts, &p.AllowPaths, &p.DenyPaths, &p.AllowCustomerHosts} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	for _, tp := range []**time.Time{&p.NotBefore, &p.Expires} {
		if *tp != nil {
			u := (*tp).UTC()
			*tp = &u
		}
	}
	return p
}

func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}
