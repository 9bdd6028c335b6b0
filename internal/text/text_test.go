package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 0, ""},
		{"abc", 3, "abc"},
		{"abc", 5, "abc"},
		{"abcd", 3, "abc…"},
		{"abc", 0, "…"},
		{"abc", -1, "…"},
		{"", -1, ""},
		{"héllo", 2, "h…"},  // é is two bytes: it is not split
		{"héllo", 3, "hé…"}, // it fits
		{"a€b", 2, "a…"},    // € is three bytes
		{"a€b", 3, "a…"},    //
		{"a€b", 4, "a€…"},   //
		{"a😀b", 4, "a…"},    // four bytes
		{"😀😀", 4, "😀…"},     //
		{"ab\x80\x80\x80\x80cd", 5, "ab\x80\x80\x80…"}, // invalid: cut as bytes
	} {
		if got := Clip(tc.s, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func FuzzClip(f *testing.F) {
	for _, s := range []string{"", "abc", "héllo", "a€b", "😀😀😀", "ab\x80\x80\x80\x80cd"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 64
		got := Clip(s, n)
		if len(s) <= max(n, 0) {
			if got != s {
				t.Fatalf("Clip(%q, %d) = %q, want it unchanged", s, n, got)
			}
			return
		}
		cut, ok := strings.CutSuffix(got, Ellipsis)
		if !ok || !strings.HasPrefix(s, cut) || len(cut) > max(n, 0) {
			t.Fatalf("Clip(%q, %d) = %q: not a start of at most %d bytes and %q", s, n, got, n, Ellipsis)
		}
		if utf8.ValidString(s) && (!utf8.ValidString(got) || len(cut) < max(n, 0)-(utf8.UTFMax-1)) {
			t.Fatalf("Clip(%q, %d) = %q: split a character or cut too much", s, n, got)
		}
	})
}

func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"PUT s3://b/k\n\treason: été ☃", "PUT s3://b/k\n\treason: été ☃"},
		{"\x1b[2J\x1b[Happroved", `\u001b[2J\u001b[Happroved`},
		{"a\x00b\rc\x7f", `a\u0000b\u000dc\u007f`},
		{"safe \u202Egnp.exe", `safe \u202egnp.exe`},
		{"\u2066x\u2069 \u200f", `\u2066x\u2069 \u200f`},
		{"bad \xff utf8, real \uFFFD", `bad \ufffd utf8, real ` + "\uFFFD"},
		{"\u0085next line", `\u0085next line`},
	} {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
