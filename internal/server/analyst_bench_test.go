package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// BenchmarkAnalystQueries answers each analyst question of the API through a real HTTP
// server over a fresh database holding the demo alliance at scale (100 by default, a
// 30-second load), and reports p50, p95 and p99 latency and SQL statements per request:
//
//	go test -run '^$' -bench AnalystQueries -benchtime 50x -timeout 30m ./internal/server
//
// ALLIANCE_BENCH_SCALE changes the scale. ALLIANCE_EXPLAIN=dir also writes, per query,
// the EXPLAIN (ANALYZE, BUFFERS) plan of every statement it sends, as run once more
// after the timing, into dir/<query>.txt.
func BenchmarkAnalystQueries(b *testing.B) {
	db := benchDatabase(b, benchScale(b))
	ts := startServer(b, db, loader.DefaultTiming)
	pick := func(q string) int64 {
		var k int64
		if err := db.DB.Get(&k, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		return k
	}
	hub := pick(`SELECT organization_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
	// An organization five links from the hub: the far end of a typical path question.
	far := pick(fmt.Sprintf(`WITH RECURSIVE walk(id, depth) AS (
			SELECT %d::bigint, 0
			UNION
			SELECT b.organization_id, walk.depth + 1 FROM walk
			JOIN partnership_participant a ON a.organization_id = walk.id
			JOIN partnership_participant b ON b.partnership_id = a.partnership_id
			WHERE walk.depth < 5)
		SELECT id FROM walk GROUP BY id HAVING min(depth) = 5 ORDER BY id LIMIT 1`, hub))
	opening := pick(`SELECT r.id FROM resource r JOIN resource_skill s ON s.resource_id = r.id
		WHERE r.category = 'JOB_OPENING' AND r.opening_status = 'OPEN' AND r.shared_with_all
		GROUP BY r.id ORDER BY count(*) DESC, r.id LIMIT 1`)
	talent := pick(`SELECT talent_id FROM talent_skill GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
	// One that still takes participants: the benchmark's network change adds one.
	partnership := pick(`SELECT x.partnership_id FROM partnership_participant x JOIN partnership p ON p.id = x.partnership_id
		WHERE x.organization_id = ` + strconv.FormatInt(hub, 10) + ` AND p.status IN ('PROPOSED', 'SIGNED', 'ACTIVE') ORDER BY 1 LIMIT 1`)
	vars := map[string]any{
		"hub": relay.ID(relay.TypeOrganization, hub), "far": relay.ID(relay.TypeOrganization, far),
		"opening": relay.ID(relay.TypeResource, opening), "talent": relay.ID(relay.TypeTalent, talent),
		"partnership": relay.ID(relay.TypePartnership, partnership),
	}
	admin := auth.Viewer{Role: auth.RoleAdmin}
	for _, q := range analystQueries {
		b.Run(q.name, func(b *testing.B) {
			body, _ := json.Marshal(map[string]any{"query": q.query, "variables": vars})
			header := http.Header{"Content-Type": {"application/json"}}
			if q.admin {
				header.Set("Authorization", "Bearer "+ts.token(b, admin))
			}
			run := func() {
				req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
				req.Header = header
				res, err := ts.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
					b.Fatalf("%s: status %d: %s", q.name, res.StatusCode, raw)
				}
			}
			change := func() {
				// The far organization joins the hub's partnership, or leaves it again: a
				// change of who is linked to whom, which moves ranks.
				var p struct {
					Node struct {
						Version      int
						Participants []struct{ Organization struct{ ID string } }
					}
				}
				r := ts.queryAs(b, admin, `query($id: ID!) { node(id: $id) { ... on Partnership { version participants { organization { id } } } } }`, map[string]any{"id": vars["partnership"]})
				if err := json.Unmarshal(r.Data, &p); err != nil || len(r.Errors) > 0 {
					b.Fatalf("read the partnership: %v %+v", err, r.Errors)
				}
				input := map[string]any{"partnershipId": vars["partnership"], "version": p.Node.Version, "organizationId": vars["far"]}
				mutation := `mutation($input: RemovePartnershipParticipantInput!) { removePartnershipParticipant(input: $input) { userErrors { field code message } } }`
				if !slices.ContainsFunc(p.Node.Participants, func(x struct{ Organization struct{ ID string } }) bool { return x.Organization.ID == vars["far"] }) {
					input["role"] = "PARTNER"
					mutation = `mutation($input: AddPartnershipParticipantInput!) { addPartnershipParticipant(input: $input) { userErrors { field code message } } }`
				}
				r = ts.queryAs(b, admin, mutation, map[string]any{"input": input})
				if len(r.Errors) > 0 || bytes.Contains(r.Data, []byte(`"code"`)) {
					b.Fatalf("change: %s %+v", r.Data, r.Errors)
				}
			}
			run() // warm the parsed-query cache, the connection pool and any snapshot
			latencies := make([]time.Duration, 0, b.N)
			start := ts.statements.Load()
			changes := int64(0)
			b.ResetTimer()
			for range b.N {
				if q.afterChange {
					b.StopTimer()
					before := ts.statements.Load()
					change()
					changes += ts.statements.Load() - before
					b.StartTimer()
				}
				t0 := time.Now()
				run()
				latencies = append(latencies, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(latencies)
			b.ReportMetric(percentileMs(latencies, 0.50), "p50-ms")
			b.ReportMetric(percentileMs(latencies, 0.95), "p95-ms")
			b.ReportMetric(percentileMs(latencies, 0.99), "p99-ms")
			b.ReportMetric(float64(ts.statements.Load()-start-changes)/float64(b.N), "stmts/op")
			if dir := os.Getenv("ALLIANCE_EXPLAIN"); dir != "" {
				if q.afterChange {
					change()
				}
				explain(b, ts, dir, q.name, run)
			}
		})
	}
}

// analystQueries are the questions of the analysts' guide, as a dashboard or the
// playground asks them.
var analystQueries = []struct {
	name        string
	query       string
	admin       bool // asked as ADMIN, who may see everything
	afterChange bool // asked right after a change, so no snapshot serves it
}{
	{name: "partners", query: `query($hub: ID!) { node(id: $hub) { ... on Organization { partners(first: 20) { totalCount
		edges { sharedCount node { name { en } } sharedPartnerships { title { en } } } } } } }`},
	{name: "path", query: `query($hub: ID!, $far: ID!) { path(from: $hub, to: $far, maxDepth: 6) { length
		organizations { name { en } } steps { partnerships { title { en } kind } } } }`},
	{name: "neighborhood", query: `query($hub: ID!) { neighborhood(of: $hub, depth: 2, maxNodes: 200) { truncated
		nodes { id distance degree organization { kind name { en } } } edges { source target weight } } }`},
	{name: "rankings-degree", query: `{ rankings(first: 20) { totalCount edges { rank degree partnerships pageRank node { name { en } } } } }`},
	{name: "rankings-pagerank-companies", query: `{ rankings(by: PAGERANK, kinds: [COMPANY], first: 20) { edges { rank pageRank node { name { en } } } } }`},
	{name: "rankings-after-change", afterChange: true, admin: true, query: `{ rankings(by: PAGERANK, first: 20) { edges { rank pageRank node { name { en } } } } }`},
	{name: "analytics", query: `{ analytics { membersByKind { kind count } membersBySchoolLevel { level count } membersByIndustry { industry count }
		partnershipsByKind { kind count } partnershipsByStatus { status count } partnershipsByMonth { month count }
		resourcesByCategory { category count } jobsByMonth { month openings positions applications placements }
		competitionResultsByLevel { level results gold silver bronze } } }`},
	{name: "analytics-after-change", afterChange: true, admin: true, query: `{ analytics { membersByKind { kind count } membersBySchoolLevel { level count }
		membersByIndustry { industry count } partnershipsByKind { kind count } partnershipsByStatus { status count } partnershipsByMonth { month count }
		resourcesByCategory { category count } jobsByMonth { month openings positions applications placements }
		competitionResultsByLevel { level results gold silver bronze } } }`},
	{name: "analytics-2024", query: `{ analytics(period: {from: "2024-01-01", to: "2024-12-31"}) { membersByKind { kind count }
		partnershipsByMonth { month count } resourcesByCategory { category count } jobsByMonth { month openings positions applications placements }
		competitionResultsByLevel { level results gold } } }`},
	{name: "matches", admin: true, query: `query($opening: ID!) { node(id: $opening) { ... on JobOpening { matches(first: 20) {
		edges { score node { alias status } matchedSkills { skill { code } level requiredLevel } missingSkills { skill { code } requiredLevel } } } } } }`},
	{name: "matches-job-seekers", admin: true, query: `query($opening: ID!) { node(id: $opening) { ... on JobOpening { matches(first: 20, statuses: [JOB_SEEKING]) {
		edges { score node { alias } missingSkills { skill { code } } } } } } }`},
	{name: "matches-total-count", admin: true, query: `query($opening: ID!) { node(id: $opening) { ... on JobOpening { matches { totalCount } } } }`},
	{name: "openings-with-matches", admin: true, query: `{ jobOpenings(first: 20, filter: {statuses: [OPEN]}) { edges { node { title { en }
		matches(first: 3) { edges { score node { alias } } } gapCourses(first: 2) { coverage course { title { en } } } } } } }`},
	{name: "recommended-openings", admin: true, query: `query($talent: ID!) { node(id: $talent) { ... on Talent { recommendedOpenings(first: 20) {
		edges { score node { title { en } provider { name { en } } } missingSkills { skill { code } } } } } } }`},
	{name: "gap-courses", admin: true, query: `query($opening: ID!, $talent: ID!) { node(id: $opening) { ... on JobOpening {
		gapCourses(talent: $talent, first: 10) { coverage course { title { en } freeSeats startsOn } teaches { level skill { code } } } } } }`},
	{name: "skill-gap", query: `{ skillGap(first: 20) { totalCount edges { node { skill { code name { en } } demand supply openPositions courseSeats talents gap } } } }`},
	{name: "skill-gap-2025-manufacturing", query: `{ skillGap(filter: {categories: [MANUFACTURING, AUTOMATION], period: {from: "2025-01-01", to: "2025-12-31"}},
		orderBy: {field: SHORTFALL}, first: 20) { edges { node { skill { code } demand supply gap } } } }`},
	{name: "employment-outcomes-by-school", query: `{ employmentOutcomes(groupBy: SCHOOL, first: 20) { totalCount edges { node {
		key { school { name { en } } } cohort employed employmentRate employedInAlliance hiredThroughPartnership medianStartingSalary medianDaysToHire } } } }`},
	{name: "employment-outcomes-after-change", afterChange: true, admin: true, query: `{ employmentOutcomes(groupBy: SCHOOL, first: 20) { totalCount edges { node {
		key { school { name { en } } } cohort employed employmentRate employedInAlliance hiredThroughPartnership medianStartingSalary medianDaysToHire } } } }`},
	{name: "employment-outcomes-year-after-change", afterChange: true, admin: true, query: `{ employmentOutcomes(groupBy: YEAR,
		period: {from: "2025-07-01", to: "2026-06-30"}, first: 20) { edges { node { key { year } cohort employmentRate employedInAlliance medianStartingSalary } } } }`},
	{name: "membership-growth-after-change", afterChange: true, admin: true, query: `{ membershipGrowth(interval: MONTH) { from to joined left active
		byKind { kind joined left active } } }`},
	{name: "search-english", query: `{ search(query: "welding", first: 20) { totalCount edges { kind score node { id } highlights { field segments { text matched } } } } }`},
	{name: "search-typo", query: `{ search(query: "weldng", first: 20) { edges { kind score node { id } } } }`},
	{name: "search-chinese", query: `{ search(query: "机床", first: 20) { edges { kind score node { id } highlights { field segments { text matched } } } } }`},
	{name: "search-talents-as-admin", admin: true, query: `{ search(query: "Wang", kinds: [TALENT], first: 20) { totalCount edges { score node { id } } } }`},
}

// benchDatabase creates a throwaway database holding the demo alliance at scale, dropped
// when the benchmark ends.
// benchScale is the scale benchmarks load the demo at: 100 unless ALLIANCE_BENCH_SCALE
// says otherwise.
func benchScale(b *testing.B) int {
	s := os.Getenv("ALLIANCE_BENCH_SCALE")
	if s == "" {
		return 100
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("ALLIANCE_BENCH_SCALE=%q is not a positive number", s)
	}
	return n
}

func benchDatabase(b *testing.B, scale int) *pgtest.Database {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	db := pgtest.New(b, "bench")
	start := time.Now()
	if _, err := demo.Load(ctx, db.DB, demo.Options{Scale: scale, AsOf: demoDay}); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded the demo alliance at scale %d in %s", scale, time.Since(start).Round(time.Second))
	return db
}

// explain runs a query once more, recording its statements, and writes the plan of
// each into dir/name.txt.
func explain(b *testing.B, ts *testServer, dir, name string, run func()) {
	type statement struct {
		query string
		args  []any
	}
	var mu sync.Mutex
	var seen []statement
	record := func(q string, args []any) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, statement{q, args})
	}
	ts.trace.Store(&record)
	run()
	ts.trace.Store(nil)
	var out strings.Builder
	for i, s := range seen {
		plan, err := explainOne(ts, s.query, s.args)
		if err != nil {
			b.Fatalf("explain %s: %v", s.query, err)
		}
		fmt.Fprintf(&out, "-- statement %d\n%s\n\n%s\n\n", i+1, strings.TrimSpace(s.query), strings.Join(plan, "\n"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(out.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// explainOne plans a statement as the store ran it: search statements under the search
// planner settings, in a transaction that is rolled back.
func explainOne(ts *testServer, query string, args []any) ([]string, error) {
	tx, err := ts.db.DB.Beginx()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if strings.HasPrefix(query, store.SearchMarker) {
		if _, err := tx.Exec(store.SearchPlanner); err != nil {
			return nil, err
		}
	}
	var plan []string
	err = tx.Select(&plan, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+query, args...)
	return plan, err
}
