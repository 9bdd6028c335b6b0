package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/store"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sqlite:///var/lib/alter/alter.db", "sqlite:///var/lib/alter/alter.db"},
		{"postgres://alter@db.internal/alter", "postgres://alter@db.internal/alter"},
		{"postgres://alter:s3cret@db.internal:5432/alter?sslmode=require", "postgres://alter:xxxxx@db.internal:5432/alter?sslmode=require"},
		{"postgresql://alter:p%40ss@db/alter", "postgresql://alter:xxxxx@db/alter"},
		{"postgres://db/alter?user=alter&password=s3cret&sslmode=verify-full", "postgres://db/alter?user=alter&password=xxxxx&sslmode=verify-full"},
		{"postgres://alter:bad%zzpw@db/alter", "postgres://alter:xxxxx@db/alter"},
		{"host=db user=alter password=s3cret dbname=alter", "host=db user=alter password=xxxxx dbname=alter"},
		{`host=db password='it\'s secret' dbname=alter`, "host=db password=xxxxx dbname=alter"},
		{"host=db PASSWORD = s3cret", "host=db PASSWORD = xxxxx"},
	} {
		got := store.Redact(tc.in)
		if got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "p%40ss") {
			t.Errorf("Redact(%q) = %q shows the password", tc.in, got)
		}
	}
}

// fakeStore is a store.Store that only knows its URL.
type fakeStore struct {
	store.Store
	url string
}

func TestOpenByScheme(t *testing.T) {
	errDown := errors.New("connection refused")
	store.Register("opentest", func(_ context.Context, url string) (store.Store, error) {
		if strings.Contains(url, "down") {
			return nil, errDown
		}
		return fakeStore{url: url}, nil
	})
	if !slices.Contains(store.Schemes(), "opentest") {
		t.Errorf("Schemes() = %v lacks opentest", store.Schemes())
	}

	s, err := store.Open(t.Context(), "OpenTest://u:pw@h/db")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(fakeStore).url; got != "OpenTest://u:pw@h/db" {
		t.Errorf("the driver got %q, want the URL as given", got)
	}

	if _, err = store.Open(t.Context(), "opentest://u:s3cret@down/db"); !errors.Is(err, errDown) {
		t.Errorf("a failing driver: %v; want its error", err)
	}

	for _, tc := range []struct{ url, want string }{
		{"mysql://u:s3cret@h/db", `no driver for "mysql"`},
		{"postgres://u:s3cret@h/db", `import _ "github.com/alter-mcp/alter-mcp/store/postgres"`},
		{"/var/lib/alter.db", "not a URL"},
	} {
		_, err := store.Open(t.Context(), tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q): %v; want an error saying %q without the password", tc.url, err, tc.want)
		}
	}

	defer func() {
		if recover() == nil {
			t.Error("a second Register of one scheme did not panic")
		}
	}()
	store.Register("opentest", func(context.Context, string) (store.Store, error) { return nil, nil })
}
