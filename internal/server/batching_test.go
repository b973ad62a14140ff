package server_test

import (
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/loader"
)

// settled batches only when a level of the query has surely reached its loaders: on a
// busy machine, and under the race detector, gqlgen's fan-out over thousands of objects
// takes tens of milliseconds, and this test is about which loads are batched, not about
// timing.
var settled = loader.Timing{Idle: 20 * time.Millisecond, MaxWait: 10 * time.Second, Settle: true}

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
	ts := newServerWith(t, settled)
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
	ts := newServerWith(t, settled)
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
