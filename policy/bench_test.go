package policy_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// typical is a grant for reading reports from one bucket, with every list
// in use, as operators write them.
func typical() *policy.Policy {
	return &policy.Policy{
		AllowServices: []string{"s3"},
		AllowRegions:  []string{"eu-*", "us-east-1"},
		DenyRegions:   []string{"eu-south-*"},
		AllowMethods:  []string{"GET", "HEAD"},
		AllowActions:  []string{"s3:Get*", "s3:List*"},
		DenyActions:   []string{"s3:GetObjectAcl", "s3:GetBucketPolicy"},
		AllowHosts:    []string{"my-bucket.s3.*.amazonaws.com", "s3.**.amazonaws.com"},
		DenyHosts:     []string{"secret-*.**"},
		AllowPaths:    []string{"/reports/**", "/my-bucket/reports/**"},
		DenyPaths:     []string{"**/private/**"},
		ReadOnly:      true,
		RequireReason: true,
		MaxBodyBytes:  1 << 20,
		NotBefore:     at(t0.Add(-time.Hour)),
		Expires:       at(t0.Add(time.Hour)),
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p, in := typical(), getObject()
	if d := p.Evaluate(in); !d.Allow {
		b.Fatalf("typical call denied: %+v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		evalSink = p.Evaluate(in)
	}
}

func BenchmarkEvaluateDeny(b *testing.B) {
	p, in := typical(), putObject()
	if d := p.Evaluate(in); d.Allow {
		b.Fatal("a PutObject was allowed")
	}
	b.ReportAllocs()
	for b.Loop() {
		evalSink = p.Evaluate(in)
	}
}

func BenchmarkLimiterAllow(b *testing.B) {
	var l policy.Limiter
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1e9, Burst: 1 << 30}, CallerRate: &policy.Rate{PerSecond: 1e9, Burst: 1 << 30}}
	callers := make([]string, 64)
	for i := range callers {
		callers[i] = fmt.Sprint("caller-", i)
	}
	now := t0
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		evalSink = l.Allow("grt_1", callers[i%len(callers)], p, now)
		i++
	}
}

func BenchmarkInputFor(b *testing.B) {
	const raw = "https://my-bucket.s3.eu-west-1.amazonaws.com/reports/2024.csv"
	ep, err := urlparse.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	op := catalog.Identify(ep, "GET", "/reports/2024.csv", "", nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		evalInput = policy.InputFor(ep, op, "GET", "/reports/2024.csv")
	}
}

var (
	evalSink  policy.Decision
	evalInput policy.Input
)

// TestEvaluateAllocs holds the design goal: Evaluate does not allocate when
// it allows.
func TestEvaluateAllocs(t *testing.T) {
	p := typical()
	in := getObject()
	n := testing.AllocsPerRun(1000, func() { evalSink = p.Evaluate(in) })
	if !evalSink.Allow {
		t.Fatalf("typical call denied: %+v", evalSink)
	}
	if n != 0 {
		t.Errorf("Evaluate makes %v allocations per allowed call, want 0", n)
	}
	var l policy.Limiter
	rp := &policy.Policy{Rate: &policy.Rate{PerSecond: 1e9, Burst: 1 << 30}, CallerRate: &policy.Rate{PerSecond: 1e9, Burst: 1 << 30}}
	l.Allow("g", "alice", rp, t0)
	n = testing.AllocsPerRun(1000, func() { evalSink = l.Allow("g", "alice", rp, t0) })
	if !evalSink.Allow || n != 0 {
		t.Errorf("Limiter.Allow with existing buckets: %+v, %v allocations; want allow, 0", evalSink, n)
	}
}
