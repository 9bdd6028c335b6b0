package server

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/prom"
)

// DefaultMaxLabelValues bounds the values of each open-ended label (grant,
// caller, rule, tool, service, operation) of the metrics; see Metrics.
const DefaultMaxLabelValues = 100

// OtherLabel is the value a label takes once its set of values is full.
const OtherLabel = "other"

// Metrics are the server's Prometheus metrics, served by Handler (serve
// --metrics-listen). Calls are counted from the audit trail: Metrics is an
// audit.Sink, handed to the vault's audit log (vault.Options.AuditSinks), so
// that every call is counted once, as audited, with its decision and
// outcome, whichever tool or library path made it.
//
// Labels are bounded: grant and caller names are the operator's, rules and
// operations the code's, but each open-ended label keeps at most
// MaxLabelValues distinct values (the first seen); later ones are counted
// as "other", and alter_mcp_metrics_label_overflow_total says how often.
type Metrics struct {
	reg *prom.Registry

	calls         *prom.CounterVec
	awsLatency    *prom.HistogramVec
	auditCommit   *prom.HistogramVec
	toolRequests  *prom.CounterVec
	sessions      *prom.GaugeVec
	sessionsTotal *prom.CounterVec
	overflow      *prom.CounterVec

	now    func() time.Time
	labels map[string]*labelSet // by label name

	mu   sync.Mutex
	open map[string]Transport // sessions counted open, by id
}

// MetricsOptions configure NewMetrics.
type MetricsOptions struct {
	// MaxLabelValues bounds each open-ended label; 0 means
	// DefaultMaxLabelValues.
	MaxLabelValues int
	// Now is the clock of the audit commit latency; nil means time.Now.
	Now func() time.Time
}

// NewMetrics makes the metrics on their own registry, with the Go runtime's
// and the process's.
func NewMetrics(o MetricsOptions) *Metrics {
	if o.MaxLabelValues <= 0 {
		o.MaxLabelValues = DefaultMaxLabelValues
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Metrics{reg: &prom.Registry{Runtime: true}, now: o.Now, labels: map[string]*labelSet{}, open: map[string]Transport{}}
	for _, l := range []string{"tool", "grant", "caller", "rule", "service", "operation"} {
		m.labels[l] = &labelSet{max: o.MaxLabelValues, seen: map[string]bool{}}
	}
	m.calls = m.reg.NewCounterVec("alter_mcp_calls_total",
		"AWS calls through the vault, as audited: by tool, decision (allowed, denied, rate_limited, declined), rule that refused, outcome (AWS status class 2xx..5xx, network_error, error, denied, interrupted), grant and caller.",
		"tool", "decision", "rule", "outcome", "grant", "caller")
	m.awsLatency = m.reg.NewHistogramVec("alter_mcp_aws_call_duration_seconds",
		"Duration of allowed AWS calls, from the vault taking the call to the end of the answer's body, by service and operation.",
		[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}, "service", "operation")
	m.auditCommit = m.reg.NewHistogramVec("alter_mcp_audit_commit_duration_seconds",
		"Time from an audit record being prepared to its commit in the store (group commit wait included): what a call waits before it is sent.",
		[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5})
	m.toolRequests = m.reg.NewCounterVec("alter_mcp_tool_requests_total",
		"MCP tools/call requests, by tool and result (ok, or error when the tool answered with an error).", "tool", "result")
	m.sessions = m.reg.NewGaugeVec("alter_mcp_sessions", "MCP sessions open now, by transport.", "transport")
	m.sessionsTotal = m.reg.NewCounterVec("alter_mcp_sessions_opened_total", "MCP sessions opened, by transport.", "transport")
	m.overflow = m.reg.NewCounterVec("alter_mcp_metrics_label_overflow_total",
		"Observations whose label value was counted as \"other\" because the label already had its maximum number of values, by label.", "label")
	return m
}

// Handler serves the metrics in Prometheus's text exposition format.
func (m *Metrics) Handler() http.Handler { return m.reg.Handler() }

// Append counts one committed audit record (audit.Sink). Every record gives
// the commit latency; an entry's end (or interrupted) record counts the
// call and, when it was sent, its duration.
func (m *Metrics) Append(_ context.Context, e audit.Entry) error {
	if !e.RecordedAt.IsZero() {
		m.auditCommit.Observe(max(m.now().Sub(e.RecordedAt), 0).Seconds())
	}
	if e.Kind == audit.KindBegin {
		return nil
	}
	m.calls.Inc(
		m.label("tool", orNone(e.Tool)),
		decisionOf(e),
		m.label("rule", orNone(e.Rule)),
		outcomeOf(e),
		m.label("grant", orNone(e.GrantName)),
		m.label("caller", orNone(e.Caller)),
	)
	if e.Decision == audit.DecisionAllow && e.Attempts > 0 {
		m.awsLatency.Observe(float64(e.DurationMS)/1000, m.label("service", orNone(e.Service)), m.label("operation", orNone(e.Operation)))
	}
	return nil
}

// decisionOf names the decision of e: allowed, rate_limited, declined (the
// user or a client that cannot ask refused a write) or denied.
func decisionOf(e audit.Entry) string {
	switch {
	case e.Decision == audit.DecisionAllow:
		return "allowed"
	case e.Rule == "rate" || e.Rule == "caller_rate": // policy.RuleRate, policy.RuleCallerRate
		return "rate_limited"
	case e.Rule == "confirm_writes": // tools' ruleConfirmWrites, given to vault.Decline
		return "declined"
	}
	return "denied"
}

// outcomeOf is the class of AWS's status (2xx, 4xx, ...) when AWS answered,
// else the audit's outcome (network_error, error, denied, interrupted).
func outcomeOf(e audit.Entry) string {
	if e.Status >= 100 && e.Status < 600 {
		return strconv.Itoa(e.Status/100) + "xx"
	}
	return orNone(e.Outcome)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// toolRequest counts a tools/call request.
func (m *Metrics) toolRequest(tool string, isError bool) {
	result := "ok"
	if isError {
		result = "error"
	}
	m.toolRequests.Inc(m.label("tool", tool), result)
}

// sessionOpened and sessionClosed count the sessions of a transport; a
// session is counted closed once, and only if it was counted open.
func (m *Metrics) sessionOpened(id string, t Transport) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.open[id]; ok || id == "" {
		return
	}
	m.open[id] = t
	m.sessions.Add(1, string(t))
	m.sessionsTotal.Inc(string(t))
}

func (m *Metrics) sessionClosed(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.open[id]; ok {
		delete(m.open, id)
		m.sessions.Add(-1, string(t))
	}
}

// label returns v, or OtherLabel once name already has its maximum number
// of values and v is not one of them.
func (m *Metrics) label(name, v string) string {
	if m.labels[name].admit(v) {
		return v
	}
	m.overflow.Inc(name)
	return OtherLabel
}

// labelSet is the values a label has taken, at most max.
type labelSet struct {
	mu   sync.RWMutex
	max  int
	seen map[string]bool
}

func (s *labelSet) admit(v string) bool {
	s.mu.RLock()
	ok, full := s.seen[v], len(s.seen) >= s.max
	s.mu.RUnlock()
	if ok || v == OtherLabel {
		return true
	}
	if full {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seen) >= s.max && !s.seen[v] {
		return false
	}
	s.seen[v] = true
	return true
}
