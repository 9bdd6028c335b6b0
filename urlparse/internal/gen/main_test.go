package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The committed tables must be what the generator makes from the botocore
// installed here. When botocore is absent the check is skipped, so the build
// and the other tests never need Python.
func TestTablesAreFresh(t *testing.T) {
	dir, err := locate("")
	if err != nil {
		t.Skipf("%v: skipping the check that urlparse/tables_gen.go is fresh", err)
	}
	want, warnings, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warnings {
		t.Log("warning:", w)
	}
	got, err := os.ReadFile("../../tables_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	line := 0
	for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
		line++
	}
	var g, w string
	if line < len(gl) {
		g = gl[line]
	}
	if line < len(wl) {
		w = wl[line]
	}
	t.Errorf("urlparse/tables_gen.go is stale for the botocore in %s: run go generate ./urlparse/\nfirst difference, line %d:\n  committed: %s\n  generated: %s", dir, line+1, g, w)
}

func TestRegionPrefixes(t *testing.T) {
	for re, want := range map[string]string{
		`^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`: "af- ap- ca- eu- il- me- mx- sa- us-",
		`^cn\-\w+\-\d+$`:            "cn-",
		`^us\-gov\-\w+\-\d+$`:       "us-gov-",
		`^eusc\-(de)\-\w+\-\d+$`:    "eusc-de-",
		`^eusc\-(de|fr)\-\w+\-\d+$`: "eusc-de- eusc-fr-",
	} {
		got, err := regionPrefixes(re)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("regionPrefixes(%s) = %q, %v; want %s", re, got, err, want)
		}
	}
	for _, re := range []string{`^us\-\w+\-\d+`, `^[a-z]+\-\w+\-\d+$`, `^(us|eu\-\w+\-\d+$`, `^us.\-\w+\-\d+$`} {
		if got, err := regionPrefixes(re); err == nil {
			t.Errorf("regionPrefixes(%s) = %q, want an error", re, got)
		}
	}
}

func TestStripFIPS(t *testing.T) {
	for in, want := range map[string]string{
		"kms-fips":            "kms",
		"fips.batch":          "batch",
		"api-fips.sagemaker":  "api.sagemaker",
		"data.iot-fips":       "data.iot",
		"s3-fips.dualstack":   "s3.dualstack",
		"sqs":                 "sqs",
		"fipsy":               "fipsy",
		"runtime-fips.lex":    "runtime.lex",
		"api.detective-fips":  "api.detective",
		"fips.transcribe":     "transcribe",
		"not-fipsy.something": "not-fipsy.something",
	} {
		if got := stripFIPS(in); got != want {
			t.Errorf("stripFIPS(%q) = %q, want %q", in, got, want)
		}
	}
}
