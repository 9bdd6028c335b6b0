package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// What commands read besides flags: secrets on stdin, and points in time.

// readSecretLines reads up to n lines from r (a secret, then optionally a
// session token), with surrounding whitespace and the line ends removed.
// Nothing read is ever echoed or logged.
func readSecretLines(r io.Reader, n int) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var lines []string
	for len(lines) < n && sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" || len(lines) > 0 {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	return lines, nil
}

// parseWhen reads a point in time: RFC 3339 ("2027-01-31T00:00:00Z"), a date
// ("2027-01-31", midnight UTC), or a duration from now ("90m", "12h", "30d").
func parseWhen(s string, now time.Time) (time.Time, error) {
	t, err := parseTimeOrOffset(s, now, +1)
	if err != nil {
		return t, fmt.Errorf("%q is not a time: write 2027-01-31T00:00:00Z, 2027-01-31, or a duration from now such as 12h or 30d", s)
	}
	return t, nil
}

// parseTimeOrOffset reads RFC 3339, a date, or a positive duration ("90m",
// "30d") counted from now in the direction of sign (+1 later, -1 earlier).
func parseTimeOrOffset(s string, now time.Time, sign int) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return now.AddDate(0, 0, sign*n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(time.Duration(sign) * d), nil
	}
	return time.Time{}, errors.New("not a time")
}
