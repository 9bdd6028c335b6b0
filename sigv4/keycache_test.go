package sigv4_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

func signWith(t *testing.T, s *sigv4.Signer, creds sigv4.Credentials, region string, at time.Time) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	if err := s.Sign(req, creds, sigv4.Options{Region: region, Service: "sts", Time: at}); err != nil {
		t.Fatal(err)
	}
	return req.Header.Get("Authorization")
}

// A rotated secret under the same key id, day, region and service must not
// reuse the key derived from the old secret.
func TestKeyCacheRotatedSecret(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	cache := &sigv4.KeyCache{}
	cached := &sigv4.Signer{Keys: cache}
	old := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "old-secret"}
	rotated := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "new-secret"}

	a1 := signWith(t, cached, old, "us-east-1", at)
	a2 := signWith(t, cached, rotated, "us-east-1", at)
	fresh := signWith(t, &sigv4.Signer{Keys: &sigv4.KeyCache{}}, rotated, "us-east-1", at)
	if a1 == a2 {
		t.Fatal("the rotated secret signed like the old one")
	}
	if a2 != fresh {
		t.Fatalf("signature with a rotated secret differs from an uncached signer's:\n%s\n%s", a2, fresh)
	}
	// The day turning over derives a new key too.
	next := signWith(t, cached, rotated, "us-east-1", at.Add(24*time.Hour))
	nextFresh := signWith(t, &sigv4.Signer{Keys: &sigv4.KeyCache{}}, rotated, "us-east-1", at.Add(24*time.Hour))
	if next != nextFresh {
		t.Fatal("a cached key of yesterday signed today's request")
	}
}

func TestKeyCacheBounded(t *testing.T) {
	cache := &sigv4.KeyCache{Size: 8}
	s := &sigv4.Signer{Keys: cache}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 100 {
		signWith(t, s, sigv4.Credentials{AccessKeyID: fmt.Sprintf("AKID%03d", i), SecretAccessKey: "s"}, "us-east-1", at)
	}
	if n := cache.Len(); n > 8 || n == 0 {
		t.Fatalf("cache holds %d keys, bound is 8", n)
	}
	cache.Purge()
	if cache.Len() != 0 {
		t.Fatal("Purge left keys")
	}
}

// Concurrent signers with distinct and shared keys agree with an uncached
// signer; run under -race this also checks the cache's locking.
func TestKeyCacheConcurrent(t *testing.T) {
	cache := &sigv4.KeyCache{Size: 16}
	s := &sigv4.Signer{Keys: cache}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	want := map[string]string{}
	for _, r := range regions {
		for k := range 8 {
			c := sigv4.Credentials{AccessKeyID: fmt.Sprintf("AKID%d", k), SecretAccessKey: fmt.Sprintf("secret-%d", k)}
			want[r+c.AccessKeyID] = signWith(t, &sigv4.Signer{Keys: &sigv4.KeyCache{}}, c, r, at)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				k := (g + i) % 8
				r := regions[i%len(regions)]
				c := sigv4.Credentials{AccessKeyID: fmt.Sprintf("AKID%d", k), SecretAccessKey: fmt.Sprintf("secret-%d", k)}
				req, _ := http.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil)
				if err := s.Sign(req, c, sigv4.Options{Region: r, Service: "sts", Time: at}); err != nil {
					errs <- err.Error()
					return
				}
				if got := req.Header.Get("Authorization"); got != want[r+c.AccessKeyID] {
					errs <- "mismatch for " + r + c.AccessKeyID
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Deriving a key drops the entries that will not be used again: the same key
// id's under its old secret, and those of days before yesterday.
func TestKeyCacheDropsStale(t *testing.T) {
	cache := &sigv4.KeyCache{}
	s := &sigv4.Signer{Keys: cache}
	day1 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	old := sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "old-secret"}
	other := sigv4.Credentials{AccessKeyID: "AKIAI44QH8DHBEXAMPLE", SecretAccessKey: "other-secret"}
	signWith(t, s, old, "us-east-1", day1)
	signWith(t, s, old, "eu-west-1", day1)
	signWith(t, s, other, "us-east-1", day1)
	if n := cache.Len(); n != 3 {
		t.Fatalf("cache holds %d keys, want 3", n)
	}
	rotated := old
	rotated.SecretAccessKey = "new-secret"
	signWith(t, s, rotated, "us-east-1", day1)
	if n := cache.Len(); n != 2 { // the rotated key's, and the other key id's
		t.Fatalf("after rotation the cache holds %d keys, want 2", n)
	}
	signWith(t, s, other, "us-east-1", day1.AddDate(0, 0, 1))
	if n := cache.Len(); n != 3 { // yesterday's stay: a request may be signed just before midnight
		t.Fatalf("the next day the cache holds %d keys, want 3", n)
	}
	signWith(t, s, other, "us-east-1", day1.AddDate(0, 0, 2))
	if n := cache.Len(); n != 2 {
		t.Fatalf("two days later the cache holds %d keys, want 2 (yesterday's and today's)", n)
	}
}
