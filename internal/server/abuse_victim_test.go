package server_test

import (
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/server"
)

// victimQuery is the job board's page: what a frontend sends on every visit.
const victimQuery = `{ jobOpenings(first: 20, filter: {statuses: [OPEN]}, orderBy: {field: POSTED_ON, direction: DESC}) {
	totalCount pageInfo { hasNextPage endCursor } edges { node { id title { en } provider { name { en } } requiredSkills { level skill { code } } } } } }`

// attackQuery is about the costliest request an anonymous caller may send (a fifth word
// passes the budget): four words compared with the typo list, counted, 20 results with
// their highlights.
const attackQuery = `{ search(query: "weldng robt mashine opertor", first: 20) { totalCount edges { score node { __typename } highlights { field } } } }`

// One anonymous client sending the costliest requests it may, as fast as twelve loops
// can, must leave another client its latency: the victim's p99 while the attack runs stays
// under twice its quiet p99. With the request rate and in-flight limits alone the attacker
// ran its 20 requests a second of the costliest search, eight at a time, and the victim's
// p99 rose 3 to 12 times; the cost rate (--cost-rate) and the work in flight
// (--max-work-in-flight) hold it to about a quarter of a CPU-second a second, one costly
// request at a time.
func TestAbuseCostlyAttackerLeavesOtherClientsTheirLatency(t *testing.T) {
	if os.Getenv(SoakEnv) == "" {
		t.Skip("a latency measurement, meaningful only on a machine doing nothing else: set " + SoakEnv + " (make soak)")
	}
	db := abuseDatabase(t)
	for _, tt := range []struct {
		name     string
		work     int
		costRate float64
		check    bool
	}{{"with the request rate and in-flight limits only", -1, -1, false}, {"with the default limits", 0, 0, true}} {
		t.Run(tt.name, func(t *testing.T) {
			ts := startConfiguredServer(t, db, func(c *server.Config) {
				c.MaxInFlight, c.MaxWorkInFlight, c.CostRate = 0, tt.work, tt.costRate
				// The defaults of a served server: refusals cost little, but not nothing.
				c.RateLimit = server.RateLimit{Rate: 20, Burst: 60, ClientIPHeader: "X-Forwarded-For"}
			})
			victim := func(n int) time.Duration {
				var took []time.Duration
				for range n {
					start := time.Now()
					e := gql(t, ts, victimQuery, nil, map[string]string{"X-Forwarded-For": "203.0.113.7"})
					took = append(took, time.Since(start))
					if e.status != 200 || len(e.resp.Errors) > 0 {
						t.Fatalf("victim: %d %s", e.status, e.raw)
					}
					time.Sleep(60 * time.Millisecond) // within the victim's own rate limit
				}
				slices.Sort(took)
				return took[len(took)*99/100]
			}
			victim(20) // warm the caches and the prepared statements
			quiet := victim(200)

			stop := make(chan struct{})
			var wg sync.WaitGroup
			var ran, refused atomic.Int64
			var firstRefusal atomic.Pointer[string]
			for range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						e := gql(t, ts, attackQuery, nil, map[string]string{"X-Forwarded-For": "198.51.100.66"})
						if e.status == 200 && len(e.resp.Errors) == 0 {
							ran.Add(1)
							continue
						}
						refused.Add(1)
						if c := e.code(); c != "RATE_LIMITED" && c != "TOO_MANY_IN_FLIGHT" {
							firstRefusal.CompareAndSwap(nil, &c)
						}
						if e.status == 429 {
							// A client told to wait does: its next request would be refused too.
							time.Sleep(50 * time.Millisecond)
						}
					}
				}()
			}
			time.Sleep(500 * time.Millisecond) // the attack at full speed before measuring
			attacked := victim(200)
			close(stop)
			wg.Wait()
			t.Logf("victim p99 %s quiet, %s under attack (%.2f×); the attacker ran %d requests, %d were refused",
				quiet.Round(100*time.Microsecond), attacked.Round(100*time.Microsecond), float64(attacked)/float64(quiet), ran.Load(), refused.Load())
			if c := firstRefusal.Load(); c != nil {
				t.Fatalf("the attack was refused with %s: it no longer measures a costly request the server accepts", *c)
			}
			if ran.Load() == 0 {
				t.Fatal("no attacking request ran")
			}
			if tt.check && attacked > 2*quiet {
				t.Errorf("the victim's p99 rose from %s to %s, more than twice", quiet, attacked)
			}
		})
	}
}

// The cost rate charges what an operation is estimated to cost, not one token: two of the
// costliest searches in a row empty a client's bucket, and the refusal says how long to
// wait, while other clients keep theirs.
func TestAbuseCostlyRequestsSpendTheClientsCostRate(t *testing.T) {
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.CostRate, c.CostBurst = 10_000, 50_000
		c.RateLimit.ClientIPHeader = "X-Forwarded-For"
	})
	attacker := map[string]string{"X-Forwarded-For": "198.51.100.66"}
	if e := gql(t, ts, attackQuery, nil, attacker); e.status != 200 || len(e.resp.Errors) > 0 {
		t.Fatalf("the first costly search: %d %s", e.status, e.raw)
	}
	e := gql(t, ts, attackQuery, nil, attacker)
	if e.status != 429 || e.code() != "RATE_LIMITED" || e.header.Get("Retry-After") == "" || e.header.Get("Retry-After") == "0" {
		t.Errorf("the second costly search: %d %s, Retry-After %q; want 429 RATE_LIMITED with a wait", e.status, e.raw, e.header.Get("Retry-After"))
	}
	if e := gql(t, ts, victimQuery, nil, map[string]string{"X-Forwarded-For": "203.0.113.7"}); e.status != 200 || len(e.resp.Errors) > 0 {
		t.Errorf("another client's page: %d %s", e.status, e.raw)
	}
}
