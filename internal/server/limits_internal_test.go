package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/alliance-graph/alliance-graph/graph"
)

func TestIdleClientsAreForgottenAndTheTableIsBounded(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newRateLimiter(RateLimit{Rate: 10, Burst: 20, MaxClients: 1000})
	l.now = func() time.Time { return now }
	for i := range 1000 {
		if ok, _ := l.allow(fmt.Sprintf("ip:%d", i)); !ok {
			t.Fatalf("client %d refused on its first request", i)
		}
	}
	if n := l.size(); n != 1000 {
		t.Fatalf("%d clients kept, want 1000", n)
	}
	// The table is full: newcomers share the overflow bucket (burst 20) until room
	// returns, instead of growing it.
	refused := 0
	for i := range 100 {
		if ok, _ := l.allow(fmt.Sprintf("new:%d", i)); !ok {
			refused++
		}
	}
	if l.size() != 1000 || refused != 80 {
		t.Fatalf("size %d, %d of 100 newcomers refused; want 1000 and 80", l.size(), refused)
	}
	// One busy client keeps its bucket; the others refill within burst/rate = 2 s and
	// are swept at the next sweep.
	for range 15 {
		l.allow("ip:7")
	}
	now = now.Add(500 * time.Millisecond)
	l.allow("ip:7")
	now = now.Add(sweepEvery)
	l.allow("ip:7")
	if n := l.size(); n > 2 {
		t.Fatalf("%d clients kept after they went idle, want at most 2", n)
	}
	// Forgetting a full bucket changes nothing: a returning client has its burst.
	for i := range 20 {
		if ok, _ := l.allow("ip:3"); !ok {
			t.Fatalf("returning client refused at request %d of its burst", i+1)
		}
	}
	if ok, wait := l.allow("ip:3"); ok || wait <= 0 || wait > 100*time.Millisecond {
		t.Fatalf("past its burst: ok %v, wait %v; want a wait of 1/rate", ok, wait)
	}
}

const benchDirectoryQuery = `{ organizations(first: 20, filter: {kinds: [SCHOOL, COMPANY]}) { totalCount edges { cursor node { id name { en zh } ... on School { level } ... on Company { industry park { name { en } } } } } } }`

// BenchmarkOperationLimits measures what the limits add to a request whose document is
// in the query cache (depth, complexity and NUL checks) and to one that is not (plus the
// lexer pass counting repeats).
func BenchmarkOperationLimits(b *testing.B) {
	es := graph.NewExecutableSchema(graph.Config{})
	doc, errs := gqlparser.LoadQuery(es.Schema(), benchDirectoryQuery)
	if errs != nil {
		b.Fatal(errs)
	}
	l := &operationLimits{maxDepth: DefaultMaxDepth, limits: Limits{}.withDefaults(), introspection: true}
	l.Validate(es)
	op := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
	b.Run("depth, complexity, NUL", func(b *testing.B) {
		for range b.N {
			if err := l.MutateOperationContext(context.Background(), op); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("repeats (uncached documents only)", func(b *testing.B) {
		for range b.N {
			mostRepeated(benchDirectoryQuery)
		}
	})
}
