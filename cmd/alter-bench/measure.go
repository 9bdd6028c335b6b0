package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
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

// throughput runs clients goroutines, each with its own session made by
// open, calling for d, and returns the calls per second that succeeded.
func throughput[S any](clients int, d time.Duration, open func() (S, error), call func(S) error) (float64, error) {
	sessions := make([]S, clients)
	for i := range sessions {
		s, err := open()
		if err != nil {
			return 0, err
		}
		sessions[i] = s
	}
	var calls atomic.Int64
	var firstErr atomic.Value
	stop := time.Now().Add(d)
	start := time.Now()
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
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(calls.Load()) / time.Since(start).Seconds(), nil
}

// direct is the reference request: ListObjectsV2, signed in this process
// with sigv4 and sent to the fake endpoint over a kept-alive connection.
func direct(hc *http.Client, endpoint string) func() error {
	creds := sigv4.Credentials{AccessKeyID: benchKeyID, SecretAccessKey: benchSecret}
	return func() error {
		req, err := http.NewRequest(http.MethodGet, endpoint+"/bench-bucket?list-type=2&max-keys=100", nil)
		if err != nil {
			return err
		}
		if err := sigv4.Sign(req, creds, sigv4.Options{Region: "us-east-1", Service: "s3", PayloadHash: sigv4.UnsignedPayload}); err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("direct request: HTTP %d", resp.StatusCode)
		}
		return err
	}
}

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
