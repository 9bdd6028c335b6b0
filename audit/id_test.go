package audit_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
)

// TestNewIDSortsInTimeOrder: an id made in a later millisecond sorts after
// one made earlier, across the digits of the time prefix, so the store's
// index of entry ids grows at its end.
func TestNewIDSortsInTimeOrder(t *testing.T) {
	now := time.Now()
	times := []time.Time{
		time.Unix(0, 0),
		time.Unix(0, int64(time.Millisecond)),
		time.Unix(0, 31*int64(time.Millisecond)),
		time.Unix(0, 32*int64(time.Millisecond)), // the last digit wraps
		time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC),
		now.Add(-time.Second),
		now.Add(-time.Millisecond),
		now,
		now.Add(time.Millisecond),
		now.Add(time.Hour),
		time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	slices.SortFunc(times, time.Time.Compare)
	var ids []string
	for _, at := range times {
		ids = append(ids, audit.NewIDAt(at))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Errorf("the id made at %v, %s, does not sort before the one made at %v, %s", times[i-1], ids[i-1], times[i], ids[i])
		}
	}
	// NewID itself, a millisecond apart.
	a := audit.NewID()
	time.Sleep(2 * time.Millisecond)
	if b := audit.NewID(); a >= b {
		t.Errorf("NewID made %s, and 2 ms later %s, which sorts before it", a, b)
	}
}

// TestNewIDIsRandomWithinAMillisecond: ids made in the same millisecond
// differ, pass ValidID, and every one of the 16 random characters varies.
func TestNewIDIsRandomWithinAMillisecond(t *testing.T) {
	at := time.Now()
	seen := map[string]bool{}
	varies := make([]map[byte]bool, 30)
	for i := range varies {
		varies[i] = map[byte]bool{}
	}
	for range 2000 {
		id := audit.NewIDAt(at)
		if !audit.ValidID(id) {
			t.Fatalf("ValidID(%q) = false for an id NewID made", id)
		}
		if seen[id] {
			t.Fatalf("two ids made in one millisecond are both %s", id)
		}
		seen[id] = true
		for i := range len(id) {
			varies[i][id[i]] = true
		}
	}
	for i := 14; i < 30; i++ {
		if len(varies[i]) < 16 {
			t.Errorf("character %d of the id takes %d values over 2,000 ids; a random one takes all 32", i, len(varies[i]))
		}
	}
	for i := 4; i < 14; i++ {
		if len(varies[i]) != 1 {
			t.Errorf("character %d, in the time prefix, varies within one millisecond", i)
		}
	}
	// Ids made before the time prefix (26 random characters of RFC 4648's
	// lower-case base32) stay valid: they are in audit trails and approvals.
	if old := "aud_" + strings.Repeat("q7", 13); !audit.ValidID(old) {
		t.Errorf("ValidID(%q) = false for an id of the old shape", old)
	}
}
