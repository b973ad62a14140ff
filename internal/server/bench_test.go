package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// Benchmarks of whole requests through a real HTTP server over the demo alliance:
//
//	go test -run '^$' -bench . -benchtime 200x ./internal/server
//
// Each reports SQL statements per request next to the time, so a change that breaks
// batching shows up even when it does not yet cost time on the demo data.

func benchmarkQuery(b *testing.B, q string, vars map[string]any) {
	benchmarkQueryOn(b, newServer(b), q, vars)
}

func benchmarkQueryOn(b *testing.B, ts *testServer, q string, vars map[string]any) {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	client := ts.Client()
	run := func() {
		res, err := client.Post(ts.URL+"/query", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
			b.Fatalf("status %d: %s", res.StatusCode, raw)
		}
	}
	run() // warm the parsed-query cache and the connection pool
	start := ts.statements.Load()
	b.ResetTimer()
	for range b.N {
		run()
	}
	b.StopTimer()
	b.ReportMetric(float64(ts.statements.Load()-start)/float64(b.N), "stmts/op")
}

func BenchmarkDirectoryPage(b *testing.B) {
	benchmarkQuery(b, `{ organizations(first: 20, filter: {kinds: [SCHOOL, COMPANY]}) { totalCount edges { cursor node { id name { en zh } ... on School { level } ... on Company { industry park { name { en } } } } } } }`, nil)
}

func BenchmarkJobBoardFiltered(b *testing.B) {
	benchmarkQuery(b, `{ jobOpenings(first: 20, filter: {statuses: [OPEN], minSalary: 6000}, orderBy: {field: SALARY_MAX, direction: DESC}) { edges { node { title { en } salary { min max } provider { name { en } } requiredSkills { level skill { code } } } } } }`, nil)
}

// A lookup by ID, whose statement costs PostgreSQL about 0.1 ms: what is left is the
// server's own cost per request.
func BenchmarkNodeLookup(b *testing.B) {
	benchmarkQuery(b, `query Node($id: ID!) { node(id: $id) { id ... on Organization { name { en zh } district foundedYear } } }`,
		map[string]any{"id": relay.ID(relay.TypeOrganization, 1)})
}

func BenchmarkNestedQuery5(b *testing.B)  { benchmarkQuery(b, deepQuery, map[string]any{"n": 5}) }
func BenchmarkNestedQuery50(b *testing.B) { benchmarkQuery(b, deepQuery, map[string]any{"n": 50}) }

// The same query through the resolvers and their loaders, as queries one statement
// cannot answer go.
func BenchmarkNestedQuery5Resolvers(b *testing.B) {
	benchmarkQueryOn(b, newServerWith(b, loader.DefaultTiming), deepQuery, map[string]any{"n": 5})
}

func BenchmarkNestedQuery50Resolvers(b *testing.B) {
	benchmarkQueryOn(b, newServerWith(b, loader.DefaultTiming), deepQuery, map[string]any{"n": 50})
}

// percentileMs is the p-th percentile of sorted latencies, in milliseconds.
func percentileMs(sorted []time.Duration, p float64) float64 {
	return float64(sorted[int(p*float64(len(sorted)-1))].Microseconds()) / 1000
}
