package server_test

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// oracleNetwork is the partnership network read straight from SQL: the tests' own
// breadth-first search and PageRank, written without the server's code, check its
// answers.
type oracleNetwork struct {
	adj    map[int64]map[int64]int // organization -> partner -> shared partnerships
	kind   map[int64]string
	nodes  []int64 // every organization of the network, by id
	shares map[[2]int64][]int64
}

// loadNetwork reads the links admitted by the statuses (all when empty) and the
// alliance's current members.
func loadNetwork(t *testing.T, db *pgtest.Database, statuses ...string) *oracleNetwork {
	t.Helper()
	var links []struct {
		A, B, P int64
	}
	err := db.DB.Select(&links, `SELECT a.organization_id AS a, b.organization_id AS b, p.id AS p
		FROM partnership_participant a
		JOIN partnership_participant b ON b.partnership_id = a.partnership_id AND b.organization_id <> a.organization_id
		JOIN partnership p ON p.id = a.partnership_id
		WHERE $1::text[] IS NULL OR p.status = ANY($1)`, pq.StringArray(statuses))
	if err != nil {
		t.Fatal(err)
	}
	var orgs []struct {
		ID   int64
		Kind string
	}
	if err := db.DB.Select(&orgs, `SELECT o.id, o.kind FROM organization o WHERE
		EXISTS (SELECT 1 FROM partnership_participant x JOIN partnership p ON p.id = x.partnership_id
			WHERE x.organization_id = o.id AND ($1::text[] IS NULL OR p.status = ANY($1)))
		OR EXISTS (SELECT 1 FROM membership m WHERE m.organization_id = o.id AND m.left_on IS NULL) ORDER BY o.id`, pq.StringArray(statuses)); err != nil {
		t.Fatal(err)
	}
	n := &oracleNetwork{adj: map[int64]map[int64]int{}, kind: map[int64]string{}, shares: map[[2]int64][]int64{}}
	for _, o := range orgs {
		n.kind[o.ID] = o.Kind
		n.nodes = append(n.nodes, o.ID)
	}
	for _, l := range links {
		if n.adj[l.A] == nil {
			n.adj[l.A] = map[int64]int{}
		}
		n.adj[l.A][l.B]++
		n.shares[[2]int64{l.A, l.B}] = append(n.shares[[2]int64{l.A, l.B}], l.P)
	}
	return n
}

// distances runs a breadth-first search from src.
func (n *oracleNetwork) distances(src int64) map[int64]int {
	dist := map[int64]int{src: 0}
	for frontier := []int64{src}; len(frontier) > 0; {
		var next []int64
		for _, a := range frontier {
			for b := range n.adj[a] {
				if _, seen := dist[b]; !seen {
					dist[b] = dist[a] + 1
					next = append(next, b)
				}
			}
		}
		frontier = next
	}
	return dist
}

// pageRank is the textbook power iteration over the whole network, weighted by shared
// partnerships, with isolated organizations spreading their rank evenly.
func (n *oracleNetwork) pageRank() map[int64]float64 {
	const d = 0.85
	N := float64(len(n.nodes))
	rank := map[int64]float64{}
	for _, id := range n.nodes {
		rank[id] = 1 / N
	}
	for range 500 {
		next := map[int64]float64{}
		lost := 0.0
		for _, a := range n.nodes {
			total := 0
			for _, w := range n.adj[a] {
				total += w
			}
			if total == 0 {
				lost += rank[a]
				continue
			}
			for b, w := range n.adj[a] {
				next[b] += d * rank[a] * float64(w) / float64(total)
			}
		}
		for _, id := range n.nodes {
			next[id] += (1-d)/N + d*lost/N
		}
		rank = next
	}
	return rank
}

func orgID(k int64) string { return relay.ID(relay.TypeOrganization, k) }

func orgKey(t *testing.T, id string) int64 {
	t.Helper()
	k, err := relay.ParseIDOf(relay.TypeOrganization, id)
	if err != nil {
		t.Fatalf("%q is not an organization ID: %v", id, err)
	}
	return k
}

const pathQuery = `query($from: ID!, $to: ID!, $depth: Int, $filter: NetworkFilter) {
	path(from: $from, to: $to, maxDepth: $depth, filter: $filter) {
		length organizations { id } steps { from { id } to { id } partnerships { id status } }
	}
}`

type pathAnswer struct {
	Path *struct {
		Length        int
		Organizations []struct{ ID string }
		Steps         []struct {
			From, To     struct{ ID string }
			Partnerships []struct{ ID, Status string }
		}
	}
}

func TestPathIsAShortestChainOfSharedPartnerships(t *testing.T) {
	ts := newServer(t)
	all := loadNetwork(t, testDB)
	signed := loadNetwork(t, testDB, "SIGNED", "ACTIVE", "COMPLETED")
	// The hub of the network and, for each distance, the lowest organization at it.
	hub := slices.MaxFunc(all.nodes, func(a, b int64) int {
		return cmp.Or(cmp.Compare(len(all.adj[a]), len(all.adj[b])), cmp.Compare(b, a))
	})
	dist := all.distances(hub)
	at := map[int]int64{}
	far := 0
	for _, id := range all.nodes {
		d, ok := dist[id]
		if !ok {
			continue
		}
		if cur, seen := at[d]; !seen || id < cur {
			at[d] = id
		}
		far = max(far, d)
	}
	var unreachable int64
	for _, id := range all.nodes {
		if _, ok := dist[id]; !ok {
			unreachable = id
			break
		}
	}
	if far < 3 || unreachable == 0 {
		t.Fatalf("the demo network is too small for this test: farthest %d, unreachable %d", far, unreachable)
	}
	cases := []struct {
		name     string
		net      *oracleNetwork
		to       int64
		depth    int
		statuses []string
	}{
		{"to itself", all, hub, 4, nil},
		{"to a partner", all, at[1], 4, nil},
		{"two steps", all, at[2], 4, nil},
		{"as far as the network goes", all, at[far], 6, nil},
		{"beyond the depth asked", all, at[3], 2, nil},
		{"to another component", all, unreachable, 6, nil},
		{"through signed partnerships only", signed, at[3], 6, []string{"SIGNED", "ACTIVE", "COMPLETED"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]any{"from": orgID(hub), "to": orgID(c.to), "depth": c.depth}
			if c.statuses != nil {
				vars["filter"] = map[string]any{"statuses": c.statuses}
			}
			var got pathAnswer
			ts.data(t, pathQuery, vars, &got)
			want, reachable := c.net.distances(hub)[c.to]
			if !reachable || want > c.depth {
				if got.Path != nil {
					t.Fatalf("found a path of %d steps; want none within %d (distance %d, reachable %v)", got.Path.Length, c.depth, want, reachable)
				}
				return
			}
			if got.Path == nil {
				t.Fatalf("no path; want one of %d steps", want)
			}
			p := got.Path
			if p.Length != want || len(p.Organizations) != want+1 || len(p.Steps) != want {
				t.Fatalf("length %d, %d organizations, %d steps; want %d steps", p.Length, len(p.Organizations), len(p.Steps), want)
			}
			if orgKey(t, p.Organizations[0].ID) != hub || orgKey(t, p.Organizations[want].ID) != c.to {
				t.Fatalf("path runs from %s to %s", p.Organizations[0].ID, p.Organizations[want].ID)
			}
			for i, s := range p.Steps {
				a, b := orgKey(t, s.From.ID), orgKey(t, s.To.ID)
				if s.From.ID != p.Organizations[i].ID || s.To.ID != p.Organizations[i+1].ID {
					t.Errorf("step %d joins %s and %s, not the path's organizations %d and %d", i, s.From.ID, s.To.ID, i, i+1)
				}
				shared := c.net.shares[[2]int64{a, b}]
				if len(shared) == 0 || len(s.Partnerships) != len(shared) {
					t.Errorf("step %d: %d partnerships; the two share %d", i, len(s.Partnerships), len(shared))
				}
				for _, sp := range s.Partnerships {
					if c.statuses != nil && !slices.Contains(c.statuses, sp.Status) {
						t.Errorf("step %d crosses a %s partnership, outside the filter", i, sp.Status)
					}
				}
			}
		})
	}
}

func TestNeighborhoodHoldsTheNearestOrganizationsAndAllTheirLinks(t *testing.T) {
	ts := newServer(t)
	net := loadNetwork(t, testDB)
	hub := slices.MaxFunc(net.nodes, func(a, b int64) int {
		return cmp.Or(cmp.Compare(len(net.adj[a]), len(net.adj[b])), cmp.Compare(b, a))
	})
	dist := net.distances(hub)
	for _, c := range []struct {
		depth, maxNodes int
	}{{1, 200}, {2, 200}, {3, 1000}, {2, 5}} {
		var got struct {
			Neighborhood struct {
				Center    struct{ ID string }
				Truncated bool
				Nodes     []struct {
					ID       string
					Distance int
					Degree   int
				}
				Edges []struct {
					Source, Target string
					Weight         int
					Partnerships   []struct{ ID string }
				}
			}
		}
		ts.data(t, `query($of: ID!, $depth: Int, $max: Int) { neighborhood(of: $of, depth: $depth, maxNodes: $max) {
			center { id } truncated nodes { id distance degree } edges { source target weight partnerships { id } } } }`,
			map[string]any{"of": orgID(hub), "depth": c.depth, "max": c.maxNodes}, &got)
		nb := got.Neighborhood
		var want []int64
		for id, d := range dist {
			if d <= c.depth {
				want = append(want, id)
			}
		}
		slices.SortFunc(want, func(a, b int64) int { return cmp.Or(cmp.Compare(dist[a], dist[b]), cmp.Compare(a, b)) })
		truncated := len(want) > c.maxNodes
		want = want[:min(len(want), c.maxNodes)]
		if nb.Center.ID != orgID(hub) || nb.Truncated != truncated || len(nb.Nodes) != len(want) {
			t.Fatalf("depth %d max %d: centre %s, truncated %v, %d nodes; want %d nodes, truncated %v",
				c.depth, c.maxNodes, nb.Center.ID, nb.Truncated, len(nb.Nodes), len(want), truncated)
		}
		in := map[int64]bool{}
		for i, n := range nb.Nodes {
			k := orgKey(t, n.ID)
			in[k] = true
			if k != want[i] || n.Distance != dist[k] || n.Degree != len(net.adj[k]) {
				t.Errorf("depth %d node %d: %d at distance %d with degree %d; want %d at %d with degree %d",
					c.depth, i, k, n.Distance, n.Degree, want[i], dist[want[i]], len(net.adj[want[i]]))
			}
		}
		wantEdges := 0
		for a := range in {
			for b := range net.adj[a] {
				if in[b] && a < b {
					wantEdges++
				}
			}
		}
		if len(nb.Edges) != wantEdges {
			t.Errorf("depth %d max %d: %d edges; want %d", c.depth, c.maxNodes, len(nb.Edges), wantEdges)
		}
		for _, e := range nb.Edges {
			a, b := orgKey(t, e.Source), orgKey(t, e.Target)
			if !in[a] || !in[b] || e.Weight != net.adj[a][b] || len(e.Partnerships) != e.Weight {
				t.Errorf("edge %d-%d: weight %d, %d partnerships; want weight %d between returned nodes", a, b, e.Weight, len(e.Partnerships), net.adj[a][b])
			}
			if dist[a] > dist[b] {
				t.Errorf("edge %d-%d points towards the centre", a, b)
			}
		}
	}
}

func TestNeighborhoodStatementsDoNotGrowWithItsSize(t *testing.T) {
	ts := newServerWith(t, loader.DefaultTiming)
	hub := firstKey(t, relay.TypeOrganization, "SELECT organization_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	q := `query($of: ID!, $max: Int) { neighborhood(of: $of, depth: 3, maxNodes: $max) {
		nodes { organization { name { en } } } edges { partnerships { title { en } } } } }`
	small := statementsFor(t, ts, q, map[string]any{"of": hub, "max": 3})
	large := statementsFor(t, ts, q, map[string]any{"of": hub, "max": 300})
	// The centre, the walk, the links, the organizations, the shared partnerships.
	if small != 5 || large != 5 {
		t.Errorf("statements: %d for 3 nodes, %d for 300; want 5 for both", small, large)
	}
}

type rankingPage struct {
	Rankings struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Rank, Degree, Partnerships int
			PageRank                   float64
			Node                       struct {
				ID   string
				Kind string
			}
		}
	}
}

func TestRankingsOrderMembersByDegreeAndPageRank(t *testing.T) {
	ts := newServer(t)
	net := loadNetwork(t, testDB)
	pr := net.pageRank()
	partnerships := map[int64]int{}
	var counts []struct {
		Org int64
		N   int
	}
	if err := testDB.DB.Select(&counts, "SELECT organization_id AS org, count(*) AS n FROM partnership_participant GROUP BY 1"); err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		partnerships[c.Org] = c.N
	}
	for _, c := range []struct {
		by    string
		kinds []string
	}{{"DEGREE", nil}, {"PAGERANK", nil}, {"DEGREE", []string{"SCHOOL"}}, {"PAGERANK", []string{"COMPANY", "INDUSTRIAL_PARK"}}} {
		t.Run(c.by, func(t *testing.T) {
			// Walk the whole ranking in pages of 7, as a client would.
			var edges []struct {
				rank, degree, partnerships int
				pageRank                   float64
				id                         int64
			}
			var after any
			total := -1
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("the ranking does not end")
				}
				var got rankingPage
				vars := map[string]any{"by": c.by, "after": after}
				if c.kinds != nil {
					vars["kinds"] = c.kinds
				}
				ts.data(t, `query($by: CentralityMeasure, $kinds: [OrganizationKind!], $after: String) {
					rankings(by: $by, kinds: $kinds, first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor }
					edges { rank degree partnerships pageRank node { id kind } } } }`, vars, &got)
				total = got.Rankings.TotalCount
				for _, e := range got.Rankings.Edges {
					if c.kinds != nil && !slices.Contains(c.kinds, e.Node.Kind) {
						t.Errorf("a %s is ranked among %v", e.Node.Kind, c.kinds)
					}
					edges = append(edges, struct {
						rank, degree, partnerships int
						pageRank                   float64
						id                         int64
					}{e.Rank, e.Degree, e.Partnerships, e.PageRank, orgKey(t, e.Node.ID)})
				}
				if !got.Rankings.PageInfo.HasNextPage {
					break
				}
				after = *got.Rankings.PageInfo.EndCursor
			}
			var want []int64
			for _, id := range net.nodes {
				if c.kinds == nil || slices.Contains(c.kinds, net.kind[id]) {
					want = append(want, id)
				}
			}
			if len(edges) != len(want) || total != len(want) {
				t.Fatalf("%d ranked, totalCount %d; want %d organizations", len(edges), total, len(want))
			}
			value := func(id int64, pageRank float64) float64 {
				if c.by == "DEGREE" {
					return float64(len(net.adj[id]))
				}
				return pageRank
			}
			for i, e := range edges {
				if e.degree != len(net.adj[e.id]) || e.partnerships != partnerships[e.id] || math.Abs(e.pageRank-pr[e.id]) > 1e-9 {
					t.Errorf("%d: degree %d, %d partnerships, PageRank %.9f; want %d, %d, %.9f",
						e.id, e.degree, e.partnerships, e.pageRank, len(net.adj[e.id]), partnerships[e.id], pr[e.id])
				}
				if i == 0 {
					if e.rank != 1 {
						t.Errorf("the first is ranked %d", e.rank)
					}
					continue
				}
				prev := edges[i-1]
				v, pv := value(e.id, e.pageRank), value(prev.id, prev.pageRank)
				switch {
				case v > pv+1e-12:
					t.Errorf("%d (%v) ranks below %d (%v)", e.id, v, prev.id, pv)
				case math.Abs(v-pv) <= 1e-12 && c.by == "DEGREE" && (e.rank != prev.rank || e.id < prev.id):
					t.Errorf("tie between %d and %d: ranks %d and %d", prev.id, e.id, prev.rank, e.rank)
				case v < pv-1e-12 && e.rank != i+1:
					t.Errorf("%d is ranked %d at position %d", e.id, e.rank, i+1)
				}
			}
			if c.by == "PAGERANK" && c.kinds == nil {
				sum := 0.0
				for _, e := range edges {
					sum += e.pageRank
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Errorf("PageRanks sum to %v, not 1", sum)
				}
			}
		})
	}
}

func TestRankingsFollowChangesToTheNetwork(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	// Two schools that share no partnership yet.
	var pair []int64
	if err := ts.db.DB.Select(&pair, `SELECT o.id FROM organization o WHERE o.kind = 'SCHOOL' AND NOT EXISTS (
		SELECT 1 FROM partnership_participant x WHERE x.organization_id = o.id) ORDER BY o.id LIMIT 2`); err != nil || len(pair) < 2 {
		t.Fatalf("two schools without partnerships: %v %v", pair, err)
	}
	degree := func() map[string]int {
		var got rankingPage
		ts.data(t, `{ rankings(kinds: [SCHOOL], first: 100) { edges { degree node { id } } } }`, nil, &got)
		out := map[string]int{}
		for _, e := range got.Rankings.Edges {
			out[e.Node.ID] = e.Degree
		}
		return out
	}
	if before := degree(); before[orgID(pair[0])] != 0 {
		t.Fatalf("school %d starts with degree %d", pair[0], before[orgID(pair[0])])
	}
	var proposed partnershipPayload
	ue, errs := mutate(t, ts, memberOf(pair[0]), `mutation($input: ProposePartnershipInput!) { proposePartnership(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"allianceId": alliance, "title": map[string]any{"en": "Joint welding lab", "zh": "联合焊接实验室"}, "kind": "JOINT_TRAINING_BASE",
			"participants": []map[string]any{{"organizationId": orgID(pair[0]), "role": "LEAD"}, {"organizationId": orgID(pair[1]), "role": "PARTNER"}}},
		"proposePartnership", &proposed)
	if len(ue)+len(errs) > 0 {
		t.Fatalf("propose: %+v %+v", ue, errs)
	}
	// The second school is only invited: no link until it accepts.
	if invited := degree(); invited[orgID(pair[0])] != 0 || invited[orgID(pair[1])] != 0 {
		t.Errorf("while the partner is invited, degrees %d and %d; want 0 and 0", invited[orgID(pair[0])], invited[orgID(pair[1])])
	}
	ue, errs = mutate(t, ts, memberOf(pair[1]), `mutation($input: AnswerPartnershipInvitationInput!) { acceptPartnershipInvitation(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"partnershipId": proposed.Partnership.ID, "version": proposed.Partnership.Version, "organizationId": orgID(pair[1])},
		"acceptPartnershipInvitation", &partnershipPayload{})
	if len(ue)+len(errs) > 0 {
		t.Fatalf("accept: %+v %+v", ue, errs)
	}
	after := degree()
	if after[orgID(pair[0])] != 1 || after[orgID(pair[1])] != 1 {
		t.Errorf("after the partnership, degrees %d and %d; want 1 and 1", after[orgID(pair[0])], after[orgID(pair[1])])
	}
}

func TestNetworkQueriesRejectBadArguments(t *testing.T) {
	ts := newServer(t)
	org := firstKey(t, relay.TypeOrganization, "SELECT id FROM organization ORDER BY id LIMIT 1")
	alliance := firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	missing := orgID(1 << 40)
	cases := []struct {
		name, query, code, arg string
	}{
		{"path too deep", `{ path(from: "` + org + `", to: "` + org + `", maxDepth: 7) { length } }`, "BAD_USER_INPUT", "maxDepth"},
		{"path of no depth", `{ path(from: "` + org + `", to: "` + org + `", maxDepth: 0) { length } }`, "BAD_USER_INPUT", "maxDepth"},
		{"path from an alliance", `{ path(from: "` + alliance + `", to: "` + org + `") { length } }`, "BAD_USER_INPUT", "from"},
		{"path to garbage", `{ path(from: "` + org + `", to: "';--") { length } }`, "BAD_USER_INPUT", "to"},
		{"path to nobody", `{ path(from: "` + org + `", to: "` + missing + `") { length } }`, "NOT_FOUND", ""},
		{"neighbourhood too deep", `{ neighborhood(of: "` + org + `", depth: 4) { truncated } }`, "BAD_USER_INPUT", "depth"},
		{"neighbourhood too large", `{ neighborhood(of: "` + org + `", maxNodes: 1001) { truncated } }`, "BAD_USER_INPUT", "maxNodes"},
		{"neighbourhood of nobody", `{ neighborhood(of: "` + missing + `") { truncated } }`, "NOT_FOUND", ""},
		{"rankings of an organization", `{ rankings(alliance: "` + org + `") { totalCount } }`, "BAD_USER_INPUT", "alliance"},
		{"rankings page too large", `{ rankings(first: 101) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"rankings after garbage", `{ rankings(after: "nope") { totalCount } }`, "BAD_USER_INPUT", "after"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ts.query(t, c.query, nil)
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != c.code {
				t.Fatalf("errors %+v; want one %s", r.Errors, c.code)
			}
			if c.arg != "" && r.Errors[0].Extensions["argument"] != c.arg {
				t.Errorf("error names argument %v; want %s", r.Errors[0].Extensions["argument"], c.arg)
			}
		})
	}
}

func TestOnlyChangesOfWhoIsLinkedToWhomRemeasureTheNetwork(t *testing.T) {
	ts := newWriteServer(t)
	var reads atomic.Int64 // statements run on the resolvers' goroutines
	trace := func(q string, _ []any) {
		if strings.Contains(q, "SELECT u.partnership_id, u.organization_id, o.kind") {
			reads.Add(1)
		}
	}
	ts.trace.Store(&trace)
	t.Cleanup(func() { ts.trace.Store(nil) })
	rank := func() int64 {
		t.Helper()
		reads.Store(0)
		var got rankingPage
		ts.data(t, `{ rankings(by: PAGERANK, first: 3) { edges { node { id } } } }`, nil, &got)
		return reads.Load()
	}
	rank() // measures the network once
	if n := rank(); n != 0 {
		t.Fatalf("an unchanged network was read %d times, want 0 (served from the snapshot)", n)
	}
	var key int64
	if err := ts.db.DB.Get(&key, `SELECT partnership_id FROM partnership_participant ORDER BY 1 LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	id, version := relay.ID(relay.TypePartnership, key), ts.sqlInt(t, "SELECT version FROM partnership WHERE id = $1", key)
	if ue, errs := mutate(t, ts, admin, `mutation($input: UpdatePartnershipInput!) { updatePartnership(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"id": id, "version": version, "description": "Texts and dates link nobody"}, "updatePartnership", &partnershipPayload{}); len(ue)+len(errs) > 0 {
		t.Fatalf("update: %+v %+v", ue, errs)
	}
	if n := rank(); n != 0 {
		t.Errorf("after editing a partnership's description the network was read %d times, want 0", n)
	}
	var outsider int64
	if err := ts.db.DB.Get(&outsider, `SELECT m.organization_id FROM membership m WHERE m.left_on IS NULL AND NOT EXISTS (
		SELECT 1 FROM partnership_participant x WHERE x.partnership_id = $1 AND x.organization_id = m.organization_id) ORDER BY 1 LIMIT 1`, key); err != nil {
		t.Fatal(err)
	}
	if ue, errs := mutate(t, ts, admin, `mutation($input: AddPartnershipParticipantInput!) { addPartnershipParticipant(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"partnershipId": id, "version": version + 1, "organizationId": orgID(outsider), "role": "PARTNER"}, "addPartnershipParticipant", &partnershipPayload{}); len(ue)+len(errs) > 0 {
		t.Fatalf("add participant: %+v %+v", ue, errs)
	}
	if n := rank(); n != 1 {
		t.Errorf("after a participant joined the network was read %d times, want 1", n)
	}
}
