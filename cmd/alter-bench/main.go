// Command alter-bench measures alter-mcp from outside, each figure beside a
// reference measured in the same run on the same machine: signing against
// aws-sdk-go-v2's signer, a tool call over stdio and streamable HTTP against
// the same request signed and sent directly, cold start against
// `python3 -c pass`, calls per second at 1, 8 and 64 clients with the CPU
// time a call cost the server beside what it cost the load generator and
// the fake, the server's memory under that load, and its peak memory while
// 1 GiB streams up and 1 GiB down through it (-stream=false skips that)
// against a plain Go
// client moving the same bytes. AWS is a fast fake S3 on loopback, the
// load generator is this process; both speak HTTP/1.1 by hand so that they
// take little of the cores they share with the server. Everything is
// bounded in count and time.
//
//	go run ./cmd/alter-bench            # from the repository's root
//
// It builds alter-mcp into a temporary folder (or takes -bin), makes a vault
// there with one grant and one caller, and prints one Markdown table; with
// -against OTHER, a second one of the same measures taken for both binaries
// in turns (against.go).
// BENCHMARKS.md keeps the table of a run with the machine it ran on.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

const (
	benchKeyID  = "AKIAIOSFODNN7EXAMPLE"
	benchSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func main() {
	bin := flag.String("bin", "", "the alter-mcp binary (default: CGO_ENABLED=0 go build ./cmd/alter-mcp into a temporary folder, as the README installs it)")
	against := flag.String("against", "", "another alter-mcp binary (the last release, a build of the last commit) measured with -bin in the same run, each measure interleaved, for a second table of the two side by side")
	turns := flag.Int("turns", 4, "with -against, the turns each build takes at every measure, in the order -bin, -against, -against, -bin, -bin, ... (each turn takes its share of -n, -duration and the starts)")
	n := flag.Int("n", 2000, "calls per latency measurement")
	d := flag.Duration("duration", 3*time.Second, "length of each calls-per-second measurement")
	clientCounts := flag.String("clients", "1,8,64", "client counts for calls per second")
	erasFlag := flag.String("eras", legacy+","+modern, "the protocol eras measured over streamable HTTP: "+legacy+" (a session opened by initialize, 2025-06-18) and "+modern+" (no session, _meta on every call)")
	stream := flag.Bool("stream", true, "measure the server's RSS while streaming -stream-bytes up and down (false skips it)")
	streamBytes := flag.Int64("stream-bytes", 1<<30, "bytes to stream each way for the RSS row")
	streamTimeout := flag.Duration("stream-timeout", 5*time.Minute, "most time for each way of the streaming row; what is left is reported as cut")
	streamRef := flag.String("stream-reference", "", "internal: be the streaming row's reference client, against this fake S3 URL")
	streamPieces := flag.Bool("stream-pieces", false, "also stream -stream-bytes each way in s3_put calls and s3_get pages of 1 MiB (about 2 minutes a GiB here)")
	flag.Parse()
	if *streamRef != "" {
		if err := runStreamReference(*streamRef, *streamBytes, *streamTimeout); err != nil {
			fmt.Fprintln(os.Stderr, "alter-bench -stream-reference:", err)
			os.Exit(1)
		}
		return
	}
	if *streamBytes < streamPiece {
		fmt.Fprintln(os.Stderr, "alter-bench: -stream-bytes must be at least", streamPiece)
		os.Exit(2)
	}
	if !*stream {
		*streamBytes = 0
	}
	if *turns < 1 {
		fmt.Fprintln(os.Stderr, "alter-bench: -turns must be at least 1")
		os.Exit(2)
	}
	var eras []string
	for e := range strings.SplitSeq(*erasFlag, ",") {
		switch e = strings.TrimSpace(e); e {
		case legacy, modern:
			eras = append(eras, e)
		default:
			fmt.Fprintf(os.Stderr, "alter-bench: -eras: %q is not %s or %s\n", e, legacy, modern)
			os.Exit(2)
		}
	}
	if err := run(*bin, *against, *turns, *n, *d, *clientCounts, eras, streamOptions{*streamBytes, *streamTimeout, *streamPieces}); err != nil {
		fmt.Fprintln(os.Stderr, "alter-bench:", err)
		os.Exit(1)
	}
}

// row is one line of the table: a figure and its reference.
type row struct {
	what, value, reference, ratio string
}

// streamOptions are the -stream flags: bytes each way (0: no streaming
// rows), the most time for each way, and whether to stream in pieces too.
type streamOptions struct {
	bytes   int64
	timeout time.Duration
	pieces  bool
}

func run(bin, againstBin string, turns, n int, d time.Duration, clientCounts string, eras []string, so streamOptions) error {
	streamBytes := so.bytes
	var counts []int
	for f := range strings.SplitSeq(clientCounts, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			return fmt.Errorf("-clients: %q is not a count", f)
		}
		counts = append(counts, c)
	}
	tmp, err := os.MkdirTemp("", "alter-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	defer cleanUpOnSignal(tmp)()
	if bin == "" {
		bin = filepath.Join(tmp, "alter-mcp")
		// Built as the README installs it: static, without cgo.
		build := exec.Command("go", "build", "-o", bin, "./cmd/alter-mcp")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("CGO_ENABLED=0 go build ./cmd/alter-mcp (run from the repository's root): %w: %s", err, out)
		}
	}
	fake, err := startFakeS3(max(streamBytes, 1))
	if err != nil {
		return err
	}
	defer fake.Close()

	measured, err := newTarget(bin, tmp, fake.URL)
	if err != nil {
		return err
	}
	defer measured.Close()
	env, apiKey, srv, url := measured.env, measured.apiKey, measured.srv, measured.url
	s3List := prepareCall("s3_list", map[string]any{"grant_id": "bench", "bucket": "bench-bucket", "reason": "benchmark"})
	listGrants := prepareCall("list_grants", nil)
	var rows []row
	progress := func(s string) { fmt.Fprintln(os.Stderr, "alter-bench:", s) }

	progress("signing")
	alter, sdk, err := signing()
	if err != nil {
		return err
	}
	rows = append(rows, row{"sign S3 GET (ns, allocs)",
		fmt.Sprintf("%d ns, %d allocs", alter.NsPerOp(), alter.AllocsPerOp()),
		fmt.Sprintf("aws-sdk-go-v2: %d ns, %d allocs", sdk.NsPerOp(), sdk.AllocsPerOp()),
		ratio(float64(alter.NsPerOp()), float64(sdk.NsPerOp()))})

	progress("direct requests")
	directConn, err := newDirect(fake.URL)
	if err != nil {
		return err
	}
	directLat, err := measure(n, directConn.call)
	if err != nil {
		return err
	}

	progress("stdio")
	st, _, err := startStdio(bin, env)
	if err != nil {
		return err
	}
	stdioCall := func() error { return st.call(s3List) }
	if _, err := measure(50, stdioCall); err != nil { // warm: the region, the keys
		st.Close()
		return err
	}
	stdioLat, err := measure(n, stdioCall)
	st.Close()
	if err != nil {
		return fmt.Errorf("s3_list over stdio: %w", err)
	}
	rows = append(rows, latencyRows("s3_list over stdio", stdioLat, directLat)...)

	progress("streamable HTTP")
	opener := func(era string) func() (*httpSession, error) {
		return func() (*httpSession, error) { return newHTTPSession(url, apiKey, era) }
	}
	for _, era := range eras {
		one, err := opener(era)()
		if err != nil {
			return err
		}
		httpCall := func() error { return one.call(s3List) }
		if _, err := measure(50, httpCall); err != nil {
			return fmt.Errorf("s3_list %s: %w", over(era), err)
		}
		httpLat, err := measure(n, httpCall)
		one.Close()
		if err != nil {
			return fmt.Errorf("s3_list %s: %w", over(era), err)
		}
		rows = append(rows, latencyRows("s3_list "+over(era), httpLat, directLat)...)
	}

	for _, c := range counts {
		progress(fmt.Sprintf("calls per second, %d clients", c))
		ref, err := throughput(c, d, 0, func() (*directClient, error) { return newDirect(fake.URL) }, (*directClient).call)
		if err != nil {
			return err
		}
		for _, era := range eras {
			got, err := throughput(c, d, srv.Process.Pid, opener(era), func(s *httpSession) error { return s.call(s3List) })
			if err != nil {
				return fmt.Errorf("s3_list %s, %d clients: %w", over(era), c, err)
			}
			rows = append(rows, row{fmt.Sprintf("s3_list calls/s %s, %d clients", over(era), c), fmt.Sprintf("%.0f/s", got.perSecond),
				fmt.Sprintf("direct signed requests: %.0f/s", ref.perSecond), ratio(got.perSecond, ref.perSecond)})
			local, err := throughput(c, d, srv.Process.Pid, opener(era), func(s *httpSession) error { return s.call(listGrants) })
			if err != nil {
				return fmt.Errorf("list_grants %s, %d clients: %w", over(era), c, err)
			}
			rows = append(rows, row{fmt.Sprintf("list_grants calls/s %s, %d clients (no AWS call)", over(era), c), fmt.Sprintf("%.0f/s", local.perSecond),
				fmt.Sprintf("s3_list: %.0f/s", got.perSecond), ratio(local.perSecond, got.perSecond)})
			for _, l := range []struct {
				tool string
				load
			}{{"s3_list", got}, {"list_grants", local}} {
				rows = append(rows, row{fmt.Sprintf("server CPU a %s call%s, %d clients", l.tool, inEra(era), c), us(l.server),
					"load generator and fake S3: " + us(l.self), ratio(float64(l.server), float64(l.self))})
			}
		}
	}
	now, peak := rss(srv.Process.Pid)
	rows = append(rows, row{"server RSS after the load (now, peak)", fmt.Sprintf("%.0f MiB, %.0f MiB", mib(now), mib(peak)),
		"goal: ≤ 100 MiB under 64 clients", ratio(mib(peak), 100)})

	if streamBytes > 0 {
		progress(fmt.Sprintf("streaming %s up and down", amount(streamBytes)))
		streamed, err := streamRows(bin, env, fake, streamBytes, so.timeout, so.pieces)
		if err != nil {
			return err
		}
		rows = append(rows, streamed...)
	}

	progress("cold start")
	cold, err := coldStarts(20, bin, env)
	if err != nil {
		return err
	}
	py, err := execTimes(20, env, "python3", "-c", "pass")
	if err != nil {
		return err
	}
	rows = append(rows, row{"cold start: exec to initialize result (p50)", us(cold.pct(50)),
		"python3 -c pass: " + us(py.pct(50)), ratio(float64(cold.pct(50)), float64(py.pct(50)))})
	version, err := execTimes(20, env, bin, "version")
	if err != nil {
		return err
	}
	rows = append(rows, row{"alter-mcp version (p50)", us(version.pct(50)),
		"python3 -c pass: " + us(py.pct(50)), ratio(float64(version.pct(50)), float64(py.pct(50)))})
	if empty, err := emptyGoProgram(tmp); err != nil {
		progress("no empty Go program to compare version with: " + err.Error())
	} else if floor, err := execTimes(20, env, empty); err == nil {
		rows = append(rows, row{"alter-mcp version (p50), against the floor of a Go program", us(version.pct(50)),
			"an empty Go program, built the same way: " + us(floor.pct(50)), ratio(float64(version.pct(50)), float64(floor.pct(50)))})
	}

	if awsCLI, err := exec.LookPath("aws"); err == nil {
		progress("aws s3api list-objects-v2")
		cli, err := execTimes(10, append(env, "AWS_ACCESS_KEY_ID="+benchKeyID, "AWS_SECRET_ACCESS_KEY="+benchSecret, "AWS_DEFAULT_REGION=us-east-1"),
			awsCLI, "s3api", "list-objects-v2", "--bucket", "bench-bucket", "--endpoint-url", fake.URL)
		if err != nil {
			return err
		}
		rows = append(rows, row{"ListObjectsV2: aws s3api list-objects-v2 as a subprocess (p50)", us(cli.pct(50)),
			"s3_list over stdio: " + us(stdioLat.pct(50)), ratio(float64(cli.pct(50)), float64(stdioLat.pct(50)))})
	}

	var versus []row
	if againstBin != "" {
		// Both start afresh: the vault of the table above holds the audit
		// of every call made so far, and a larger store is slower.
		measured.Close()
		progress("the same measures against " + againstBin + ", interleaved")
		if versus, err = against(bin, againstBin, tmp, fake.URL, turns, n, d, counts, eras, s3List, listGrants); err != nil {
			return fmt.Errorf("-against: %w", err)
		}
	}

	fmt.Printf("alter-bench on %s/%s, %d CPUs, %s; %d calls per latency, %s per calls/s point; AWS requests served by the fake: %d\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), n, d, fake.requests.Load())
	fmt.Println("| measure | alter-mcp | reference, same run | ratio |")
	fmt.Println("|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s |\n", r.what, r.value, r.reference, r.ratio)
	}
	if againstBin != "" {
		fmt.Printf("\nThe same measures for -bin and -against (%s), interleaved in this run: each measure taken in %d turns of each build, -bin, -against, -against, -bin, ..., a build taking 1/%d of it in each turn, each build with a fresh vault of its own. The ratio is -bin over -against.\n\n", againstBin, turns, turns)
		fmt.Println("| measure | -bin | -against | ratio |")
		fmt.Println("|---|---|---|---|")
		for _, r := range versus {
			fmt.Printf("| %s | %s | %s | %s |\n", r.what, r.value, r.reference, r.ratio)
		}
	}
	return nil
}

// coldStarts times n starts of `alter-mcp serve` over stdio, from exec to
// the initialize result.
func coldStarts(n int, bin string, env []string) (latencies, error) {
	var l latencies
	for range n {
		s, ready, err := startStdio(bin, env)
		if err != nil {
			return nil, err
		}
		s.Close()
		l = append(l, ready)
	}
	return sortLat(l), nil
}

func latencyRows(what string, l, ref latencies) []row {
	var rows []row
	for _, p := range []float64{50, 99} {
		added := l.pct(p) - ref.pct(p)
		rows = append(rows,
			row{fmt.Sprintf("%s, p%.0f", what, p), us(l.pct(p)), fmt.Sprintf("direct signed request: %s", us(ref.pct(p))), ratio(float64(l.pct(p)), float64(ref.pct(p)))},
			row{fmt.Sprintf("%s, added over direct, p%.0f", what, p), us(added), "goal: " + map[float64]string{50: "300 µs", 99: "2,000 µs"}[p],
				ratio(float64(added), map[float64]float64{50: 300e3, 99: 2000e3}[p])})
	}
	return rows
}

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/1e3) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func runCmd(env []string, bin string, args ...string) error {
	_, err := output(env, bin, args...)
	return err
}

func output(env []string, bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("alter-mcp %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// emptyGoProgram builds, in dir, a Go program whose main returns at once,
// static as alter-mcp is: the floor of starting a Go binary here, which
// alter-mcp version stands against (what it adds is its size and its
// packages' initialization).
func emptyGoProgram(dir string) (string, error) {
	src := filepath.Join(dir, "empty")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module empty\n"), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(src, "empty")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, clip(out))
	}
	return bin, nil
}

// over names an era's rows ("over HTTP", "over HTTP (2026-07-28)"), and
// inEra its CPU rows' suffix: the legacy era's rows keep the names they had
// before the 2026-07-28 rows were added.
func over(era string) string { return "over HTTP" + inEra(era) }

func inEra(era string) string {
	if era == legacy {
		return ""
	}
	return " (" + era + ")"
}
