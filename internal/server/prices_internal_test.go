package server

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
)

// costOf is the cost the model gives query with variables vars.
func costOf(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	es := graph.NewExecutableSchema(graph.Config{})
	doc, errs := gqlparser.LoadQuery(es.Schema(), query)
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	l := &operationLimits{introspection: true}
	l.Validate(es)
	m := newMeasure(es.Schema(), vars)
	return m.cost(doc.Operations[0].SelectionSet, l.root(doc.Operations[0].Operation), 0, nil)
}

func TestPricesFollowTheMeasuredCostOfEachField(t *testing.T) {
	const opening = `node(id: "x") { ... on JobOpening { %s } }`
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		// search: 1 + 1,500 + 3,500 per word compared with the word list, edges as usual.
		{"search, one word", `{ search(query: "welding", first: 1) { edges { kind } } }`, nil, 1 + 1_500 + 3_500 + 1*(1+1)},
		{"search, three words", `{ search(query: "weldng robt mashine", first: 1) { edges { kind } } }`, nil, 1 + 1_500 + 3*3_500 + 2},
		{"search, words read from a variable", `query($q: String!) { search(query: $q, first: 1) { edges { kind } } }`, map[string]any{"q": "weldng robt"}, 1 + 1_500 + 2*3_500 + 2},
		{"search, six words: no typo lookup", `{ search(query: "a1b c2d e3f g4h i5j k6l", first: 1) { edges { kind } } }`, nil, 1 + 1_500 + 2},
		{"search, two characters", `{ search(query: "机床", first: 1) { edges { kind } } }`, nil, 1 + 1_500 + 2},
		{"search, Chinese words are not looked up", `{ search(query: "数控 机床", first: 1) { edges { kind } } }`, nil, 1 + 1_500 + 2},
		{"search totalCount, two words", `{ search(query: "weldng robt") { totalCount } }`, nil, 1 + 1_500 + 2*3_500 + 1_000 + 2*6_000 + 1},
		// matches: 2,500 each, totalCount 5,000, or 12,500 with minScore.
		{"matches", `{ ` + fmt.Sprintf(opening, `matches(first: 2) { edges { score } }`) + ` }`, nil, 1 + 1 + 2_500 + 2*(1+1)},
		{"matches totalCount", `{ ` + fmt.Sprintf(opening, `matches { totalCount }`) + ` }`, nil, 1 + 1 + 2_500 + 5_000 + 1},
		{"matches totalCount with minScore", `{ ` + fmt.Sprintf(opening, `matches(minScore: 0.5) { totalCount }`) + ` }`, nil, 1 + 1 + 2_500 + 12_500 + 1},
		{"matches totalCount with minScore from a variable", `query($s: Float) { ` + fmt.Sprintf(opening, `matches(minScore: $s) { totalCount }`) + ` }`,
			map[string]any{"s": json.Number("0.25")}, 1 + 1 + 2_500 + 12_500 + 1},
		{"matches totalCount with minScore 0", `{ ` + fmt.Sprintf(opening, `matches(minScore: 0) { totalCount }`) + ` }`, nil, 1 + 1 + 2_500 + 5_000 + 1},
		{"matches of every opening on a page", `{ jobOpenings(first: 10) { edges { node { matches(first: 1) { edges { score } } } } } }`, nil,
			1 + 10*(1+1+(1+2_500+1*(1+1)))},
		{"gapCourses", `{ ` + fmt.Sprintf(opening, `gapCourses { coverage }`) + ` }`, nil, 1 + 1 + 1_600 + 1},
		{"recommendedOpenings with totalCount", `{ node(id: "x") { ... on Talent { recommendedOpenings { totalCount } } } }`, nil, 1 + 1 + 4_000 + 4_500 + 1},
		{"path", `{ path(from: "a", to: "b") { length } }`, nil, 1 + 2_100 + 1},
		// neighborhood: its nodes' selections count once per node it may return.
		{"neighborhood, default 200 nodes", `{ neighborhood(of: "a") { nodes { id } } }`, nil, 1 + 1_800 + 1 + 200*1},
		{"neighborhood, 1,000 nodes", `{ neighborhood(of: "a", maxNodes: 1000) { nodes { id distance } edges { source } } }`, nil, 1 + 1_800 + (1 + 1000*2) + (1 + 1000*1)},
		{"rankings with totalCount", `{ rankings(first: 1) { totalCount edges { rank } } }`, nil, 1 + 7_000 + 1 + 1*(1+1)},
		{"analytics", `{ analytics { membersByKind { count } } }`, nil, 1 + 3_600 + 1 + 1},
		{"skillGap", `{ skillGap(first: 1) { edges { node { gap } } } }`, nil, 1 + 2_800 + 1*(1+1+1)},
		// employmentOutcomes: as kept without a period, order or cursor and for at most 20
		// groups; computed otherwise, its totalCount likewise without a period.
		{"employmentOutcomes, the whole history's first groups", `{ employmentOutcomes(groupBy: YEAR, first: 5) { edges { node { cohort } } } }`, nil, 1 + 1_000 + 5*(1+1+1)},
		{"employmentOutcomes by default", `{ employmentOutcomes { totalCount edges { node { cohort } } } }`, nil, 1 + 1_000 + 500 + 1 + 20*(1+1+1)},
		{"employmentOutcomes, a period", `query($p: DateRange) { employmentOutcomes(period: $p, first: 5) { totalCount edges { cursor } } }`,
			map[string]any{"p": map[string]any{"from": "2025-07-01"}}, 1 + 65_000 + 65_000 + 1 + 5*(1+1)},
		{"employmentOutcomes, an order", `{ employmentOutcomes(orderBy: {field: KEY}, first: 5) { totalCount edges { cursor } } }`, nil, 1 + 65_000 + 500 + 1 + 5*(1+1)},
		{"employmentOutcomes, a later page", `{ employmentOutcomes(after: "x", first: 5) { edges { cursor } } }`, nil, 1 + 65_000 + 5*(1+1)},
		{"employmentOutcomes, more groups", `{ employmentOutcomes(first: 21) { edges { cursor } } }`, nil, 1 + 65_000 + 21*(1+1)},
		{"membershipGrowth", `{ membershipGrowth { joined } }`, nil, 1 + 4_000 + 1},
		// totalCount: by connection, root or nested.
		{"root totalCount of talents", `{ talents { totalCount } }`, nil, 1 + 1_400 + 1},
		{"root totalCount of resources", `{ resources { totalCount } }`, nil, 1 + 2_900 + 1},
		{"nested totalCount, per parent", `{ organizations(first: 10) { edges { node { partnerships { totalCount } } } } }`, nil, 1 + 10*(1+1+(1+30+1))},
		{"an alliance's talents count like the root's", `{ alliance { talents { totalCount } } }`, nil, 1 + 1 + 4_500 + 1},
		{"a skill's talents", `{ skill(code: "x") { talents { totalCount } } }`, nil, 1 + 1 + 600 + 1},
		{"a skill's courses", `{ skill(code: "x") { courses(first: 1) { edges { cursor } } } }`, nil, 1 + 1 + 450 + 1*(1+1)},
		{"totalCount through a fragment", `{ talents { ...C } } fragment C on TalentConnection { totalCount }`, nil, 1 + 1_400 + 1},
		{"filter.search", `{ organizations(first: 1, filter: {search: "tech"}) { edges { cursor } } }`, nil, 1 + 1_000 + 1*(1+1)},
		{"filter.search from a variable", `query($f: OrganizationFilter) { organizations(first: 1, filter: $f) { edges { cursor } } }`,
			map[string]any{"f": map[string]any{"search": "tech"}}, 1 + 1_000 + 2},
		{"an empty filter.search is free", `{ organizations(first: 1, filter: {search: ""}) { edges { cursor } } }`, nil, 1 + 2},
		{"plain fields cost 1", `{ alliance { id name { en zh } } }`, nil, 1 + 1 + 1 + 2},
		// availability: its slots' selections count twice a day of the window.
		{"a week of a facility's free time", `{ node(id: "x") { ... on TrainingFacility { availability(from: "2026-12-07T00:00:00Z", to: "2026-12-14T00:00:00Z") { start end } } } }`,
			nil, 1 + 1 + 2*8*2},
		{"a facility's free time, a window that does not parse counts as the longest", `{ node(id: "x") { ... on TrainingFacility { availability(from: "soon", to: "later") { start } } } }`,
			nil, 1 + 1 + 2*92*1},
		{"a facility's bookings count as a connection", `{ node(id: "x") { ... on TrainingFacility { bookings(from: "2026-12-07T00:00:00Z", to: "2026-12-14T00:00:00Z", first: 10) { totalCount edges { cursor } } } } }`,
			nil, 1 + 1 + 30 + 1 + 10*(1+1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := costOf(t, c.query, c.vars); got != c.want {
				t.Errorf("cost = %d, want %d", got, c.want)
			}
		})
	}
}

func TestBudgetsDependOnTheCallersRole(t *testing.T) {
	l := Limits{}.withDefaults()
	cases := []struct {
		viewer auth.Viewer
		want   int
	}{
		{auth.Viewer{}, DefaultMaxComplexity},
		{auth.Viewer{Role: auth.RoleMember, OrganizationID: 1, Subject: "m"}, DefaultMaxComplexityMember},
		{auth.Viewer{Role: auth.RoleAnalyst, Subject: "a"}, DefaultMaxComplexityAnalyst},
		{auth.Viewer{Role: auth.RoleAdmin, Subject: "x"}, DefaultMaxComplexityAdmin},
	}
	for _, c := range cases {
		if got := l.budget(c.viewer); got != c.want {
			t.Errorf("budget of %+v = %d, want %d", c.viewer, got, c.want)
		}
	}
	if DefaultMaxComplexity >= DefaultMaxComplexityMember || DefaultMaxComplexityMember > DefaultMaxComplexityAnalyst {
		t.Errorf("anonymous callers should have the smallest budget")
	}
	// The budget of the caller decides: an analyst's question over a page of openings
	// is refused to anonymous callers and runs for an analyst.
	es := graph.NewExecutableSchema(graph.Config{})
	lim := &operationLimits{limits: l, introspection: true}
	lim.Validate(es)
	q := `{ jobOpenings(first: 20) { edges { node { matches(first: 3) { edges { score } } gapCourses(first: 2) { coverage } } } } }`
	doc, errs := gqlparser.LoadQuery(es.Schema(), q)
	if errs != nil {
		t.Fatal(errs)
	}
	op := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
	if err := lim.MutateOperationContext(context.Background(), op); err == nil || err.Extensions["code"] != "QUERY_TOO_COMPLEX" {
		t.Errorf("anonymous: %v, want QUERY_TOO_COMPLEX", err)
	}
	analyst := auth.WithViewer(context.Background(), auth.Viewer{Role: auth.RoleAnalyst, Subject: "a"})
	if err := lim.MutateOperationContext(analyst, op); err != nil {
		t.Errorf("analyst: %v, want no refusal", err)
	}
}
