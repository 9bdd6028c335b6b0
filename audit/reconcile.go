package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Reconciliation joins the audit trail with CloudTrail, to prove that every
// use of a grant's key went through the vault. The audit side is indexed
// (by request id, and by principal, event source and name for the fallback):
// it holds only the calls the vault sent, while a trail holds every call of
// every principal of the account, so it is the larger side and is streamed,
// one record at a time, never held.
//
// Each CloudTrail event made with a grant's access key, or in one of a role
// grant's sessions, is looked up by its requestID; failing that, among the
// calls of the grants of that key or session, by eventSource and eventName within Tolerance of an audited call's span (a
// retried call has one request id per attempt, the audit keeps the last);
// failing that, a presigned-URL request (AuthenticationMethod QueryString)
// within the validity of a URL one of those grants presigned. An event none of them
// explains is a leak: the key was used outside the vault.
//
// Set the fields, add the audit (ReadAudit or AddEntry), read the trail
// (ReadTrailPath or ReadTrail with Event), then call Result.
type Reconciler struct {
	Keys TrailKeys
	// Since leaves out events and audited calls before it; zero reads all.
	Since time.Time
	// Tolerance is how far apart CloudTrail's eventTime (whole seconds)
	// and the audit's time may be for the fallback join; 0 is one minute.
	Tolerance time.Duration
	// MaxListed bounds the leaks and unlogged calls the Result lists (all
	// are counted); 0 is 1000.
	MaxListed int
	// Progress, when set, is called after each file and every 10,000
	// events with what was read so far.
	Progress func(TrailProgress)

	refs      []callRef
	byID      map[string]int
	byRequest map[string]int
	byOp      map[string][]int // principal \x00 source \x00 name → refs, by time
	presigns  map[string][]int // principal → refs of presigned URLs and tokens
	names     map[string]string
	// A principal is an access key id or an assumed-role ARN: what
	// CloudTrail names a caller by. Several grants may share one (grants of
	// one key with different policies).
	principalOf map[string]string   // grant → principal
	grantsOf    map[string][]string // principal → grants
	maxSpan     time.Duration
	indexed     bool
	res         Reconciliation
	latest      time.Time
}

// TrailKeys are the principals of the vault's grants as CloudTrail names
// them.
type TrailKeys struct {
	// AccessKeys maps a static grant's access key id to the names of the
	// grants that hold it.
	AccessKeys map[string][]string
	// Sessions are the role sessions of role grants.
	Sessions []RoleSession
}

// RoleSession is the session a role grant's AssumeRole names.
type RoleSession struct {
	Grant       string
	RoleARN     string // arn:aws:iam::123456789012:role/PATH/NAME
	SessionName string
}

// AssumedRoleARN is the ARN CloudTrail's userIdentity.arn gives a call
// made in this session: arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION
// (the role's path left out).
func (s RoleSession) AssumedRoleARN() string {
	parts := strings.SplitN(s.RoleARN, ":", 6)
	if len(parts) < 6 || !strings.HasPrefix(parts[5], "role/") {
		return ""
	}
	name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	return "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + name + "/" + s.SessionName
}

// TrailProgress is how far a reconciliation has read.
type TrailProgress struct {
	Files, FilesTotal int
	Events, Leaks     int
}

// Reconciliation is the result.
type Reconciliation struct {
	Files       int `json:"files"`
	Events      int `json:"events"`       // records read, since Since
	GrantEvents int `json:"grant_events"` // made with a grant's key or session
	OtherEvents int `json:"other_events"` // of other principals: not ours to judge
	Audited     int `json:"audited"`      // calls the vault sent, since Since
	Matched     int `json:"matched"`      // audited calls found in the trail
	// Presigned counts events of presigned URLs, within the validity of a
	// URL the audit says the vault presigned.
	Presigned int `json:"presigned"`
	// Leaks are events of a grant's key the audit has no call for.
	LeakCount int    `json:"leak_count"`
	Leaks     []Leak `json:"leaks"`
	// Unlogged are audited calls the trail does not have: data events
	// (S3 objects, Lambda invokes, ...) the trail does not record, or a
	// region it does not cover.
	UnloggedCount int        `json:"unlogged_count"`
	Unlogged      []Unlogged `json:"unlogged"`
	// Pending counts audited calls after the newest event read: CloudTrail
	// delivers within about 15 minutes, so they may still come.
	Pending int `json:"pending"`
	// Newest is the time of the newest event read.
	Newest time.Time `json:"newest_event,omitzero"`
}

// Clean reports whether no leak was found.
func (r *Reconciliation) Clean() bool { return r.LeakCount == 0 }

// Leak is an event of a grant's key that did not go through the vault.
type Leak struct {
	Grants []string `json:"grants"` // the grants of the key or role session
	File   string   `json:"file,omitempty"`
	TrailEvent
}

// Unlogged is an audited call the trail does not have.
type Unlogged struct {
	ID          string    `json:"id"`
	Time        time.Time `json:"time"`
	Grant       string    `json:"grant"`
	Caller      string    `json:"caller,omitempty"`
	EventSource string    `json:"event_source"`
	Operation   string    `json:"operation"`
	RequestID   string    `json:"request_id,omitempty"`
}

// callRef is what the index keeps of one audited call.
type callRef struct {
	id, requestID, grant, caller, source, name string
	key                                        string // the access key it was signed with, when the audit says
	time, expires                              time.Time
	span                                       time.Duration
	attempts, matched                          int
	skip                                       bool // not sent (the vault could not sign or send it)
}

func (r *Reconciler) intern(s string) string {
	if r.names == nil {
		r.names = map[string]string{}
	}
	if t, ok := r.names[s]; ok {
		return t
	}
	r.names[s] = s
	return s
}

// AddEntry indexes one audited call. An entry given again (a later record
// of it) replaces the earlier; denied calls and calls the vault could not
// send are left out.
func (r *Reconciler) AddEntry(e Entry) {
	if e.Decision != DecisionAllow {
		return
	}
	if r.byID == nil {
		r.byID = map[string]int{}
	}
	c := callRef{
		id: e.ID, requestID: e.RequestID, grant: r.intern(e.GrantName), caller: r.intern(e.Caller),
		source: r.intern(e.EventSource), name: r.intern(e.Operation), key: r.intern(e.AccessKeyID),
		time: e.Time, expires: e.Expires, span: time.Duration(e.DurationMS) * time.Millisecond,
		attempts: max(e.Attempts, 1), skip: e.Outcome == OutcomeError,
	}
	if i, ok := r.byID[e.ID]; ok {
		r.refs[i] = c
	} else {
		r.byID[e.ID] = len(r.refs)
		r.refs = append(r.refs, c)
	}
	r.indexed = false
}

// ReadAudit indexes the calls of the log since Since (less Tolerance, so
// that a call just before Since still explains an event just after it).
func (r *Reconciler) ReadAudit(ctx context.Context, l *Log) error {
	q := Query{Decision: DecisionAllow}
	if !r.Since.IsZero() {
		q.Since = r.Since.Add(-r.tolerance())
	}
	return l.scan(ctx, q, 0, func(rec store.AuditRecord) error {
		e, err := entryOf(rec)
		if err != nil {
			return err
		}
		if i, ok := r.byID[e.ID]; ok && e.Kind == KindInterrupted && r.refs[i].requestID != "" {
			return nil // an end record wins over an interrupted one
		}
		r.AddEntry(e)
		return nil
	})
}

func (r *Reconciler) tolerance() time.Duration { return cmp.Or(r.Tolerance, time.Minute) }

// index builds the lookups once the audit is added.
func (r *Reconciler) index() {
	if r.indexed {
		return
	}
	r.byRequest = make(map[string]int, len(r.refs))
	r.byOp, r.presigns = map[string][]int{}, map[string][]int{}
	r.principalOf, r.grantsOf = map[string]string{}, map[string][]string{}
	for key, grants := range r.Keys.AccessKeys {
		for _, g := range grants {
			r.principalOf[g] = key
		}
		r.grantsOf[key] = append(r.grantsOf[key], grants...)
	}
	for _, s := range r.Keys.Sessions {
		if arn := s.AssumedRoleARN(); arn != "" {
			r.principalOf[s.Grant] = arn
			r.grantsOf[arn] = append(r.grantsOf[arn], s.Grant)
		}
	}
	r.maxSpan, r.res.Audited = 0, 0
	for i := range r.refs {
		c := &r.refs[i]
		if c.skip {
			continue
		}
		// The key the audit says signed the call is its principal: a
		// rotated grant's old key, a role session's temporary key.
		p, ok := c.key, c.key != ""
		if ok && !slices.Contains(r.grantsOf[p], c.grant) {
			r.grantsOf[p] = append(r.grantsOf[p], c.grant)
		}
		if !ok {
			p, ok = r.principalOf[c.grant]
		}
		if !ok {
			p = "\x00" + c.grant // a grant CloudTrail does not name (a profile's)
		}
		if !c.expires.IsZero() {
			r.presigns[p] = append(r.presigns[p], i)
			continue
		}
		if c.requestID != "" {
			r.byRequest[c.requestID] = i
		}
		k := p + "\x00" + c.source + "\x00" + c.name
		r.byOp[k] = append(r.byOp[k], i)
		r.maxSpan = max(r.maxSpan, c.span)
		if r.Since.IsZero() || !c.time.Before(r.Since) {
			r.res.Audited++
		}
	}
	for _, is := range r.byOp {
		slices.SortFunc(is, func(a, b int) int { return r.refs[a].time.Compare(r.refs[b].time) })
	}
	r.indexed = true
}

// principal is the grants' principal an event was made by, or "".
func (r *Reconciler) principal(id *TrailIdentity) string {
	if _, ok := r.grantsOf[id.AccessKeyID]; ok && id.AccessKeyID != "" {
		return id.AccessKeyID
	}
	if _, ok := r.grantsOf[id.ARN]; ok && id.Type == "AssumedRole" && id.ARN != "" {
		return id.ARN
	}
	return ""
}

// Event reconciles one CloudTrail event, read from file.
func (r *Reconciler) Event(ev *TrailEvent, file string) {
	r.index()
	if !r.Since.IsZero() && ev.EventTime.Before(r.Since) {
		return
	}
	r.res.Events++
	if ev.EventTime.After(r.latest) {
		r.latest = ev.EventTime
	}
	g := r.principal(&ev.UserIdentity)
	if g == "" {
		r.res.OtherEvents++
		return
	}
	r.res.GrantEvents++
	if i, ok := r.byRequest[ev.RequestID]; ok && ev.RequestID != "" {
		r.match(i)
		return
	}
	if i := r.nearest(g, ev); i >= 0 {
		r.match(i)
		return
	}
	if r.presigned(g, ev) {
		r.res.Presigned++
		return
	}
	r.res.LeakCount++
	if len(r.res.Leaks) < r.maxListed() {
		r.res.Leaks = append(r.res.Leaks, Leak{Grants: r.grantsOf[g], File: file, TrailEvent: *ev})
	}
}

func (r *Reconciler) maxListed() int { return cmp.Or(r.MaxListed, 1000) }

func (r *Reconciler) match(i int) {
	if r.refs[i].matched == 0 && (r.Since.IsZero() || !r.refs[i].time.Before(r.Since)) {
		r.res.Matched++
	}
	r.refs[i].matched++
}

// nearest finds the audited call of this principal, source and name whose
// span holds the event's time, within Tolerance, that has attempts left to
// explain; -1 when there is none.
func (r *Reconciler) nearest(g string, ev *TrailEvent) int {
	is := r.byOp[g+"\x00"+ev.EventSource+"\x00"+ev.EventName]
	tol := r.tolerance()
	from := ev.EventTime.Add(-tol - r.maxSpan)
	k, _ := slices.BinarySearchFunc(is, from, func(i int, t time.Time) int { return r.refs[i].time.Compare(t) })
	best, bestGap := -1, time.Duration(-1)
	for ; k < len(is); k++ {
		c := &r.refs[is[k]]
		if c.time.After(ev.EventTime.Add(tol)) {
			break
		}
		if c.matched >= c.attempts || ev.EventTime.After(c.time.Add(c.span+tol)) {
			continue
		}
		gap := ev.EventTime.Sub(c.time).Abs()
		if best < 0 || gap < bestGap {
			best, bestGap = is[k], gap
		}
	}
	return best
}

// presigned reports whether ev is a presigned-URL request within the
// validity of a URL or token the vault issued for a grant of principal g.
func (r *Reconciler) presigned(g string, ev *TrailEvent) bool {
	if ev.AdditionalEventData.AuthenticationMethod != "QueryString" {
		return false
	}
	tol := r.tolerance()
	for _, i := range r.presigns[g] {
		c := &r.refs[i]
		if !ev.EventTime.Before(c.time.Add(-tol)) && !ev.EventTime.After(c.expires.Add(tol)) {
			return true
		}
	}
	return false
}

// ReadTrailPath reconciles every log file under path: one file, or a
// folder tree as CloudTrail writes it (AWSLogs/ACCOUNT/CloudTrail/REGION/
// YYYY/MM/DD/*.json.gz), digest files left out, and files delivered before
// Since skipped by their name.
func (r *Reconciler) ReadTrailPath(ctx context.Context, path string) error {
	files, err := trailFiles(path, r.Since)
	if err != nil {
		return fmt.Errorf("cloudtrail: %w", err)
	}
	return r.ReadTrailFiles(ctx, files)
}

// ReadTrailFiles reconciles the log files given, in their order, one
// record at a time.
func (r *Reconciler) ReadTrailFiles(ctx context.Context, files []TrailFile) error {
	read := 0
	for n, f := range files {
		err := readTrailFile(ctx, f, func(ev *TrailEvent) error {
			r.Event(ev, f.Name)
			if read++; r.Progress != nil && read%10000 == 0 {
				r.Progress(TrailProgress{Files: n, FilesTotal: len(files), Events: r.res.Events, Leaks: r.res.LeakCount})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("cloudtrail: %w", err)
		}
		r.res.Files++
		if r.Progress != nil {
			r.Progress(TrailProgress{Files: n + 1, FilesTotal: len(files), Events: r.res.Events, Leaks: r.res.LeakCount})
		}
	}
	return nil
}

// Result finishes the join: the audited calls no event explained are
// listed as unlogged, or counted as pending when they came after the
// newest event read.
func (r *Reconciler) Result() *Reconciliation {
	r.index()
	res := r.res
	res.Newest = r.latest
	res.Leaks = slices.Clone(r.res.Leaks)
	if res.Leaks == nil {
		res.Leaks = []Leak{}
	}
	res.Unlogged = []Unlogged{}
	for i := range r.refs {
		c := &r.refs[i]
		if c.skip || c.matched > 0 || !c.expires.IsZero() || !r.Since.IsZero() && c.time.Before(r.Since) {
			continue
		}
		if c.time.After(r.latest) {
			res.Pending++
			continue
		}
		res.UnloggedCount++
		if len(res.Unlogged) < r.maxListed() {
			res.Unlogged = append(res.Unlogged, Unlogged{ID: c.id, Time: c.time, Grant: c.grant, Caller: c.caller,
				EventSource: c.source, Operation: c.name, RequestID: c.requestID})
		}
	}
	return &res
}
