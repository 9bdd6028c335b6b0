package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// latencies are the durations of n calls made one after the other.
type latencies []time.Duration

func measure(n int, call func() error) (latencies, error) {
	l := make(latencies, 0, n)
	for range n {
		start := time.Now()
		if err := call(); err != nil {
			return nil, err
		}
		l = append(l, time.Since(start))
	}
	slices.Sort(l)
	return l, nil
}

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(l)-1))
	return l[i]
}

// load is what a throughput point measured: calls per second, and the CPU
// time a call cost the server (0 without one) and this process, the load
// generator and the fake S3, while the calls ran.
type load struct {
	perSecond    float64
	server, self time.Duration
}

// throughput runs clients goroutines, each with its own session made by
// open, calling for d, and returns the calls per second that succeeded,
// with the CPU time a call cost server (a pid, 0 for none) and this process.
func throughput[S interface{ Close() }](clients int, d time.Duration, server int, open func() (S, error), call func(S) error) (load, error) {
	sessions := make([]S, clients)
	for i := range sessions {
		s, err := open()
		if err != nil {
			return load{}, err
		}
		sessions[i] = s
		defer s.Close()
	}
	var calls atomic.Int64
	var firstErr atomic.Value
	stop := time.Now().Add(d)
	start := time.Now()
	serverCPU, selfCPU := cpuTime(server), cpuTime(os.Getpid())
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() {
			for time.Now().Before(stop) {
				if err := call(s); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	serverCPU, selfCPU = cpuTime(server)-serverCPU, cpuTime(os.Getpid())-selfCPU
	if err, _ := firstErr.Load().(error); err != nil {
		return load{}, err
	}
	n := max(calls.Load(), 1)
	l := load{perSecond: float64(n) / took.Seconds(), self: selfCPU / time.Duration(n)}
	if server != 0 {
		l.server = serverCPU / time.Duration(n)
	}
	return l, nil
}

// cpuTime is the user and system CPU time process pid has used (Linux
// /proc, whose clock ticks are 1/100 s; zero elsewhere or for pid 0).
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	_, rest, ok := bytes.Cut(b, []byte(") "))
	if !ok {
		return 0
	}
	f := strings.Fields(string(rest)) // from field 3, the state
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// directClient sends the reference request: ListObjectsV2, signed in this
// process with sigv4 and sent to the fake endpoint over a kept-alive
// connection written by hand, as the MCP calls are.
type directClient struct {
	conn     rawConn
	endpoint string
}

func newDirect(endpoint string) (*directClient, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	return &directClient{conn: rawConn{addr: u.Host}, endpoint: endpoint}, nil
}

var benchCreds = sigv4.Credentials{AccessKeyID: benchKeyID, SecretAccessKey: benchSecret}

func (c *directClient) call() error {
	req, err := http.NewRequest(http.MethodGet, c.endpoint+"/bench-bucket?list-type=2&max-keys=100", nil)
	if err != nil {
		return err
	}
	if err := sigv4.Sign(req, benchCreds, sigv4.Options{Region: "us-east-1", Service: "s3", PayloadHash: sigv4.UnsignedPayload}); err != nil {
		return err
	}
	head := make([]byte, 0, 512)
	head = append(head, "GET "+req.URL.RequestURI()+" HTTP/1.1\r\nHost: "+req.Host+"\r\n"...)
	for k, vs := range req.Header {
		for _, v := range vs {
			head = append(head, k+": "+v+"\r\n"...)
		}
	}
	a, err := c.conn.do(head, nil)
	if err != nil {
		return err
	}
	if a.status != http.StatusOK {
		return fmt.Errorf("direct request: HTTP %d", a.status)
	}
	return nil
}

func (c *directClient) Close() { c.conn.Close() }

// execTimes runs name args n times and returns how long each took from
// exec to exit.
func execTimes(n int, env []string, name string, args ...string) (latencies, error) {
	return measure(n, func() error {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, clip(out))
		}
		return nil
	})
}

// rss returns the resident set size and its peak of process pid, in bytes
// (Linux /proc only; zero elsewhere).
func rss(pid int) (now, peak int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) < 1 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			now = n << 10
		case "VmHWM":
			peak = n << 10
		}
	}
	return now, peak
}

// signing benchmarks the S3 GET case of sigv4's BenchmarkCompare: the same
// request re-signed at a fixed time with a cached key, by sigv4 and by
// aws-sdk-go-v2's signer.
func signing() (alter, sdk testing.BenchmarkResult, err error) {
	at := time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)
	const u = "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/cat.jpg"
	creds := sigv4.Credentials{AccessKeyID: benchKeyID, SecretAccessKey: benchSecret}
	alter = testing.Benchmark(func(b *testing.B) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		opts := sigv4.Options{Region: "us-east-1", Service: "s3", Time: at, PayloadHash: sigv4.UnsignedPayload}
		var s sigv4.Signer
		if err = s.Sign(req, creds, opts); err != nil {
			return
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			s.Sign(req, creds, opts)
		}
	})
	sdk = testing.Benchmark(func(b *testing.B) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		s := awsv4.NewSigner(func(o *awsv4.SignerOptions) { o.DisableURIPathEscaping = true })
		ac := aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}
		ctx := context.Background()
		req.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
		if err = s.SignHTTP(ctx, ac, req, sigv4.UnsignedPayload, "s3", "us-east-1", at); err != nil {
			return
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			req.Header["X-Amz-Content-Sha256"][0] = sigv4.UnsignedPayload
			s.SignHTTP(ctx, ac, req, sigv4.UnsignedPayload, "s3", "us-east-1", at)
		}
	})
	return alter, sdk, err
}

func sortLat(l latencies) latencies {
	slices.Sort(l)
	return l
}
