package console

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/vault"
)

// maxRows bounds the calls the timeline reads and shows.
const maxRows = 500

// filter is the timeline's filter, from the page's query string.
type filter struct {
	Caller, Grant, Session, Tool, Decision, Service, Since, Until string
}

func filterOf(r *http.Request) filter {
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return filter{Caller: get("caller"), Grant: get("grant"), Session: get("session"), Tool: get("tool"),
		Decision: get("decision"), Service: get("service"), Since: get("since"), Until: get("until")}
}

// when reads a time: RFC 3339, a date, or a duration back from now (24h).
func when(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write 2026-01-31, 2026-01-31T15:04:05Z or a duration such as 24h", s)
}

// matches applies the filters the audit query does not.
func (f filter) matches(e audit.Entry) bool {
	return (f.Grant == "" || f.Grant == e.GrantName || f.Grant == e.GrantID) &&
		(f.Session == "" || f.Session == e.SessionID) &&
		(f.Service == "" || strings.EqualFold(f.Service, e.Service))
}

// bar is one bar of a chart.
type bar struct {
	Label         string
	Calls, Denied int
	Pct           int // of the longest bar
}

type timelinePage struct {
	Filter             filter
	Error              string
	Calls              []audit.Entry
	Total, Denied      int
	Truncated          bool
	Denials            []audit.Entry
	ByGrant, ByCaller  []bar
	Chain              chainStatus
	Decisions, Callers []string
	Pending            int // writes waiting for approval
}

type chainStatus struct {
	OK      bool
	Records int64
	Problem string
}

func (c *Console) timeline(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := filterOf(r)
	p := timelinePage{Filter: f, Decisions: []string{"", audit.DecisionAllow, audit.DecisionDeny}}
	q := audit.Query{Caller: f.Caller, Tool: f.Tool, Decision: f.Decision, Limit: maxRows}
	var err error
	if q.Since, err = when(f.Since, c.now()); err == nil {
		q.Until, err = when(f.Until, c.now())
	}
	if err != nil {
		p.Error = err.Error()
		c.render(w, http.StatusBadRequest, "timeline.html", p)
		return
	}
	es, err := c.v.AuditLog().List(ctx, q)
	if err != nil {
		p.Error = "the audit trail could not be read: " + err.Error()
		c.render(w, http.StatusInternalServerError, "timeline.html", p)
		return
	}
	p.Truncated = len(es) == maxRows
	grants, callers := map[string]*bar{}, map[string]*bar{}
	for i := len(es) - 1; i >= 0; i-- { // newest first
		e := es[i]
		if !f.matches(e) {
			continue
		}
		p.Calls = append(p.Calls, e)
		p.Total++
		denied := e.Decision == audit.DecisionDeny
		if denied {
			p.Denied++
			if len(p.Denials) < 10 {
				p.Denials = append(p.Denials, e)
			}
		}
		for _, m := range []struct {
			bars map[string]*bar
			key  string
		}{{grants, cmp.Or(e.GrantName, e.GrantID, "(none)")}, {callers, cmp.Or(e.Caller, "(operator)")}} {
			b := m.bars[m.key]
			if b == nil {
				b = &bar{Label: m.key}
				m.bars[m.key] = b
			}
			b.Calls++
			if denied {
				b.Denied++
			}
		}
	}
	p.ByGrant, p.ByCaller = bars(grants), bars(callers)
	for _, b := range p.ByCaller {
		p.Callers = append(p.Callers, b.Label)
	}
	p.Chain = c.chain(r)
	if pending, err := c.v.Approvals(ctx, vault.ApprovalPending, 0); err == nil {
		p.Pending = len(pending)
	}
	c.render(w, http.StatusOK, "timeline.html", p)
}

// verifyEvery is how long a verification of the chain is shown before the
// chain is walked again: Verify reads every record.
const verifyEvery = 30 * time.Second

// chain verifies the hash chain, at most every verifyEvery.
func (c *Console) chain(r *http.Request) chainStatus {
	c.verifyMu.Lock()
	defer c.verifyMu.Unlock()
	if !c.verified.IsZero() && c.now().Sub(c.verified) < verifyEvery {
		return c.lastChain
	}
	rep, err := c.v.AuditLog().Verify(r.Context())
	switch {
	case err != nil:
		return chainStatus{Problem: "not verified: " + err.Error()} // tried again next time
	case rep.Problem != nil:
		c.lastChain = chainStatus{Records: rep.Records, Problem: rep.String()}
	default:
		c.lastChain = chainStatus{OK: true, Records: rep.Records}
	}
	c.verified = c.now()
	return c.lastChain
}

func bars(m map[string]*bar) []bar {
	out := make([]bar, 0, len(m))
	most := 1
	for _, b := range m {
		out = append(out, *b)
		most = max(most, b.Calls)
	}
	slices.SortFunc(out, func(a, b bar) int { return cmp.Or(b.Calls-a.Calls, strings.Compare(a.Label, b.Label)) })
	for i := range out {
		out[i].Pct = max(1, out[i].Calls*100/most)
	}
	return out
}

type detailPage struct {
	Entry   audit.Entry
	Records []audit.Entry
	JSON    string
	Context string
}

func (c *Console) detail(w http.ResponseWriter, r *http.Request) {
	e, recs, err := c.v.AuditLog().Get(r.Context(), r.PathValue("id"))
	if err != nil {
		c.render(w, http.StatusNotFound, "detail.html", detailPage{})
		return
	}
	b, _ := json.MarshalIndent(e, "", "  ")
	p := detailPage{Entry: e, Records: recs, JSON: string(b)}
	if len(e.Context) > 0 {
		p.Context = string(e.Context)
	}
	c.render(w, http.StatusOK, "detail.html", p)
}

var funcs = template.FuncMap{
	// decision is what an operator decided: an approval whose call has
	// since been sent was approved.
	"decision": func(status string) string {
		if status == vault.ApprovalSent {
			return vault.ApprovalApproved
		}
		return status
	},
	"ts": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"status": func(e audit.Entry) string {
		switch {
		case e.Status != 0:
			return fmt.Sprint(e.Status)
		case e.Outcome != "":
			return e.Outcome
		}
		return "running"
	},
	// until is how long from now to t, to the second; "0s" once past.
	"until": func(now, t time.Time) string { return max(t.Sub(now), 0).Round(time.Second).String() },
}
