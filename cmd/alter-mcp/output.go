package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// What commands print: JSON for programs, and the small formats of text
// tables for people.

// writeJSON prints v as indented JSON on stdout.
func (a *app) writeJSON(v any) error {
	return jsonIndent(a.stdout).Encode(v)
}

// jsonIndent is the JSON encoder of command output: indented, HTML left alone.
func jsonIndent(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc
}

// orDash is s, or "-" for an empty table cell.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// age is a rough duration for people: "3 days", "5 hours", "12 minutes".
func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return "moments"
}
