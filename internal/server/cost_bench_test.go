package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/benchmark"
	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// CostDatabaseEnv names an existing database holding the demo at scale 100 (as seeded by
// `alliance seed --scale 100`) for the cost measurements; without it they seed a
// throwaway one, which takes a few minutes.
const CostDatabaseEnv = "ALLIANCE_COST_DATABASE_URL"

// costDatabase is the database the cost measurements run on, opened with parallel
// query off: the backends then do all the work, for the meter to see it (see
// benchmark.BackendMeter).
func costDatabase(tb testing.TB) *pgtest.Database {
	tb.Helper()
	u := os.Getenv(CostDatabaseEnv)
	if u == "" {
		seeded := pgtest.New(tb, "cost")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		start := time.Now()
		if _, err := demo.Load(ctx, seeded.DB, demo.Options{Scale: 100, AsOf: demoDay}); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("loaded the demo alliance at scale 100 in %s", time.Since(start).Round(time.Second))
		u = seeded.URL
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	db, err := database.Open(context.Background(), u+sep+"max_parallel_workers_per_gather=0", false)
	if err != nil {
		tb.Fatalf("open %s: %v", u, err)
	}
	tb.Cleanup(func() { db.Close() })
	target, err := database.ParseTarget(u)
	if err != nil {
		tb.Fatal(err)
	}
	return &pgtest.Database{Name: target.Database, URL: u, DB: db}
}

// cpuMeter measures what requests cost: this process's CPU time (the server, and the
// test's client, a small share) and that of PostgreSQL's processes serving the database.
type cpuMeter struct {
	pg      *benchmark.BackendMeter
	process time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(tb testing.TB, db *pgtest.Database) *cpuMeter {
	tb.Helper()
	m := &cpuMeter{pg: benchmark.NewBackendMeter(db.Name)}
	if err := m.pg.Start(); err != nil {
		tb.Fatal(err)
	}
	m.process = processCPU()
	return m
}

// stop returns the seconds of CPU the server and the database spent since start.
func (m *cpuMeter) stop(tb testing.TB) (serverSec, dbSec float64) {
	tb.Helper()
	serverSec = (processCPU() - m.process).Seconds()
	db, err := m.pg.Stop()
	if err != nil {
		tb.Fatal(err)
	}
	return serverSec, db
}

// costProbe is one field (or combination) whose cost is measured.
type costProbe struct {
	name  string
	query string
	admin bool
}

// costPicks are the objects the probes ask about: the costliest of their kind.
func costPicks(tb testing.TB, db *pgtest.Database) map[string]any {
	tb.Helper()
	pick := func(q string) int64 {
		var k int64
		if err := db.DB.Get(&k, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		return k
	}
	hub := pick(`SELECT organization_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
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
	// No partnership links it to anyone: a path to it walks every level.
	isolated := pick(`SELECT o.id FROM organization o WHERE NOT EXISTS (SELECT 1 FROM partnership_participant x WHERE x.organization_id = o.id) ORDER BY o.id LIMIT 1`)
	return map[string]any{"isolated": relay.ID(relay.TypeOrganization, isolated),
		"hub": relay.ID(relay.TypeOrganization, hub), "far": relay.ID(relay.TypeOrganization, far),
		"opening": relay.ID(relay.TypeResource, opening), "talent": relay.ID(relay.TypeTalent, talent),
	}
}

// costProbes are the fields the cost model prices, each asked the costliest way its
// arguments allow, alone and once per parent of a page (where the price multiplies).
var costProbes = []costProbe{
	{"plain fields: deep frontend query, 50 members, through the resolvers", `{ alliance { members(first: 50) { pageInfo { hasNextPage } edges { node { role organization { name { en }
		partnerships(first: 10) { edges { node { title { en } participants { role organization { name { zh } resources(first: 5) { edges { node { category title { en } provider { id } } } } } } } } } } } } } } }`, false},
	{"plain fields: 100 organizations x 100 partnerships", `{ organizations(first: 100) { edges { node { partnerships(first: 100) { edges { node { id title { en } } } } } } } }`, false},
	{"connection: organizations(first: 1)", `{ organizations(first: 1) { edges { node { id } } } }`, false},
	{"totalCount: talents", `{ talents { totalCount } }`, false},
	{"totalCount: resources", `{ resources { totalCount } }`, false},
	{"totalCount: organizations", `{ organizations { totalCount } }`, false},
	{"totalCount: events", `{ events { totalCount } }`, false},
	{"totalCount: events as admin", `{ events { totalCount } }`, true},
	{"totalCount: jobOpenings", `{ jobOpenings { totalCount } }`, false},
	{"totalCount: alliance talents", `{ alliance { talents { totalCount } } }`, false},
	{"totalCount: 48 skills x talents, openings, courses", `{ skills(first: 100) { edges { node { talents { totalCount } jobOpenings { totalCount } courses { totalCount } } } } }`, false},
	{"skill pages: 48 skills x talents", `{ skills(first: 100) { edges { node { talents(first: 20) { edges { cursor } } } } } }`, false},
	{"skill pages: 48 skills x jobOpenings", `{ skills(first: 100) { edges { node { jobOpenings(first: 20) { edges { cursor } } } } } }`, false},
	{"skill pages: 48 skills x courses", `{ skills(first: 100) { edges { node { courses(first: 20) { edges { cursor } } } } } }`, false},
	{"skill pages: a skill nobody holds, talents and openings", `{ skill(code: "AUT") { talents(first: 20) { edges { cursor } } jobOpenings(first: 20) { edges { cursor } } } }`, false},
	{"totalCount: nested, 100 organizations x 3", `{ organizations(first: 100) { edges { node { partnerships { totalCount } resources { totalCount } partners { totalCount } } } } }`, false},
	{"filter search: organizations", `{ organizations(first: 100, filter: {search: "tech"}) { totalCount edges { node { id } } } }`, false},
	{"filter search: resources", `{ resources(first: 100, filter: {search: "weld"}) { totalCount edges { node { id } } } }`, false},
	{"search: 2 characters", `{ search(query: "机床", first: 100) { edges { kind score node { id } } } }`, false},
	{"search: 1 word", `{ search(query: "welding", first: 100) { edges { kind score node { id } } } }`, false},
	{"search: 1 word, typo", `{ search(query: "weldng", first: 100) { edges { kind score node { id } } } }`, false},
	{"search: 3 words, typos", `{ search(query: "weldng robt mashine", first: 100) { edges { kind score node { id } } } }`, false},
	{"search: 5 words, typos", `{ search(query: "weldng robt mashine opertor assembl", first: 100) { edges { kind score node { id } } } }`, false},
	{"search: 6 words (no typo lookup)", `{ search(query: "weldng robt mashine opertor assembl tecnician", first: 100) { edges { kind score node { id } } } }`, false},
	{"search totalCount: 1 word", `{ search(query: "welding") { totalCount } }`, false},
	{"search totalCount: 1 word, typo", `{ search(query: "weldng") { totalCount } }`, false},
	{"search totalCount: 5 words, typos", `{ search(query: "weldng robt mashine opertor assembl") { totalCount } }`, false},
	{"search: as admin with talents, 5 words, typos", `{ search(query: "wang li zhang chen liu", first: 100) { totalCount edges { kind score node { id } } } }`, true},
	{"matches: first 100", `query($opening: ID!) { node(id: $opening) { ... on JobOpening { matches(first: 100) { edges { score node { alias } } } } } }`, false},
	{"matches: first 100, minScore", `query($opening: ID!) { node(id: $opening) { ... on JobOpening { matches(first: 100, minScore: 0.3) { edges { score node { alias } } } } } }`, false},
	{"matches: totalCount", `query($opening: ID!) { node(id: $opening) { ... on JobOpening { matches { totalCount } } } }`, false},
	{"matches: totalCount, minScore", `query($opening: ID!) { node(id: $opening) { ... on JobOpening { matches(minScore: 0.3) { totalCount } } } }`, false},
	{"matches: 100 openings x first 100", `{ jobOpenings(first: 100) { edges { node { matches(first: 100) { edges { score } } } } } }`, false},
	{"matches: 100 openings x totalCount", `{ jobOpenings(first: 100) { edges { node { matches { totalCount } } } } }`, false},
	{"matches: 20 openings x totalCount, minScore", `{ jobOpenings(first: 20) { edges { node { matches(minScore: 0.5) { totalCount } } } } }`, false},
	{"recommendedOpenings: first 100", `query($talent: ID!) { node(id: $talent) { ... on Talent { recommendedOpenings(first: 100) { edges { score node { id } } } } } }`, false},
	{"recommendedOpenings: totalCount", `query($talent: ID!) { node(id: $talent) { ... on Talent { recommendedOpenings { totalCount } } } }`, false},
	{"recommendedOpenings: 100 talents x first 100", `{ talents(first: 100) { edges { node { recommendedOpenings(first: 100) { edges { score } } } } } }`, false},
	{"recommendedOpenings: 100 talents x totalCount", `{ talents(first: 100) { edges { node { recommendedOpenings { totalCount } } } } }`, false},
	{"gapCourses: first 50", `query($opening: ID!) { node(id: $opening) { ... on JobOpening { gapCourses(first: 50) { coverage course { id } } } } }`, false},
	{"gapCourses: first 50 with a talent", `query($opening: ID!, $talent: ID!) { node(id: $opening) { ... on JobOpening { gapCourses(talent: $talent, first: 50) { coverage course { id } } } } }`, true},
	{"gapCourses: 100 openings x first 50", `{ jobOpenings(first: 100) { edges { node { gapCourses(first: 50) { coverage } } } } }`, false},
	{"path: maxDepth 6", `query($hub: ID!, $far: ID!) { path(from: $hub, to: $far, maxDepth: 6) { length organizations { id } } }`, false},
	{"path: maxDepth 6, no path", `query($hub: ID!, $isolated: ID!) { path(from: $hub, to: $isolated, maxDepth: 6) { length } }`, false},
	{"neighborhood: depth 3, 1000 nodes", `query($hub: ID!) { neighborhood(of: $hub, depth: 3, maxNodes: 1000) { truncated nodes { id distance } edges { source target weight } } }`, false},
	{"neighborhood: depth 1, 200 nodes", `query($hub: ID!) { neighborhood(of: $hub) { nodes { id } edges { source target } } }`, false},
	{"rankings: PageRank, first 100", `{ rankings(by: PAGERANK, first: 100) { totalCount edges { rank pageRank node { id } } } }`, false},
	{"analytics: every group", `{ analytics { membersByKind { kind count } membersBySchoolLevel { level count } membersByIndustry { industry count }
		partnershipsByKind { kind count } partnershipsByStatus { status count } partnershipsByMonth { month count }
		resourcesByCategory { category count } jobsByMonth { month openings positions applications placements }
		competitionResultsByLevel { level results gold silver bronze } } }`, false},
	{"skillGap: first 100", `{ skillGap(first: 100) { totalCount edges { node { skill { code } demand supply gap } } } }`, false},
	// Asked again and again, these are kept answers; computed again after a change, they
	// are the analysts' benchmark's employment-outcomes-after-change and
	// membership-growth-after-change.
	{"employmentOutcomes: the whole history's first 20 by school, kept", `{ employmentOutcomes(groupBy: SCHOOL) { totalCount edges { node {
		key { school { name { en } } } cohort employed employmentRate employedInAlliance hiredThroughPartnership medianStartingSalary medianDaysToHire } } } }`, false},
	{"employmentOutcomes: an academic year by year, first 100", `{ employmentOutcomes(groupBy: YEAR, period: {from: "2025-07-01", to: "2026-06-30"}, first: 100) {
		totalCount edges { node { key { year } cohort employmentRate medianStartingSalary } } } }`, true},
	{"membershipGrowth: by month since the founding", `{ membershipGrowth(interval: MONTH) { from to joined left active byKind { kind joined left active } } }`, false},
}

// BenchmarkFieldCosts measures, for each probe, the CPU time the server and PostgreSQL
// spend per request at scale 100, with and without the answers the server keeps
// (snapshots) and next to the cost the model gives the same request:
//
//	ALLIANCE_COST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cost_x100?sslmode=disable \
//	  go test -run '^$' -bench FieldCosts -benchtime 10x -timeout 60m ./internal/server
//
// docs/security.md holds the table it gave, from which the prices in
// internal/server/prices.go were derived.
func BenchmarkFieldCosts(b *testing.B) {
	db := costDatabase(b)
	vars := costPicks(b, db)
	ts := startConfiguredServer(b, db, func(c *server.Config) {
		c.RateLimit = server.RateLimit{}
		c.MaxInFlight = -1
		c.Limits = server.Limits{MaxComplexity: -1}
	})
	priced := startConfiguredServer(b, db, func(c *server.Config) { c.Limits = server.Limits{MaxComplexity: 1} })
	admin := ts.token(b, auth.Viewer{Role: auth.RoleAdmin})
	for _, p := range costProbes {
		b.Run(p.name, func(b *testing.B) {
			body, _ := json.Marshal(map[string]any{"query": p.query, "variables": vars})
			send := func(ts *testServer) (int, []byte) {
				req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if p.admin {
					req.Header.Set("Authorization", "Bearer "+admin)
				}
				res, err := ts.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				defer res.Body.Close()
				raw, _ := io.ReadAll(res.Body)
				return res.StatusCode, raw
			}
			_, raw := send(priced)
			var r response
			json.Unmarshal(raw, &r)
			units := 0
			if len(r.Errors) > 0 {
				units = num(r.Errors[0].Extensions["complexity"])
			}
			if status, raw := send(ts); status != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
				b.Fatalf("%s: status %d: %.300s", p.name, status, raw)
			}
			b.ResetTimer()
			m := startCPU(b, db)
			start := time.Now()
			for range b.N {
				send(ts)
			}
			wall := time.Since(start)
			serverSec, dbSec := m.stop(b)
			b.ReportMetric(1000*serverSec/float64(b.N), "server-ms/op")
			b.ReportMetric(1000*dbSec/float64(b.N), "db-ms/op")
			b.ReportMetric(1000*(serverSec+dbSec)/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms/op")
			b.ReportMetric(float64(units), "units")
		})
	}
}
