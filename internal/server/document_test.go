package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
		{"cursors go to the resolvers", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } } }`,
			map[string]any{"alliance": alliance}, false},
		{"filters go to the resolvers", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 5, filter: {active: true}) { edges { node { id } } } } }`,
			map[string]any{"alliance": alliance}, false},
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
		{"a type's own connection goes to the resolvers", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 5) { edges { node { organization { ... on School { students(first: 2) { edges { node { id } } } } } } } } } }`,
			map[string]any{"alliance": alliance}, false},
		{"fields of one resource type go to the resolvers", `query($alliance: ID!) { alliance(id: $alliance) { resources(first: 5) { edges { node { title { en } ... on JobOpening { positions } } } } } }`,
			map[string]any{"alliance": alliance}, false},
		{"a missing alliance goes to the resolvers", `{ alliance(id: "` + relay.ID(relay.TypeAlliance, 987654321) + `") { id } }`, nil, false},
		{"a malformed ID goes to the resolvers", `{ alliance(id: "nonsense") { id } }`, nil, false},
		{"a page too large goes to the resolvers", `query($alliance: ID!) { alliance(id: $alliance) { members(first: 1000) { edges { node { id } } } } }`,
			map[string]any{"alliance": alliance}, false},
	}
	for _, tc := range tests {
		for _, who := range slices.Sorted(mapsKeys(viewers)) {
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
				if tc.planned && sent != 1 {
					t.Errorf("sent %d statements; a planned query takes one", sent)
				}
				if !tc.planned && sent == 1 && len(want.Errors) == 0 {
					t.Errorf("sent one statement for a query the plan must leave to the resolvers")
				}
			})
		}
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
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
