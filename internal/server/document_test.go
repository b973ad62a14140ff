package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// The one-statement answers (graph.OneStatement) are checked against the resolvers'
// answers: the same query, variables and viewer, sent to a server that answers plain deep
// reads in one statement and to one that runs every query through the resolvers and
// loaders, must get the same JSON, member for member and in the same order. The first
// must send one statement for the queries it plans, and what it does not plan it must
// answer exactly as the other server does.

const deepRead = `query Deep($alliance: ID!, $n: Int!) {
  alliance(id: $alliance) {
    __typename id slug city foundedOn description version
    name { en zh __typename }
    members(first: $n) {
      __typename
      edges { __typename node {
        id role joinedOn leftOn active version
        organization {
          __typename id kind name { en zh } district foundedYear website description version
          memberships { id role alliance { id } }
          partnerships(first: 10) {
            edges { node {
              id title { en } kind status signedOn startsOn endsOn description version
              alliance { slug }
              participants {
                role joinedOn
                partnership { id }
                organization {
                  __typename name { zh }
                  resources(first: 5) { edges { node { __typename id category title { en } sharedOn sharedWithAll withdrawnOn provider { id } alliance { id } } } }
                }
              }
            } }
          }
        }
      } }
    }
  }
}`

func TestOneStatementAnswersAsTheResolversDo(t *testing.T) {
	one := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = true })
	resolvers := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = false })
	alliance := one.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY id")
	slug := ""
	if err := testDB.DB.Get(&slug, "SELECT slug FROM alliance ORDER BY id LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	// A member whose organization sees resources shared with it alone, if the demo has
	// any; otherwise the first member.
	var org int64
	if err := testDB.DB.Get(&org, `SELECT COALESCE((SELECT organization_id FROM resource_share LIMIT 1),
		(SELECT organization_id FROM membership ORDER BY id LIMIT 1))`); err != nil {
		t.Fatal(err)
	}
	var skillCode string
	if err := testDB.DB.Get(&skillCode, "SELECT code FROM skill WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	viewers := map[string]auth.Viewer{
		"anonymous": {},
		"member":    {Role: auth.RoleMember, OrganizationID: org},
		"admin":     {Role: auth.RoleAdmin},
	}
	vars := map[string]any{"alliance": alliance, "n": 10}
	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		planned bool
	}{
		{"every field it plans, nested six deep", deepRead, vars, true},
		{"the benchmark's nested query", `query($alliance: ID!, $n: Int!) { alliance(id: $alliance) { members(first: $n) { edges { node { role organization { name { en } partnerships(first: 10) { edges { node { title { en } participants { role organization { name { zh } resources(first: 5) { edges { node { category title { en } provider { id } } } } } } } } } } } } } } }`, vars, true},
		{"aliases, repeated fields and fragments", `query($alliance: ID!) {
			a: alliance(id: $alliance) { ...A members(first: 3) { e: edges { n: node { role } } } }
			b: alliance(id: $alliance) { name { zh } }
			__typename
		}
		fragment A on Alliance { first: members(first: 2) { edges { node { ... on Membership { joinedOn organization { id ...O } } } } } name { en } }
		fragment O on Organization { n: name { en en2: en } }`, map[string]any{"alliance": alliance}, true},
		{"skip and include", `query($alliance: ID!, $yes: Boolean!) { alliance(id: $alliance) { slug @include(if: $yes) city @skip(if: $yes) members(first: 2) @skip(if: false) { edges { node { role @include(if: false) } } } } }`,
			map[string]any{"alliance": alliance, "yes": true}, true},
		{"an organization by node", `query($id: ID!) { node(id: $id) { __typename id ... on Organization { name { en } kind } ... on School { level } ... on Partnership { title { en } } ...P } }
		fragment P on Partnership { status }`, map[string]any{"id": relay.ID(relay.TypeOrganization, 1)}, true},
		{"a partnership, a membership and the alliance by node", `query($p: ID!, $m: ID!, $a: ID!) {
			p: node(id: $p) { id ... on Partnership { title { zh } participants { role } } ... on Organization { district } }
			m: node(id: $m) { ... on Membership { role organization { name { en } } } }
			a: node(id: $a) { ... on Alliance { slug } }
		}`, map[string]any{"p": relay.ID(relay.TypePartnership, 1), "m": relay.ID(relay.TypeMembership, 1), "a": alliance}, true},
		{"a resource by node", `query($id: ID!) { node(id: $id) { id ... on SharedResource { title { en } } ... on JobOpening { positions } } }`,
			map[string]any{"id": relay.ID(relay.TypeResource, 1)}, true},
		{"a missing node goes to the resolvers", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": relay.ID(relay.TypeOrganization, 987654321)}, false},
		{"the default alliance", `{ alliance { id members(first: 2) { edges { node { id } } } } }`, nil, true},
		{"by slug", `query($slug: String) { alliance(slug: $slug) { id name { en } } }`, map[string]any{"slug": slug}, true},
		{"backward pages and other orders", `query($alliance: ID!) { alliance(id: $alliance) {
			last: members(last: 3) { edges { node { id joinedOn } } }
			byName: members(first: 4, orderBy: {field: ORGANIZATION_NAME, direction: DESC}) { edges { node { organization { name { en } } } } }
			titles: partnerships(first: 5, orderBy: {field: TITLE}) { edges { node { title { en } } } }
			recent: resources(last: 4, orderBy: {field: SHARED_ON, direction: DESC}) { edges { node { id sharedOn } } }
			none: members(first: 0) { edges { node { id } } }
		} }`, map[string]any{"alliance": alliance}, true},
		{"participants by role", `query($alliance: ID!) { alliance(id: $alliance) { partnerships(first: 20) { edges { node { lead: participants(roles: [LEAD]) { organization { id } } others: participants(roles: [PARTNER, SPONSOR]) { role } } } } } }`,
			map[string]any{"alliance": alliance}, true},
		{"cursors, page info and counts", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } } }`,
			map[string]any{"alliance": alliance}, true},
		{"filters", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 5, filter: {active: true}) { edges { node { id } } } } }`,
			map[string]any{"alliance": alliance}, true},
		{"type conditions on organizations", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 60) { edges { node { organization {
			__typename ...N
			... on School { level majors studentCount name { zh } }
			... on Company { industry size employeeCount foreignInvested park { __typename id name { en } focusIndustries } }
			...Agency
			... on IndustrialPark { focusIndustries kind }
			... on Organization { district }
		} } } } } }
		fragment N on Node { id }
		fragment Agency on GovernmentAgency { jurisdiction name { en } }`, map[string]any{"alliance": alliance}, true},
		{"a type's own connection", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 5) { edges { node { organization { ... on School { students(first: 2) { totalCount edges { node { id status } } } } ... on Company { employees(last: 2) { edges { cursor } } } } } } } } }`,
			map[string]any{"alliance": alliance}, true},
		{"a talent's personal data goes to the resolvers", `{ talents(first: 3) { edges { node { id fullName } } } }`, nil, false},
		{"fields of one resource category", `query($alliance: ID!) { alliance(id: $alliance) { resources(first: 30) { edges { node { title { en } ... on JobOpening { positions salary { min max currency } requiredSkills { level skill { code } } } ... on Teacher { name expertise { level } } } } } } }`,
			map[string]any{"alliance": alliance}, true},
		{"a job board page", `query($first: Int!, $after: String) { jobOpenings(first: $first, after: $after, filter: {statuses: [OPEN]}, orderBy: {field: POSTED_ON, direction: DESC}) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { __typename id title { en zh } sharedOn status employmentType openPositions closesOn salary { min max currency }
				provider { __typename id name { en zh } ... on Company { industry size park { name { en } } } }
				requiredSkills { level skill { id code name { en } category } } } }
		} }`, map[string]any{"first": 20}, true},
		{"a company directory page", `query($after: String) { organizations(first: 20, after: $after, filter: {kinds: [COMPANY]}) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { id name { en zh } district ... on Company { industry size employeeCount foreignInvested }
				memberships { role joinedOn active alliance { id } }
				partnerships(first: 3) { totalCount pageInfo { hasNextPage } edges { node { title { en } kind status signedOn } } } } }
		} }`, nil, true},
		{"the benchmark's directory page", `query Directory($after: String) { organizations(first: 20, after: $after, filter: {kinds: [SCHOOL], schoolLevels: [TECHNICIAN_COLLEGE, HIGHER_VOCATIONAL_COLLEGE]}, orderBy: {field: NAME}) {
			totalCount pageInfo { hasNextPage endCursor }
			edges { node { id name { en zh } ... on School { level studentCount majors } partnerships(first: 5) { totalCount edges { node { title { en } kind status } } } } }
		} }`, nil, true},
		{"courses judged on the server's day", `{ trainingCourses(first: 40, orderBy: {field: FREE_SEATS, direction: DESC}, filter: {states: [ENROLLING, UPCOMING, RUNNING]}) {
			totalCount edges { cursor node { title { en } state freeSeats seats enrolled startsOn endsOn skills { level } } } } }`, nil, true},
		{"a skill by code", `{ skill(code: "` + skillCode + `") { id code name { en zh } category parent { code } children { code } jobOpenings(first: 3) { totalCount edges { node { id } } } } }`, nil, true},
		{"a missing skill goes to the resolvers", `{ skill(code: "no such code") { id } }`, nil, false},
		{"a missing alliance goes to the resolvers", `{ alliance(id: "` + relay.ID(relay.TypeAlliance, 987654321) + `") { id } }`, nil, false},
		{"a malformed ID goes to the resolvers", `{ alliance(id: "nonsense") { id } }`, nil, false},
		{"a page too large goes to the resolvers", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 1000) { edges { node { id } } } } }`,
			map[string]any{"alliance": alliance}, false},
	}
	for _, tc := range tests {
		for _, who := range slices.Sorted(maps.Keys(viewers)) {
			t.Run(tc.name+"/"+who, func(t *testing.T) {
				v := viewers[who]
				before := one.statements.Load()
				got := one.queryAs(t, v, tc.query, tc.vars)
				sent := one.statements.Load() - before
				want := resolvers.queryAs(t, v, tc.query, tc.vars)
				if !sameJSON(t, got.Data, want.Data) {
					t.Errorf("one statement answered\n%s\nthe resolvers\n%s", got.Data, want.Data)
				}
				if !slices.EqualFunc(got.Errors, want.Errors, func(a, b gqlError) bool { return a.Message == b.Message }) {
					t.Errorf("errors differ: %+v, the resolvers' %+v", got.Errors, want.Errors)
				}
				logs := requestLogs(t, one)
				answered := logs[len(logs)-1]["one_statement_answers"] == float64(1)
				if answered != tc.planned {
					t.Errorf("answered in one statement: %v, want %v", answered, tc.planned)
				}
				if tc.planned && sent != 1 {
					t.Errorf("sent %d statements; a planned query takes one", sent)
				}
			})
		}
	}
}

// sameJSON compares two documents token by token, so that the order of members counts
// (GraphQL answers in the order of the selection) and numbers compare by their text.
func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	ta, tb := tokens(t, a), tokens(t, b)
	return slices.Equal(ta, tb)
}

func tokens(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var out []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		s, _ := json.Marshal(tok)
		if d, ok := tok.(json.Delim); ok {
			s = []byte(d.String())
		}
		out = append(out, strings.TrimSpace(string(s)))
	}
}

// queryGen writes random queries over what one statement plans (and a little it does
// not), for TestOneStatementAnswersRandomQueriesAsTheResolversDo.
type queryGen struct {
	r         *rand.Rand
	fragments []string
	aliases   int
}

func (g *queryGen) pick(options ...string) string { return options[g.r.IntN(len(options))] }

// field writes a field with its arguments and selection, sometimes aliased, sometimes
// under @include or @skip.
func (g *queryGen) field(name, args, sel string) string {
	out := name + args
	if g.r.IntN(5) == 0 {
		g.aliases++
		out = fmt.Sprintf("a%d: %s", g.aliases, out)
	}
	switch g.r.IntN(8) {
	case 0:
		out += " @include(if: " + g.pick("true", "false") + ")"
	case 1:
		out += " @skip(if: " + g.pick("true", "false") + ")"
	}
	return out + " " + sel
}

// set writes a selection set from some of fields (at least one), sometimes wrapped in an
// inline fragment or a named fragment on typeName.
func (g *queryGen) set(typeName string, fields []func() string) string {
	var parts []string
	for _, f := range fields {
		if g.r.IntN(2) == 0 {
			parts = append(parts, f())
		}
	}
	if len(parts) == 0 {
		parts = append(parts, fields[g.r.IntN(len(fields))]())
	}
	g.r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	body := strings.Join(parts, " ")
	switch g.r.IntN(6) {
	case 0:
		body = "... on " + typeName + " { " + body + " } __typename"
	case 1:
		name := fmt.Sprintf("F%d", len(g.fragments))
		g.fragments = append(g.fragments, "fragment "+name+" on "+typeName+" { "+body+" }")
		body = "..." + name
	}
	return "{ " + body + " }"
}

func (g *queryGen) page(orders ...string) string {
	args := []string{g.pick("first: "+fmt.Sprint(g.r.IntN(6)), "last: "+fmt.Sprint(1+g.r.IntN(4)), "first: 3")}
	if g.r.IntN(2) == 0 {
		args = append(args, "orderBy: {field: "+g.pick(orders...)+", direction: "+g.pick("ASC", "DESC")+"}")
	}
	return "(" + strings.Join(args, ", ") + ")"
}

func (g *queryGen) bilingual() string {
	return g.set("BilingualText", []func() string{func() string { return g.field("en", "", "") }, func() string { return g.field("zh", "", "") }})
}

func (g *queryGen) resource(depth int) string {
	fields := []func() string{
		func() string { return g.field("id", "", "") }, func() string { return g.field("category", "", "") },
		func() string { return g.field("title", "", g.bilingual()) }, func() string { return g.field("sharedOn", "", "") },
		func() string { return g.field("sharedWithAll", "", "") }, func() string { return g.field("__typename", "", "") },
		func() string { return g.field("provider", "", "{ id }") },
	}
	return g.set("SharedResource", fields)
}

func (g *queryGen) organization(depth int) string {
	fields := []func() string{
		func() string { return g.field("id", "", "") }, func() string { return g.field("kind", "", "") },
		func() string { return g.field("name", "", g.bilingual()) }, func() string { return g.field("district", "", "") },
		func() string { return g.field("foundedYear", "", "") }, func() string { return g.field("__typename", "", "") },
		func() string { return "... on School { level majors }" },
		func() string { return "... on Company { industry park { name { en } } }" },
	}
	if depth < 3 {
		fields = append(fields,
			func() string {
				return g.field("resources", g.page("SHARED_ON", "TITLE"), "{ edges { node "+g.resource(depth+1)+" } }")
			},
			func() string {
				return g.field("partnerships", g.page("SIGNED_ON", "TITLE", "CREATED_AT"), "{ edges { node "+g.partnership(depth+1)+" } }")
			},
			func() string { return g.field("memberships", "", "{ role joinedOn }") })
	}
	return g.set("Organization", fields)
}

func (g *queryGen) partnership(depth int) string {
	fields := []func() string{
		func() string { return g.field("id", "", "") }, func() string { return g.field("title", "", g.bilingual()) },
		func() string { return g.field("status", "", "") }, func() string { return g.field("signedOn", "", "") },
	}
	if depth < 3 {
		fields = append(fields, func() string {
			return g.field("participants", g.pick("", "(roles: [LEAD])", "(roles: [PARTNER, SPONSOR])"), "{ role organization "+g.organization(depth+1)+" }")
		})
	}
	return g.set("Partnership", fields)
}

func (g *queryGen) query() string {
	g.fragments, g.aliases = nil, 0
	member := func() string {
		return g.set("Membership", []func() string{
			func() string { return g.field("role", "", "") }, func() string { return g.field("active", "", "") },
			func() string { return g.field("joinedOn", "", "") }, func() string { return g.field("organization", "", g.organization(1)) },
		})
	}
	alliance := g.set("Alliance", []func() string{
		func() string { return g.field("slug", "", "") }, func() string { return g.field("name", "", g.bilingual()) },
		func() string {
			return g.field("members", g.page("JOINED_ON", "ORGANIZATION_NAME"), "{ edges { node "+member()+" } }")
		},
		func() string {
			return g.field("partnerships", g.page("SIGNED_ON", "TITLE"), "{ edges { node "+g.partnership(2)+" } }")
		},
	})
	return "{ alliance " + alliance + " } " + strings.Join(g.fragments, " ")
}

// Random queries over the planned types, their fields, lists, orders, aliases, fragments
// and directives: the one-statement server and the resolvers must give the same JSON.
func TestOneStatementAnswersRandomQueriesAsTheResolversDo(t *testing.T) {
	one := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = true })
	resolvers := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = false })
	g := &queryGen{r: rand.New(rand.NewPCG(7, 11))}
	planned := 0
	const queries = 150
	for i := range queries {
		q := g.query()
		got := one.query(t, q, nil)
		if logs := requestLogs(t, one); logs[len(logs)-1]["one_statement_answers"] == float64(1) {
			planned++
		}
		want := resolvers.query(t, q, nil)
		if len(got.Errors) > 0 || len(want.Errors) > 0 {
			t.Fatalf("query %d failed: %+v / %+v\n%s", i, got.Errors, want.Errors, q)
		}
		if !sameJSON(t, got.Data, want.Data) {
			t.Fatalf("query %d: one statement answered\n%s\nthe resolvers\n%s\nquery: %s", i, got.Data, want.Data, q)
		}
	}
	// Most of them must have been planned, or this compares the resolvers with themselves.
	if planned < queries*3/4 {
		t.Errorf("only %d of %d random queries took one statement", planned, queries)
	}
}

// A query that mixes fields one statement answers with fields only resolvers answer
// (computed ones, root fields the engine does not declare) gets the plain root fields
// from one statement and the rest from the executor, joined in the order asked: the same
// JSON and errors as the executor alone, in fewer statements.
func TestOneStatementAnswersThePlainPartOfAMixedQuery(t *testing.T) {
	one := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = true })
	resolvers := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = false })
	board := `jobOpenings(first: 10, filter: {statuses: [OPEN]}, orderBy: {field: POSTED_ON, direction: DESC}) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title { en } provider { name { en } } requiredSkills { level skill { code } } } } }`
	directory := `organizations(first: 10, filter: {kinds: [COMPANY]}) { totalCount edges { node { id name { en } partnerships(first: 2) { totalCount edges { node { id } } } } } }`
	tests := []struct {
		name  string
		query string
	}{
		{"a computed root field between two plain ones", `{ ` + board + ` gaps: skillGap(first: 3) { edges { node { skill { code } gap } } } ` + directory + ` }`},
		{"a root field the engine does not declare", `{ __typename ` + board + ` talents(first: 3) { totalCount edges { node { id status } } } }`},
		{"a failing root field", `{ ` + directory + ` path(from: "nonsense", to: "nonsense") { length } }`},
		{"skipped and included root fields", `{ ` + board + ` skillGap(first: 2) @skip(if: true) { totalCount } events(first: 2) @include(if: true) { edges { node { id } } } }`},
	}
	viewers := genViewers(t)
	for _, tc := range tests {
		for _, who := range slices.Sorted(maps.Keys(viewers)) {
			t.Run(tc.name+"/"+who, func(t *testing.T) {
				v := viewers[who]
				before := one.statements.Load()
				got := one.queryAs(t, v, tc.query, nil)
				sent := one.statements.Load() - before
				before = resolvers.statements.Load()
				want := resolvers.queryAs(t, v, tc.query, nil)
				wanted := resolvers.statements.Load() - before
				if !sameJSON(t, got.Data, want.Data) {
					t.Errorf("mixed answer\n%s\nthe resolvers'\n%s", got.Data, want.Data)
				}
				if !slices.EqualFunc(got.Errors, want.Errors, func(a, b gqlError) bool { return a.Message == b.Message && fmt.Sprint(a.Path) == fmt.Sprint(b.Path) }) {
					t.Errorf("errors differ: %+v, the resolvers' %+v", got.Errors, want.Errors)
				}
				if sent >= wanted {
					t.Errorf("sent %d statements, the resolvers %d: the plain part was not answered in one", sent, wanted)
				}
			})
		}
	}
}
