package tools

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// progressLog records the progress notifications a client receives.
type progressLog struct {
	mu   sync.Mutex
	msgs map[string][]string // by progress token
	nums map[string][]float64
}

func (p *progressLog) handle(n mcp.JSONRPCNotification) {
	if n.Method != string(mcp.MethodNotificationProgress) {
		return
	}
	f := n.Params.AdditionalFields
	tok := fmt.Sprint(f["progressToken"])
	msg, _ := f["message"].(string)
	var num float64
	switch v := f["progress"].(type) {
	case int:
		num = float64(v)
	case int64:
		num = float64(v)
	case float64:
		num = v
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.msgs == nil {
		p.msgs, p.nums = map[string][]string{}, map[string][]float64{}
	}
	p.msgs[tok] = append(p.msgs[tok], msg)
	p.nums[tok] = append(p.nums[tok], num)
}

func (p *progressLog) of(tok string) ([]string, []float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs[tok]), slices.Clone(p.nums[tok])
}

// waitFor waits until tok has n notifications, or a second has passed:
// the in-process transport delivers them on a goroutine of its own.
func (p *progressLog) waitFor(tok string, n int) []string {
	deadline := time.Now().Add(time.Second)
	for {
		msgs, _ := p.of(tok)
		if len(msgs) >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestProgressTail(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 3, "…llo"},
		{"héllo", 4, "…llo"}, // é is two bytes; the cut does not split it
		{"aé", 2, "…é"},
	} {
		if got := tail(tc.s, tc.n); got != tc.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
