package audit

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// viaMarshal is the general path: json.Marshal, then canonicalizeValid.
func viaMarshal(e *Entry) ([]byte, int, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, 0, err
	}
	return canonicalizeValid(raw, seqName)
}

// sameAsMarshal fails t unless appendEntry writes e as the general path
// does, or declines it: an entry the general path refuses, or writes with
// U+FFFD for bad bytes, or (if mayDecline) any other.
func sameAsMarshal(t *testing.T, e *Entry, mayDecline bool) {
	t.Helper()
	got, at, ok := appendEntry([]byte("prefix"), e)
	want, wantAt, err := viaMarshal(e)
	if !ok {
		if !mayDecline && err == nil && isUTF8(e) && zonesInMinutes(e) {
			t.Fatalf("appendEntry declined %+v, which json.Marshal writes as %s", e, want)
		}
		return
	}
	if err != nil {
		t.Fatalf("appendEntry wrote %s for %+v, which json.Marshal refuses: %v", got, e, err)
	}
	if string(got[:6]) != "prefix" || !bytes.Equal(got[6:], want) || at != wantAt {
		t.Fatalf("appendEntry(%+v) =\n%s (seq at %d), json.Marshal and canonicalizeValid give\n%s (seq at %d)", e, got[6:], at, want, wantAt)
	}
}

// TestCanonicalEntryIsMarshalCanonicalized compares appendEntry with the
// general path on entries with every field filled at random (so that a
// field added to Entry and not to appendEntry fails here), and on empty
// and awkward ones.
func TestCanonicalEntryIsMarshalCanonicalized(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 2))
	sameAsMarshal(t, &Entry{}, false)
	for range 3000 {
		var e Entry
		fill(rng, reflect.ValueOf(&e).Elem())
		sameAsMarshal(t, &e, false)
	}
	for _, e := range []Entry{
		{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("odd", 5*3600+30*60+7))},
		{Context: json.RawMessage(`{"b":1,"a":[true,null,"<\u2028>"]}`)},
		{Context: json.RawMessage(`{"a":1,"a":2}`)},
		{Context: json.RawMessage(`not json`)},
		{Reason: "bad \xff utf-8"},
		{Inputs: map[string]string{"\xff": "x"}},
		{RequestBytes: 1<<53 + 1},
		{Seq: 7, Service: "s3"},
	} {
		sameAsMarshal(t, &e, true)
	}
}

// FuzzCanonicalEntry compares appendEntry with the general path for
// strings, numbers and times from the fuzzer.
func FuzzCanonicalEntry(f *testing.F) {
	f.Add("a<b>&c\u2028\"\\\x01", "ctl\n\t", int64(5), int64(1700000000123456789), int64(-3600))
	f.Add("", "\xff", int64(0), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, s1, s2 string, n, unix, offset int64) {
		zone := time.FixedZone("z", int(offset%(24*3600)))
		e := Entry{
			ID: s1, Reason: s2, URL: s1 + s2, Decision: s2, Inputs: map[string]string{s1: s2, s2: s1},
			RequestBytes: n, Status: int(n % 1000), Time: time.Unix(0, unix).In(zone),
			Approval: &Approval{By: s1, At: time.Unix(unix%1e10, 0).In(zone)},
			Writer:   &Writer{Host: s2, PID: int(n % 100000)},
		}
		if json.Valid([]byte(s1)) {
			e.Context = json.RawMessage(s1)
		}
		sameAsMarshal(t, &e, n > 1<<53 || n < -(1<<53))
	})
}

// fill sets every field of v to a random value, empty a quarter of the
// time.
func fill(rng *rand.Rand, v reflect.Value) {
	if rng.IntN(4) == 0 {
		return
	}
	strs := []string{"s3", "a<b>&c", "line\nbreak", "quote\"back\\slash", "é☃\U0001F600", "\u2028", "\x00\x1f", "grt_x"}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[rng.IntN(len(strs))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt(rng.Int64N(1<<40) - 1<<20)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			t := time.Unix(rng.Int64N(4e9), rng.Int64N(1e9))
			if rng.IntN(2) == 0 {
				t = t.In(time.FixedZone("z", (rng.IntN(48)-24)*1800))
			}
			v.Set(reflect.ValueOf(t))
			return
		}
		for i := range v.NumField() {
			fill(rng, v.Field(i))
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(rng, v.Elem())
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range rng.IntN(4) {
			m.SetMapIndex(reflect.ValueOf(strs[rng.IntN(len(strs))]), reflect.ValueOf(strs[rng.IntN(len(strs))]))
		}
		v.Set(m)
	case reflect.Slice: // Context, a json.RawMessage
		v.SetBytes([]byte([]string{`{"z":1,"a":{"y":[1,2.5,"x"]}}`, `"just a string"`, `[3,1]`, `null`}[rng.IntN(4)]))
	}
}

func isUTF8(e *Entry) bool {
	raw, _ := json.Marshal(e) // encoding/json writes \ufffd for a bad byte
	return !bytes.Contains(raw, []byte(`\ufffd`))
}

func zonesInMinutes(e *Entry) bool {
	for _, t := range []time.Time{e.Time, e.Expires, e.RecordedAt} {
		if _, off := t.Zone(); off%60 != 0 {
			return false
		}
	}
	return e.Approval == nil || func() bool { _, off := e.Approval.At.Zone(); return off%60 == 0 }()
}
