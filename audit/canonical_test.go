package audit_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
)

func TestCanonicalize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"whitespace", " { \"b\" : [ 1 , 2 ] ,\n\t\"a\" : { } } ", `{"a":{},"b":[1,2]}`},
		{"nested keys sorted", `{"z":{"y":1,"x":2},"a":[{"d":1,"c":2}]}`, `{"a":[{"c":2,"d":1}],"z":{"x":2,"y":1}}`},
		{"prefix sorts first", `{"ab":1,"a":2,"":3}`, `{"":3,"a":2,"ab":1}`},
		// UTF-16 order: U+1F600 (surrogates D83D DE00) sorts before U+FB01,
		// though its code point (and UTF-8) is greater.
		{"utf-16 order", `{"\ufb01":1,"😀":2,"é":3,"a":4}`, `{"a":4,"é":3,"😀":2,"ﬁ":1}`},
		{"literals", `[true,false,null]`, `[true,false,null]`},
		{"escapes", `"\"\\\/\b\f\n\r\t\u0001\u001f\u007f"`, `"\"\\/\b\f\n\r\t\u0001\u001f` + "\x7f" + `"`},
		{"html and separators as is", `"<a&b> \u2028 \u2029 é"`, "\"<a&b> \u2028 \u2029 é\""},
		{"unicode escapes decoded", `"\u00e9\ud83d\ude00"`, `"é😀"`},
		{"lone surrogate", `"\ud800"`, "\"\ufffd\""},
		// Numbers, as RFC 8785's examples and ECMAScript write them.
		{"integers", `[0,-0,1,-1,1.0,1e0,100,1E2,9007199254740992]`, `[0,0,1,-1,1,1,100,100,9007199254740992]`},
		{"beyond 2^53", `9007199254740993`, `9007199254740992`},
		{"fractions", `[0.5,-0.000001,123.456,333333333.33333329,1.5e-3]`, `[0.5,-0.000001,123.456,333333333.3333333,0.0015]`},
		{"exponents", `[1e21,1e-7,1e20,4.50,2e-3,0.000001,1e-6,1.7976931348623157e308,5e-324,-1e+30]`,
			`[1e+21,1e-7,100000000000000000000,4.5,0.002,0.000001,0.000001,1.7976931348623157e+308,5e-324,-1e+30]`},
		{"rfc 8785 example", `{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}`,
			`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`},
	} {
		got, err := audit.Canonicalize([]byte(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		again, err := audit.Canonicalize(got)
		if err != nil || string(again) != string(got) {
			t.Errorf("%s: canonical form is not a fixed point: %s, %v", tc.name, again, err)
		}
	}
	// Invalid UTF-8 becomes U+FFFD.
	if got, err := audit.Canonicalize([]byte("\"a\xffb\"")); err != nil || string(got) != "\"a\ufffdb\"" {
		t.Errorf("invalid UTF-8: %q, %v", got, err)
	}
	for _, bad := range []string{``, `{`, `{"a":1,"a":2}`, `[1,]`, `1 2`, `{"a":1}x`, `1e400`, `{1:2}`, `nul`} {
		if got, err := audit.Canonicalize([]byte(bad)); err == nil {
			t.Errorf("Canonicalize(%q) = %s, want an error", bad, got)
		}
	}
}

// TestCanonicalEntry checks the form of a record's JSON on an entry that
// uses every kind of field.
func TestCanonicalEntry(t *testing.T) {
	t.Parallel()
	e := audit.Entry{
		ID: "aud_x", Time: time.Date(2025, 6, 1, 12, 0, 0, 500, time.UTC), Caller: "bot <ci>", Decision: "allow",
		Context: json.RawMessage(`{"z": 1, "a": [true, null, 2.50]}`), ReadOnly: true, Status: 200, Seq: 7, Kind: "end",
	}
	got, err := audit.CanonicalJSON(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"caller":"bot <ci>","context":{"a":[true,null,2.5],"z":1},"decision":"allow","duration_ms":0,"id":"aud_x",` +
		`"kind":"end","read_only":true,"request_bytes":0,"response_bytes":0,"seq":7,"status":200,"time":"2025-06-01T12:00:00.0000005Z"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1.5,"x\n",null]}`, `"\u00e9"`, `1e21`, `-0`, `{"😀":1,"ﬁ":2}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := audit.Canonicalize(data)
		if err != nil {
			return
		}
		if !json.Valid(got) {
			t.Fatalf("Canonicalize(%q) = %q: not JSON", data, got)
		}
		again, err := audit.Canonicalize(got)
		if err != nil || string(again) != string(got) {
			t.Fatalf("not a fixed point: %q → %q → %q, %v", data, got, again, err)
		}
		// The same value as encoding/json reads it.
		var a, b any
		if json.Unmarshal(data, &a) != nil || json.Unmarshal(got, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("Canonicalize(%q) = %q: another value", data, got)
		}
		if strings.ContainsAny(string(got), "\n\t") {
			t.Fatalf("Canonicalize(%q) = %q holds whitespace", data, got)
		}
	})
}
