package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// target is one alter-mcp binary under measure: a vault of its own in a
// folder of its own, with the bench grant and caller, its streamable HTTP
// server, and the environment its commands run with.
type target struct {
	bin    string
	env    []string
	apiKey string
	srv    *exec.Cmd
	url    string
}

// newTarget makes bin's vault under dir, the fake at fakeURL standing in for
// AWS, and starts its HTTP server.
func newTarget(bin, dir, fakeURL string) (*target, error) {
	key := make([]byte, 32)
	rand.Read(key)
	t := &target{bin: bin, env: append(os.Environ(),
		"ALTER_MCP_HOME="+filepath.Join(dir, "home"),
		"ALTER_MCP_MASTER_KEY="+base64.StdEncoding.EncodeToString(key),
		"AWS_ENDPOINT_URL="+fakeURL,
	)}
	if err := runCmd(append(t.env, "AWS_ACCESS_KEY_ID="+benchKeyID, "AWS_SECRET_ACCESS_KEY="+benchSecret),
		bin, "grant", "add", "--name", "bench", "--from-env", "--allow-services", "s3"); err != nil {
		return nil, err
	}
	apiKey, err := output(t.env, bin, "caller", "add", "bench", "--grants", "bench")
	if err != nil {
		return nil, err
	}
	t.apiKey = strings.TrimSpace(apiKey)
	if t.srv, t.url, err = startHTTP(bin, t.env); err != nil {
		return nil, err
	}
	return t, nil
}

// Close stops the target's HTTP server; once closed, it does nothing.
func (t *target) Close() {
	if t.srv != nil {
		t.srv.Process.Kill()
		wait(t.srv)
		t.srv = nil
	}
}

// session opens an MCP client of the target's HTTP server in era.
func (t *target) session(era string) (*httpSession, error) {
	return newHTTPSession(t.url, t.apiKey, era)
}

// interleaved measures a and b with f in turns: pairs pairs of turns,
// a then b, then b then a, and so on (a, b, b, a, a, b, b, a for four), so
// that a machine whose speed drifts during the run weighs on both alike. It
// returns each one's results in the order taken.
func interleaved[T any](a, b *target, pairs int, f func(*target) (T, error)) (ra, rb []T, err error) {
	for p := range pairs {
		order := []*target{a, b}
		if p%2 == 1 {
			order = []*target{b, a}
		}
		for _, t := range order {
			r, err := f(t)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", t.bin, err)
			}
			if t == a {
				ra = append(ra, r)
			} else {
				rb = append(rb, r)
			}
		}
	}
	return ra, rb, nil
}

// pooled is the latencies of a measure's turns, as one.
func pooled(turns []latencies) latencies { return sortLat(slices.Concat(turns...)) }

// merged is the load of a throughput point's turns, of equal length: their
// calls per second averaged, the CPU a call weighted by calls.
func merged(turns []load) load {
	var rate, server, self float64
	for _, l := range turns {
		rate += l.perSecond
		server += float64(l.server) * l.perSecond
		self += float64(l.self) * l.perSecond
	}
	if rate == 0 {
		return load{}
	}
	return load{perSecond: rate / float64(len(turns)), server: time.Duration(server / rate), self: time.Duration(self / rate)}
}

// against makes bin and other each a fresh vault under dir and measures
// them side by side (againstRows).
func against(bin, other, dir, fakeURL string, pairs, n int, d time.Duration, counts []int, eras []string, s3List, listGrants preparedCall) ([]row, error) {
	a, err := newTarget(bin, filepath.Join(dir, "bin"), fakeURL)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	b, err := newTarget(other, filepath.Join(dir, "against"), fakeURL)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return againstRows(a, b, pairs, n, d, counts, eras, s3List, listGrants)
}

// againstRows measures a (-bin) and b (-against) the same way in this run,
// each measure in 2×pairs turns (interleaved), a build taking 1/pairs of it
// in each of its turns: s3_list's latency over stdio and over HTTP in each
// era, calls per second and the server's CPU a call at each client count,
// cold start and `version`. Each row's ratio is a's figure over b's.
func againstRows(a, b *target, pairs, n int, d time.Duration, counts []int, eras []string, s3List, listGrants preparedCall) ([]row, error) {
	var rows []row
	side := func(what, va, vb string, ra, rb float64) {
		rows = append(rows, row{what, va, vb, ratio(ra, rb)})
	}
	latency := func(what string, la, lb []latencies) {
		pa, pb := pooled(la), pooled(lb)
		for _, p := range []float64{50, 99} {
			side(fmt.Sprintf("%s, p%.0f", what, p), us(pa.pct(p)), us(pb.pct(p)), float64(pa.pct(p)), float64(pb.pct(p)))
		}
	}
	part := max(n/pairs, 1)
	// warmed is a turn's latencies of call, after 20 calls that warm the
	// server (the region, the keys) and are not counted.
	warmed := func(call func() error) (latencies, error) {
		if _, err := measure(20, call); err != nil {
			return nil, err
		}
		return measure(part, call)
	}

	la, lb, err := interleaved(a, b, pairs, func(t *target) (latencies, error) {
		s, _, err := startStdio(t.bin, t.env)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		return warmed(func() error { return s.call(s3List) })
	})
	if err != nil {
		return nil, fmt.Errorf("s3_list over stdio: %w", err)
	}
	latency("s3_list over stdio", la, lb)

	for _, era := range eras {
		la, lb, err := interleaved(a, b, pairs, func(t *target) (latencies, error) {
			s, err := t.session(era)
			if err != nil {
				return nil, err
			}
			defer s.Close()
			return warmed(func() error { return s.call(s3List) })
		})
		if err != nil {
			return nil, fmt.Errorf("s3_list %s: %w", over(era), err)
		}
		latency("s3_list "+over(era), la, lb)
	}

	for _, c := range counts {
		for _, era := range eras {
			for _, tc := range []struct {
				tool string
				call preparedCall
			}{{"s3_list", s3List}, {"list_grants", listGrants}} {
				ha, hb, err := interleaved(a, b, pairs, func(t *target) (load, error) {
					return throughput(c, d/time.Duration(pairs), t.srv.Process.Pid, func() (*httpSession, error) { return t.session(era) },
						func(s *httpSession) error { return s.call(tc.call) })
				})
				if err != nil {
					return nil, fmt.Errorf("%s %s, %d clients: %w", tc.tool, over(era), c, err)
				}
				ga, gb := merged(ha), merged(hb)
				side(fmt.Sprintf("%s calls/s %s, %d clients", tc.tool, over(era), c),
					fmt.Sprintf("%.0f/s", ga.perSecond), fmt.Sprintf("%.0f/s", gb.perSecond), ga.perSecond, gb.perSecond)
				side(fmt.Sprintf("server CPU a %s call%s, %d clients", tc.tool, inEra(era), c), us(ga.server), us(gb.server), float64(ga.server), float64(gb.server))
			}
		}
	}

	ca, cb, err := interleaved(a, b, pairs, func(t *target) (latencies, error) { return coldStarts(max(20/pairs, 1), t.bin, t.env) })
	if err != nil {
		return nil, fmt.Errorf("cold start: %w", err)
	}
	pa, pb := pooled(ca), pooled(cb)
	side("cold start: exec to initialize result (p50)", us(pa.pct(50)), us(pb.pct(50)), float64(pa.pct(50)), float64(pb.pct(50)))
	va, vb, err := interleaved(a, b, pairs, func(t *target) (latencies, error) { return execTimes(max(40/pairs, 1), t.env, t.bin, "version") })
	if err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	pa, pb = pooled(va), pooled(vb)
	side("alter-mcp version (p50)", us(pa.pct(50)), us(pb.pct(50)), float64(pa.pct(50)), float64(pb.pct(50)))
	return rows, nil
}
