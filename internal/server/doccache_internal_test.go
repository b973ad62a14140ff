package server

import (
	"context"
	"strings"
	"testing"
)

func TestSizedLRUHoldsToBothBounds(t *testing.T) {
	ctx := context.Background()
	size := func(k string, v string) int64 { return int64(len(v)) }
	type step struct {
		add   string // key=value to add
		get   string // key to read
		found bool
	}
	cases := []struct {
		name       string
		maxEntries int
		maxBytes   int64
		steps      []step
		entries    int
		bytes      int64
	}{
		{"within both bounds everything stays", 10, 100, []step{
			{add: "a=xx"}, {add: "b=yyy"}, {get: "a", found: true}, {get: "b", found: true},
		}, 2, 5},
		{"the byte bound drops the least recently used", 10, 10, []step{
			{add: "a=xxxx"}, {add: "b=yyyy"}, {get: "a", found: true}, {add: "c=zzzz"},
			{get: "b"}, {get: "a", found: true}, {get: "c", found: true},
		}, 2, 8},
		{"the entry bound drops the least recently used", 2, 1000, []step{
			{add: "a=x"}, {add: "b=y"}, {add: "c=z"}, {get: "a"}, {get: "b", found: true}, {get: "c", found: true},
		}, 2, 2},
		{"an entry larger than the whole budget is not kept", 10, 10, []step{
			{add: "a=xx"}, {add: "big=" + strings.Repeat("x", 11)}, {get: "big"}, {get: "a", found: true},
		}, 1, 2},
		{"adding a key again replaces it", 10, 10, []step{
			{add: "a=xxxx"}, {add: "a=yy"}, {get: "a", found: true},
		}, 1, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lru := newSizedLRU(c.maxEntries, c.maxBytes, size)
			for _, s := range c.steps {
				if s.add != "" {
					k, v, _ := strings.Cut(s.add, "=")
					lru.Add(ctx, k, v)
					continue
				}
				if _, ok := lru.Get(ctx, s.get); ok != s.found {
					t.Errorf("Get(%q) found %v, want %v", s.get, ok, s.found)
				}
			}
			if n, b := lru.usage(); n != c.entries || b != c.bytes {
				t.Errorf("holds %d entries, %d bytes; want %d, %d", n, b, c.entries, c.bytes)
			}
		})
	}
}

func TestDocumentsAreSizedByTheirText(t *testing.T) {
	if got := documentSize(strings.Repeat("x", 1000), nil); got != 26_000 {
		t.Errorf("a 1,000-byte document is estimated at %d bytes, want 26,000", got)
	}
	if got := querySize(strings.Repeat("x", 1000), ""); got != 1064 {
		t.Errorf("a 1,000-byte persisted query is estimated at %d bytes, want 1,064", got)
	}
}
