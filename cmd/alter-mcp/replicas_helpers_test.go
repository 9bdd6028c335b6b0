//go:build unix

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/postgres"
)

// fakeSTS answers every request as STS GetCallerIdentity, after delay, with
// a request id of its own ("req-1", "req-2", ...), and counts the requests:
// what reached AWS.
type fakeSTS struct {
	*httptest.Server
	requests atomic.Int64
	delay    atomic.Int64 // nanoseconds
}

func newFakeSTS(t *testing.T) *fakeSTS {
	f := &fakeSTS{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n := f.requests.Add(1)
		time.Sleep(time.Duration(f.delay.Load()))
		w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("req-%d", n))
		io.WriteString(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/agent</Arn>`+
			`<Account>123456789012</Account><UserId>AIDAEXAMPLE</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	}))
	t.Cleanup(f.Close)
	return f
}

// sharedEnv is the configuration every replica and command shares: the
// store's URL, one master key, AWS routed to the fake. Each process gets a
// home of its own, so that nothing is shared but the database.
func sharedEnv(t *testing.T, storeURL, awsURL string) map[string]string {
	key := make([]byte, 32)
	rand.Read(key)
	return map[string]string{
		"ALTER_MCP_STORE":       storeURL,
		"ALTER_MCP_MASTER_KEY":  base64.StdEncoding.EncodeToString(key),
		"AWS_ENDPOINT_URL":      awsURL,
		"ALTER_MCP_HOME":        filepath.Join(t.TempDir(), "operator"),
		"AWS_ACCESS_KEY_ID":     testKeyID,
		"AWS_SECRET_ACCESS_KEY": testSecret,
	}
}

// sharedEnvWithKey is env with a new master key in ALTER_MCP_MASTER_KEY and
// the store's, old, in ALTER_MCP_MASTER_KEY_PREVIOUS: how replicas start
// before a rekey.
func sharedEnvWithKey(env map[string]string, old string) map[string]string {
	e := maps.Clone(env)
	key := make([]byte, 32)
	rand.Read(key)
	e["ALTER_MCP_MASTER_KEY"] = base64.StdEncoding.EncodeToString(key)
	e["ALTER_MCP_MASTER_KEY_PREVIOUS"] = old
	return e
}

// replica is `alter-mcp serve --transport http --stateless` in a process
// of its own.
type replica struct {
	*proc
	url string
}

func startReplica(t *testing.T, env map[string]string, name string) *replica {
	t.Helper()
	e := maps.Clone(env)
	e["ALTER_MCP_HOME"] = filepath.Join(t.TempDir(), name)
	e["ALTER_MCP_LOG_FORMAT"] = "json"
	delete(e, "AWS_ACCESS_KEY_ID")
	delete(e, "AWS_SECRET_ACCESS_KEY")
	p := startProgram(t, e, "serve", "--transport", "http", "--listen", "127.0.0.1:0", "--stateless")
	return &replica{proc: p, url: waitForURL(t, p)}
}

// roundRobin is a load balancer in front of the replicas' URLs: each
// request goes to the next replica, so that one client's initialize, list
// and calls land on different replicas. It returns its URL.
func roundRobin(t *testing.T, urls ...string) string {
	var targets []*url.URL
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, &url.URL{Scheme: u.Scheme, Host: u.Host})
	}
	var next atomic.Uint64
	srv := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[next.Add(1)%uint64(len(targets))])
		},
		FlushInterval: -1,
	})
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// mcpClient connects an MCP client to url with an API key.
func mcpClient(t *testing.T, url, key string) (*client.Client, error) {
	tp, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key}))
	if err != nil {
		return nil, err
	}
	c := client.NewClient(tp)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	var req mcp.InitializeRequest
	req.Params.ClientInfo = mcp.Implementation{Name: "replica-test", Version: "1"}
	_, err = c.Initialize(ctx, req)
	return c, err
}

// whoamiCall calls aws_whoami with reason; a tool error comes back as an
// error with the tool's text.
func whoamiCall(ctx context.Context, c *client.Client, reason string) error {
	var req mcp.CallToolRequest
	req.Params.Name = "aws_whoami"
	req.Params.Arguments = map[string]any{"grant_id": "sts", "reason": reason}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return err
	}
	if res.IsError {
		var text []string
		for _, c := range res.Content {
			if tc, ok := c.(mcp.TextContent); ok {
				text = append(text, tc.Text)
			}
		}
		return fmt.Errorf("tool error: %s", strings.Join(text, " "))
	}
	return nil
}

// load runs clients against the replicas' URLs, workers clients on each,
// each calling aws_whoami with reasons "tag-url index-worker-call", until
// calls calls are made or stop is closed or a call fails. It returns the
// reasons of the calls that succeeded and the first error of each client.
func load(t *testing.T, key, tag string, urls []string, workers, calls int, stop <-chan struct{}) (ok []string, errs []error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for u, url := range urls {
		for w := range workers {
			wg.Go(func() {
				c, err := mcpClient(t, url, key)
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("connect to %s: %w", url, err))
					mu.Unlock()
					return
				}
				for i := 0; i < calls; i++ {
					select {
					case <-stop:
						return
					default:
					}
					reason := fmt.Sprintf("%s-%d-%d-%d", tag, u, w, i)
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					err := whoamiCall(ctx, c, reason)
					cancel()
					mu.Lock()
					if err != nil {
						errs = append(errs, fmt.Errorf("%s: %w", reason, err))
					} else {
						ok = append(ok, reason)
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			})
		}
	}
	wg.Wait()
	return ok, errs
}

// trail is the audit log as stored, by entry.
type trail struct {
	records  int
	entries  map[string]*entryRecords // by entry id
	byReason map[string]*entryRecords
}

// entryRecords are the records of one entry (one call).
type entryRecords struct {
	begin, end, interrupted []audit.Entry
}

// readTrail reads every record of the store at storeURL.
//
// A replica answers a call once its begin record is committed and its end
// queued (audit.Log.EndLater), so the ends of the last calls may still be
// on their way: readTrail reads again, for up to 5 s, until every entry has
// its end or interrupted record.
func readTrail(t *testing.T, storeURL string) trail {
	t.Helper()
	s, err := postgres.Open(t.Context(), storeURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var recs []store.AuditRecord
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if recs, err = s.ListAudit(t.Context(), store.AuditQuery{}); err != nil {
			t.Fatal(err)
		}
		closed := map[string]int{}
		for _, r := range recs {
			if r.Kind == audit.KindBegin {
				closed[r.EntryID] += 0
			} else {
				closed[r.EntryID]++
			}
		}
		if !slices.Contains(slices.Collect(maps.Values(closed)), 0) || time.Now().After(deadline) {
			break
		}
	}
	tr := trail{records: len(recs), entries: map[string]*entryRecords{}, byReason: map[string]*entryRecords{}}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has Seq %d: the log has a gap", i+1, r.Seq)
		}
		var e audit.Entry
		if err := json.Unmarshal(r.Data, &e); err != nil {
			t.Fatalf("record %d: %v", r.Seq, err)
		}
		er := tr.entries[r.EntryID]
		if er == nil {
			er = &entryRecords{}
			tr.entries[r.EntryID] = er
		}
		switch r.Kind {
		case audit.KindBegin:
			er.begin = append(er.begin, e)
			if e.Reason != "" {
				if tr.byReason[e.Reason] != nil {
					t.Errorf("two entries have the reason %q: a call was audited twice", e.Reason)
				}
				tr.byReason[e.Reason] = er
			}
		case audit.KindEnd:
			er.end = append(er.end, e)
		case audit.KindInterrupted:
			er.interrupted = append(er.interrupted, e)
		}
	}
	return tr
}

// check fails t unless every entry has one begin record and one end or
// interrupted record, and every request id AWS gave is recorded once; it
// returns how many entries were interrupted.
func (tr trail) check(t *testing.T, awsRequests int64) (interrupted int) {
	t.Helper()
	ids := map[string]bool{}
	for id, er := range tr.entries {
		switch {
		case len(er.begin) != 1:
			t.Errorf("entry %s has %d begin records", id, len(er.begin))
		case len(er.end)+len(er.interrupted) != 1:
			t.Errorf("entry %s (%s) has %d end and %d interrupted records, want one of them", id, er.begin[0].Reason, len(er.end), len(er.interrupted))
		}
		interrupted += len(er.interrupted)
		for _, e := range er.end {
			if e.RequestID == "" {
				continue
			}
			if ids[e.RequestID] {
				t.Errorf("AWS request %s is recorded twice", e.RequestID)
			}
			ids[e.RequestID] = true
		}
	}
	if int64(len(ids)) > awsRequests {
		t.Errorf("%d request ids recorded, but AWS saw %d requests", len(ids), awsRequests)
	}
	return interrupted
}
