package policy_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alter-mcp/alter-mcp/policy"
)

type globCase struct {
	pat, s string
	want   bool
}

func TestMatchHosts(t *testing.T) {
	testMatch(t, '.', true, []globCase{
		{"s3.amazonaws.com", "s3.amazonaws.com", true},
		{"S3.AmazonAWS.com", "s3.amazonaws.com", true},
		{"s3.amazonaws.com", "s3.amazonaws.com.evil.example", false},
		{"*.s3.amazonaws.com", "bucket.s3.amazonaws.com", true},
		{"*.s3.amazonaws.com", "a.b.s3.amazonaws.com", false},
		{"*.s3.amazonaws.com", "s3.amazonaws.com", false},
		{"*.s3.amazonaws.com", ".s3.amazonaws.com", true}, // * may match an empty label
		{"**.s3.amazonaws.com", "a.b.s3.amazonaws.com", true},
		{"**.s3.amazonaws.com", "s3.amazonaws.com", true}, // ** fills a whole label: no label at all
		{"**.s3.amazonaws.com", "xs3.amazonaws.com", false},
		{"**s3.amazonaws.com", "xs3.amazonaws.com", true}, // not a whole label: any run
		{"bucket.**", "bucket.s3.us-east-1.amazonaws.com", true},
		{"bucket.**", "bucket", true},
		{"bucket.**", "bucket2.s3.amazonaws.com", false},
		{"s3.*.amazonaws.com", "s3.eu-west-1.amazonaws.com", true},
		{"s3.*.amazonaws.com", "s3.dualstack.eu-west-1.amazonaws.com", false},
		{"s3.**.amazonaws.com", "s3.dualstack.eu-west-1.amazonaws.com", true},
		{"s3.**.amazonaws.com", "s3.amazonaws.com", true},
		{"my-*-bucket.**", "my-logs-bucket.s3.amazonaws.com", true},
		{"my-*-bucket.**", "my-logs.x-bucket.s3.amazonaws.com", false},
		{"s3.us-east-?.amazonaws.com", "s3.us-east-2.amazonaws.com", true},
		{"s3.us-east-?.amazonaws.com", "s3.us-east-12.amazonaws.com", false},
		{"a?b", "a.b", false}, // ? is not a separator
		{"localhost:*", "localhost:4566", true},
		{"**", "anything.at.all", true},
		{"**", "", true},
		{"*", "", true},
		{"*", "a.b", false},
	})
}

func TestMatchPaths(t *testing.T) {
	testMatch(t, '/', false, []globCase{
		{"/reports/*", "/reports/2024.csv", true},
		{"/reports/*", "/reports/2024/jan.csv", false},
		{"/reports/*", "/reports/", true},
		{"/reports/*", "/reports", false},
		{"/Reports/*", "/reports/x", false}, // paths are case-sensitive
		{"/reports/**", "/reports/2024/jan.csv", true},
		{"/reports/**", "/reports", true},
		{"/reports/**", "/reportsX", false},
		{"/reports/**/*.csv", "/reports/jan.csv", true},
		{"/reports/**/*.csv", "/reports/2024/01/jan.csv", true},
		{"/reports/**/*.csv", "/reports/2024/01/jan.json", false},
		{"/a/**/b", "/a/b", true},
		{"/a/**/b", "/a/x/y/b", true},
		{"/a/**/b", "/a/xb", false},
		{"**/secret", "secret", true},
		{"**/secret", "/x/secret", true},
		{"**/secret", "/x/not-secret", false},
		{"**/secret", "xsecret", false},
		{"/**", "/", true},
		{"/**", "", true},
		{"/*.csv", "/a.csv", true},
		{"/*.csv", "/.csv", true},
		{"/data/20??/*", "/data/2024/x", true},
		{"/data/20??/*", "/data/202/x", false},
		{"/café/*", "/café/menu", true},
		{"/caf?/*", "/café/menu", true}, // ? is one character, not one byte
		{"/caf??/*", "/café/menu", false},
		{"/a***b", "/a/x/b", true}, // three stars cross separators like two
		{"/x/***", "/x", false},    // only exactly ** fills a segment
		{"/x/***", "/x/", true},
	})
}

func TestMatchActions(t *testing.T) {
	testMatch(t, 0, true, []globCase{
		{"s3:Get*", "s3:GetObject", true},
		{"s3:Get*", "s3:PutObject", false},
		{"s3:Get*", "s3:Get", true},
		{"s3:get*", "S3:GETOBJECT", true},
		{"s3:*Object", "s3:PutObject", true},
		{"s3:*Object", "s3:PutObjectAcl", false},
		{"s3:*Object*", "s3:PutObjectAcl", true},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:GetObjject", false},
		{"*", "dynamodb:PutItem", true},
		{"*:GetObject", "s3:GetObject", true},
		{"s3:GetObject", "s3:GetObjectAcl", false},
		{"s3:GetObject", "s3-outposts:GetObject", false},
		{"s3*", "s3-outposts:GetObject", true},
		{"ec2:Describe*", "ec2:DescribeInstances", true},
		{"ec2:Describe*", "ec2:describeinstances", true},
		{"eu-*", "eu-west-1", true},
		{"eu-*", "us-east-1", false},
		{"*-west-*", "eu-west-1", true},
		{"K", "\u212a", false}, // folding is ASCII only: not the Kelvin sign
	})
}

func testMatch(t *testing.T, sep byte, fold bool, cases []globCase) {
	t.Helper()
	for _, c := range cases {
		if got := policy.Match(c.pat, c.s, sep, fold); got != c.want {
			t.Errorf("Match(%q, %q, sep %q) = %v, want %v", c.pat, c.s, sep, got, c.want)
		}
		if got := oracle(c.pat, sep, fold).MatchString(foldASCII(c.s, fold)); got != c.want {
			t.Errorf("oracle(%q, %q, sep %q) = %v, want %v (the test's oracle disagrees)", c.pat, c.s, sep, got, c.want)
		}
	}
}

// TestMatchRandom compares Match with the regexp oracle on random patterns
// and strings over a small alphabet, where corner cases are dense.
func TestMatchRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab./*?Aé"
	gen := func(n int) string {
		var b strings.Builder
		for range r.IntN(n + 1) {
			c := []rune(alphabet)[r.IntN(utf8.RuneCountInString(alphabet))]
			b.WriteRune(c)
		}
		return b.String()
	}
	for i := range 200000 {
		pat, s := gen(8), strings.ReplaceAll(strings.ReplaceAll(gen(10), "*", "b"), "?", "a")
		sep := [...]byte{0, '.', '/'}[i%3]
		fold := i%2 == 0
		got := policy.Match(pat, s, sep, fold)
		if want := oracle(pat, sep, fold).MatchString(foldASCII(s, fold)); got != want {
			t.Fatalf("Match(%q, %q, sep %q, fold %v) = %v, oracle says %v", pat, s, sep, fold, got, want)
		}
	}
}

// TestMatchLong covers patterns longer than the stack bit set and inputs
// that would make a backtracking matcher take exponential time.
func TestMatchLong(t *testing.T) {
	long := strings.Repeat("a*", 600) + "b" // 1201 bytes: past maxGlobLen, on the heap
	if len(long) <= policy.MaxGlobLen {
		t.Fatalf("pattern of %d bytes does not exceed MaxGlobLen %d", len(long), policy.MaxGlobLen)
	}
	s := strings.Repeat("a", 5000)
	if policy.Match(long, s, '/', false) {
		t.Errorf("Match(a*a*...b, aaa...) = true, want false")
	}
	if !policy.Match(long, s+"b", '/', false) {
		t.Errorf("Match(a*a*...b, aaa...b) = false, want true")
	}
	evil := strings.Repeat("**/a", 200) + "/b"
	if policy.Match(evil, strings.Repeat("/a", 3000), '/', false) {
		t.Errorf("Match(**/a**/a.../b, /a/a...) = true, want false")
	}
}

// oracle builds a regular expression with the documented glob semantics,
// written independently of the matcher.
func oracle(pat string, sep byte, fold bool) *regexp.Regexp {
	pat = foldASCII(pat, fold)
	star, one := ".*", "."
	if sep != 0 {
		star, one = "[^"+regexp.QuoteMeta(string(sep))+"]*", "[^"+regexp.QuoteMeta(string(sep))+"]"
	}
	qs := regexp.QuoteMeta(string(sep))
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for i := 0; i < len(pat); {
		n := 0
		for i+n < len(pat) && pat[i+n] == '*' {
			n++
		}
		switch {
		case sep != 0 && i == 0 && strings.HasPrefix(pat, "**"+string(sep)):
			b.WriteString("(?:.*" + qs + ")?")
			i += 3
		case sep != 0 && pat[i] == sep && strings.HasPrefix(pat[i+1:], "**") && (i+3 == len(pat) || pat[i+3] == sep):
			b.WriteString("(?:" + qs + ".*)?")
			i += 3
		case n >= 2 && sep != 0:
			b.WriteString(".*")
			i += n
		case n >= 1:
			b.WriteString(star)
			i += n
		case pat[i] == '?':
			b.WriteString(one)
			i++
		default:
			_, size := utf8.DecodeRuneInString(pat[i:])
			b.WriteString(regexp.QuoteMeta(pat[i : i+size]))
			i += size
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func foldASCII(s string, fold bool) string {
	if !fold {
		return s
	}
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
