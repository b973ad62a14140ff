package server_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

const deepQuery = `query($n: Int!) {
	alliance {
		members(first: $n) {
			edges { node {
				role
				organization {
					name { en }
					partnerships(first: 10) {
						edges { node {
							title { en }
							participants {
								role
								organization {
									name { zh }
									resources(first: 5) {
										edges { node { category title { en } provider { id } } }
									}
								}
							}
						} }
					}
				}
			} }
		}
	}
}`

// statementsFor runs a query and returns how many SQL statements it took.
func statementsFor(t *testing.T, ts *testServer, q string, vars map[string]any) int64 {
	t.Helper()
	before := ts.statements.Load()
	var out map[string]any
	ts.data(t, q, vars, &out)
	return ts.statements.Load() - before
}

func TestNestedQueryStatementsDoNotGrowWithPageSize(t *testing.T) {
	ts := newServerWith(t, loader.DefaultTiming)
	// alliance, members page, their organizations, partnership pages, participants,
	// participant organizations, resource pages; providers are already cached.
	const bound = 7
	counts := map[int]int64{}
	for _, n := range []int{5, 50} {
		counts[n] = statementsFor(t, ts, deepQuery, map[string]any{"n": n})
		if counts[n] > bound {
			t.Errorf("N=%d took %d statements, want at most %d", n, counts[n], bound)
		}
	}
	if counts[5] != counts[50] {
		t.Errorf("statements grow with the page size: N=5 took %d, N=50 took %d", counts[5], counts[50])
	}
}

func TestNestedQueryTakesOneStatementAtAnyPageSize(t *testing.T) {
	ts := newServer(t)
	for _, n := range []int{1, 5, 50} {
		if got := statementsFor(t, ts, deepQuery, map[string]any{"n": n}); got != 1 {
			t.Errorf("N=%d took %d statements; one statement builds the whole answer", n, got)
		}
	}
}

func TestTotalCountCostsOneStatementAndOnlyWhenAsked(t *testing.T) {
	ts := newServerWith(t, loader.DefaultTiming)
	without := statementsFor(t, ts, `{ organizations(first: 10) { edges { node { id } } } }`, nil)
	with := statementsFor(t, ts, `{ organizations(first: 10) { totalCount edges { node { id } } } }`, nil)
	if without != 1 || with != 2 {
		t.Errorf("statements without totalCount = %d (want 1), with = %d (want 2)", without, with)
	}
	nestedWithout := statementsFor(t, ts, `{ alliance { members(first: 30) { edges { node { organization { resources(first: 2) { edges { cursor } } } } } } } }`, nil)
	nestedWith := statementsFor(t, ts, `{ alliance { members(first: 30) { edges { node { organization { resources(first: 2) { totalCount edges { cursor } } } } } } } }`, nil)
	if nestedWith != nestedWithout+1 {
		t.Errorf("nested totalCount for 30 parents took %d extra statements, want 1", nestedWith-nestedWithout)
	}
}

// busyLoops keeps every core busy with n spinning goroutines until stop is called: the
// server's goroutines then wait for a processor as on a saturated machine, and any
// batching that depends on when they run splits its batches.
func busyLoops(n int) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 0
			for !done.Load() {
				for i := range 10000 {
					x += i
				}
			}
			_ = x
		}()
	}
	return func() { done.Store(true); wg.Wait() }
}

func TestStatementCountsHoldOnASaturatedMachine(t *testing.T) {
	ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement, c.Limits.MaxComplexity = false, -1 })
	queries := []struct {
		name string
		q    string
		vars map[string]any
	}{
		{"deep nested read, 5 members", deepQuery, map[string]any{"n": 5}},
		{"deep nested read, 50 members", deepQuery, map[string]any{"n": 50}},
		{"directory page with counts", `{ organizations(first: 20, filter: {kinds: [COMPANY]}) { totalCount pageInfo { hasNextPage endCursor }
			edges { cursor node { name { en } memberships { role } partnerships(first: 5) { totalCount edges { node { title { en } participants { organization { name { en } } } } } } } } } }`, nil},
		{"job board page", `{ jobOpenings(first: 20) { totalCount pageInfo { hasNextPage endCursor }
			edges { node { title { en } provider { name { en } } ... on JobOpening { requiredSkills { level skill { code name { en } } } } } } } }`, nil},
		{"recommendations with counts", `{ talents(first: 30, filter: {statuses: [JOB_SEEKING]}) { edges { node {
			recommendedOpenings(first: 3) { totalCount edges { score node { id } missingSkills { skill { code } } } } } } } }`, nil},
		{"search across kinds", `{ search(query: "Machine", first: 50) { totalCount edges { kind node { id
			... on Organization { name { en } }
			... on SharedResource { title { en } provider { id name { en } } }
			... on Partnership { title { en } participants { organization { name { en } } } } } } } }`, nil},
	}
	quiet := map[string]int64{}
	for _, q := range queries {
		quiet[q.name] = statementsFor(t, ts, q.q, q.vars)
	}
	stop := busyLoops(4 * runtime.GOMAXPROCS(0))
	defer stop()
	for round := range 3 {
		for _, q := range queries {
			if got := statementsFor(t, ts, q.q, q.vars); got != quiet[q.name] {
				t.Errorf("%s took %d statements on a quiet machine and %d with every core busy (round %d)", q.name, quiet[q.name], got, round+1)
			}
		}
	}
}
