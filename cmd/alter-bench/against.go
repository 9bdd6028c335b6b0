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
		t.srv.Wait()
		t.srv = nil
	}
}

// session opens an MCP client of the target's HTTP server in era.
func (t *target) session(era string) (*httpSession, error) {
	return newHTTPSession(t.url, t.apiKey, era)
}

// interleaved measures a and b with f in the order a, b, b, a, so that a
// machine whose speed drifts during the run weighs on both alike, and
// returns each one's two results.
func interleaved[T any](a, b *target, f func(*target) (T, error)) (ra, rb [2]T, err error) {
	for i, t := range []*target{a, b, b, a} {
		r, err := f(t)
		if err != nil {
			return ra, rb, fmt.Errorf("%s: %w", t.bin, err)
		}
		switch i {
		case 0, 3:
			ra[i/3] = r
		default:
			rb[i-1] = r
		}
	}
	return ra, rb, nil
}

// pooled is the latencies of two halves of a measure, as one.
func pooled(h [2]latencies) latencies { return sortLat(slices.Concat(h[0], h[1])) }

// merged is the load of two halves of a throughput point of equal length:
// their calls per second averaged, the CPU a call weighted by calls.
func merged(h [2]load) load {
	w := h[0].perSecond + h[1].perSecond
	if w == 0 {
		return load{}
	}
	per := func(x, y time.Duration) time.Duration {
		return time.Duration((float64(x)*h[0].perSecond + float64(y)*h[1].perSecond) / w)
	}
	return load{perSecond: w / 2, server: per(h[0].server, h[1].server), self: per(h[0].self, h[1].self)}
}

// against makes bin and other each a fresh vault under dir and measures
// them side by side (againstRows).
func against(bin, other, dir, fakeURL string, n int, d time.Duration, counts []int, eras []string, s3List, listGrants preparedCall) ([]row, error) {
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
	return againstRows(a, b, n, d, counts, eras, s3List, listGrants)
}

// againstRows measures a (-bin) and b (-against) the same way in this run,
// each measure interleaved a, b, b, a with half of it in each turn: s3_list's
// latency over stdio and over HTTP in each era, calls per second and the
// server's CPU a call at each client count, cold start and `version`. Each
// row's ratio is a's figure over b's.
func againstRows(a, b *target, n int, d time.Duration, counts []int, eras []string, s3List, listGrants preparedCall) ([]row, error) {
	var rows []row
	side := func(what, va, vb string, ra, rb float64) {
		rows = append(rows, row{what, va, vb, ratio(ra, rb)})
	}
	latency := func(what string, la, lb [2]latencies) {
		pa, pb := pooled(la), pooled(lb)
		for _, p := range []float64{50, 99} {
			side(fmt.Sprintf("%s, p%.0f", what, p), us(pa.pct(p)), us(pb.pct(p)), float64(pa.pct(p)), float64(pb.pct(p)))
		}
	}
	half := max(n/2, 1)

	la, lb, err := interleaved(a, b, func(t *target) (latencies, error) {
		s, _, err := startStdio(t.bin, t.env)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		call := func() error { return s.call(s3List) }
		if _, err := measure(20, call); err != nil { // warm: the region, the keys
			return nil, err
		}
		return measure(half, call)
	})
	if err != nil {
		return nil, fmt.Errorf("s3_list over stdio: %w", err)
	}
	latency("s3_list over stdio", la, lb)

	over := func(era string) string {
		if era == legacy {
			return "over HTTP"
		}
		return "over HTTP (" + era + ")"
	}
	for _, era := range eras {
		la, lb, err := interleaved(a, b, func(t *target) (latencies, error) {
			s, err := t.session(era)
			if err != nil {
				return nil, err
			}
			defer s.Close()
			call := func() error { return s.call(s3List) }
			if _, err := measure(20, call); err != nil {
				return nil, err
			}
			return measure(half, call)
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
				ha, hb, err := interleaved(a, b, func(t *target) (load, error) {
					return throughput(c, d/2, t.srv.Process.Pid, func() (*httpSession, error) { return t.session(era) },
						func(s *httpSession) error { return s.call(tc.call) })
				})
				if err != nil {
					return nil, fmt.Errorf("%s %s, %d clients: %w", tc.tool, over(era), c, err)
				}
				ga, gb := merged(ha), merged(hb)
				in := ""
				if era != legacy {
					in = " (" + era + ")"
				}
				side(fmt.Sprintf("%s calls/s %s, %d clients", tc.tool, over(era), c),
					fmt.Sprintf("%.0f/s", ga.perSecond), fmt.Sprintf("%.0f/s", gb.perSecond), ga.perSecond, gb.perSecond)
				side(fmt.Sprintf("server CPU a %s call%s, %d clients", tc.tool, in, c), us(ga.server), us(gb.server), float64(ga.server), float64(gb.server))
			}
		}
	}

	ca, cb, err := interleaved(a, b, func(t *target) (latencies, error) { return coldStarts(10, t.bin, t.env) })
	if err != nil {
		return nil, fmt.Errorf("cold start: %w", err)
	}
	pa, pb := pooled(ca), pooled(cb)
	side("cold start: exec to initialize result (p50)", us(pa.pct(50)), us(pb.pct(50)), float64(pa.pct(50)), float64(pb.pct(50)))
	va, vb, err := interleaved(a, b, func(t *target) (latencies, error) { return execTimes(20, t.env, t.bin, "version") })
	if err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	pa, pb = pooled(va), pooled(vb)
	side("alter-mcp version (p50)", us(pa.pct(50)), us(pb.pct(50)), float64(pa.pct(50)), float64(pb.pct(50)))
	return rows, nil
}
