package server

import (
	"encoding/json"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/booking"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// The prices of the cost model, in one place. A unit is about 10 µs of CPU, the server's
// and PostgreSQL's together, at 100 times the demo's data: what the resolvers spend on
// one plain field of an object (the deepest frontend query, 22,854 units, took 246 ms,
// 10.8 µs a unit; 100 organizations × 100 partnerships, 50,301 units, 25 ms). So the
// budgets read as CPU time: 100,000 units, about one CPU-second.
//
// A field costs 1, plus its price below (each time it is resolved: under a connection
// of page n, n times), plus its selections. Every price cites its row of the table in
// docs/security.md, measured by BenchmarkFieldCosts (cost_bench_test.go) as the
// CPU milliseconds a request spends (100 units a millisecond; the figures below are
// that table's, the prices are rounded up from the largest of three runs): under a page,
// a field is resolved for each parent in one batched statement, which costs less per
// parent than a lone one, so the lone cost is the price.
type price struct {
	// each is what resolving the field once costs, beyond its 1 and its selections.
	each func(a fieldArgs) int
	// count is what its connection's totalCount costs, when selected; nil: the
	// connections' default (see countPrice).
	count func(a fieldArgs) int
}

func fixed(n int) func(fieldArgs) int { return func(fieldArgs) int { return n } }

// prices are keyed by type and field, as the schema names them.
var prices = map[string]price{
	// search: 2 characters 12.3 ms, 1 word 36.6 (with a typo 33.3), 3 words with typos
	// 70.1, 5 words with typos 118.2 (171.7 in another run), 6 words (past the typo
	// limit, substring only) 5.8. Each word compared with the word list adds similar
	// words searched as substrings of every kind; totalCount repeats the work without
	// the page's cut: 1 word 50.8, 5 words 260.3 (300.8).
	"Query.search": {
		each:  func(a fieldArgs) int { return 1_500 + 3_500*store.TypoLookupWords(a.str("query")) },
		count: func(a fieldArgs) int { return 1_000 + 6_000*store.TypoLookupWords(a.str("query")) },
	},
	// matches: first 100 of the opening requiring most skills, 18.1 ms (with minScore
	// 15.7), 100 openings 13.9 each. totalCount counts every holder of the required
	// skills: 34.7 ms (48.6); with minScore it sums each holder's levels, 114.6 ms
	// (124.3; 20 openings: 94 each).
	"JobOpening.matches": {
		each: fixed(2_500),
		count: func(a fieldArgs) int {
			if a.float("minScore") > 0 {
				return 12_500
			}
			return 5_000
		},
	},
	// recommendedOpenings: first 100 for the talent holding most skills, 31.8 ms (100
	// talents: 4.7 each); totalCount 46.8 ms.
	"Talent.recommendedOpenings": {each: fixed(4_000), count: fixed(4_500)},
	// gapCourses: first 50, 7.6 ms, 7.6 with a talent (15.3 in another run; 100
	// openings: 0.7 each).
	"JobOpening.gapCourses": {each: fixed(1_600)},
	// path: maxDepth 6 between the best connected organization and one five steps away,
	// 7.6 ms (10.5); 11.3 ms when no path exists and every level is walked.
	"Query.path": {each: fixed(2_100)},
	// neighborhood: depth 3 and 1,000 nodes around the best connected organization,
	// 14.6 ms (17.1); its nodes' selections count once per node (see listSize).
	"Query.neighborhood": {each: fixed(1_800)},
	// rankings: PageRank measured again after a change to the network, 68 ms (the
	// analysts' benchmark, docs/analysts-benchmark.md, rankings-after-change); 12.5 ms
	// while the measurement is kept.
	"Query.rankings": {each: fixed(7_000), count: fixed(0)},
	// analytics: every group counted again after a change, 35 ms (analytics-after-
	// change); 1.1 ms while kept.
	"Query.analytics": {each: fixed(3_600)},
	// skillGap: 28 ms measured again (skill-gap), 4.2 ms while kept.
	"Query.skillGap": {each: fixed(2_800), count: fixed(0)},
	// employmentOutcomes: every cohort member's hire, employer and partnership, grouped.
	// Computed again after a change (analysts' benchmark, employment-outcomes-after-
	// change), the whole history by school took 650 ms a computation (1,300 ms with its
	// totalCount, which computes it again), one academic year by year 500 ms; kept, 3.1
	// ms (BenchmarkFieldCosts), 7.5 ms in the analysts' benchmark. Asked without a period, order or cursor and for at most
	// graph.KeptOutcomePage groups, every request of a grouping shares one kept answer (and
	// the totalCount of a grouping one count), so the server computes each grouping at
	// most once per change of the log however many such requests arrive: those are priced
	// as kept. Anything else is priced as computed.
	"Query.employmentOutcomes": {each: outcomePrice(1_000, 65_000), count: outcomeCountPrice(500, 65_000)},
	// membershipGrowth: every month since the founding, computed again after a change,
	// 35 ms (membership-growth-after-change); kept, 2.9 ms.
	"Query.membershipGrowth": {each: fixed(4_000)},
	// totalCount of the root connections, counting the table under the caller's
	// visibility: talents (200,000) 17.7 ms, resources (71,000) 28.2, job openings
	// 14.1 (16.7), organizations (14,200) 0.8 (3.3), events 1.2 (3.5; 3.1 for an
	// administrator). Training courses are resources, partnerships (10,000) and
	// training centers (1,000) fewer than organizations; skills (48) and alliances
	// are a handful of rows.
	"Query.talents":         {count: fixed(1_400)},
	"Query.resources":       {count: fixed(2_900)},
	"Query.jobOpenings":     {count: fixed(1_700)},
	"Query.trainingCourses": {count: fixed(2_900)},
	"Query.organizations":   {count: fixed(400)},
	"Query.partnerships":    {count: fixed(400)},
	"Query.trainingCenters": {count: fixed(400)},
	"Query.events":          {count: fixed(400)},
	"Query.skills":          {count: fixed(nestedCountPrice)},
	"Query.alliances":       {count: fixed(nestedCountPrice)},
	// An alliance holds nearly everything: its lists count what the root ones do
	// (alliance talents, 38.4 ms). A skill is held by a twelfth of the talents and
	// required or taught by as many openings and courses: 48 skills' three counts,
	// 757 ms, 5.3 each. A page of a skill's courses, 4.4 ms (48 skills, 210 ms); of its
	// talents or openings, under 1.5 ms since the page skips skills nobody holds
	// (store.skipUnheld; before, 0.4 to 0.8 s for each such skill).
	"Alliance.talents":         {count: fixed(4_500)},
	"Alliance.resources":       {count: fixed(2_900)},
	"Alliance.members":         {count: fixed(400)},
	"Alliance.partnerships":    {count: fixed(400)},
	"Alliance.trainingCenters": {count: fixed(400)},
	"Skill.talents":            {count: fixed(600)},
	"Skill.jobOpenings":        {count: fixed(600)},
	"Skill.courses":            {each: fixed(450), count: fixed(600)},
}

// Connections' totalCount when prices do not say: a root connection's counts a table
// (at most what resources cost, the largest); a nested one's counts the rows of each
// parent of a page, grouped in one statement (100 organizations × 3 counts, 71.7 ms,
// 85.5 in another run: 0.3 each).
const (
	rootCountPrice   = 2_900
	nestedCountPrice = 30
)

// filterSearchPrice is the price of a connection's filter.search (a substring of names
// or titles through the trigram indexes): 100 resources with their count, 13.7 ms
// (19.1), of which the count is most; 7.5 (11.4) for organizations.
const filterSearchPrice = 1_000

// countPrice is what the totalCount of connection field f, keyed as in prices, costs.
func countPrice(key string, p price, ok bool, a fieldArgs, root bool) int {
	switch {
	case ok && p.count != nil:
		return p.count(a)
	case root:
		return rootCountPrice
	}
	return nestedCountPrice
}

// listSize says how many times the selections of a plain list field (not a
// connection) count: the argument bounding its length where it has one.
func listSize(key string, a fieldArgs) int {
	switch key {
	case "Neighborhood.nodes", "Neighborhood.edges":
		return a.parentInt("maxNodes", 200)
	case "TrainingFacility.availability":
		return freeSlots(a)
	}
	return 1
}

// freeSlots bounds how many free slots a facility's window lists: a working day holds
// a few (the demo's class meetings leave two or three), so two a day of the window,
// which the resolver caps at 92 days. A window that does not parse is refused before
// it costs anything; it counts as the longest.
func freeSlots(a fieldArgs) int {
	from, errFrom := time.Parse(time.RFC3339, a.str("from"))
	to, errTo := time.Parse(time.RFC3339, a.str("to"))
	days := int(booking.MaxWindow / (24 * time.Hour))
	if errFrom == nil && errTo == nil && to.After(from) {
		days = min(days, int(to.Sub(from).Hours()/24)+1)
	}
	return 2 * days
}

// fieldArgs reads the arguments of one field, with variables resolved.
type fieldArgs struct {
	m      *measure
	f      *ast.Field
	parent *ast.Field // the field f is selected under, if any
}

func (a fieldArgs) value(f *ast.Field, name string) any {
	if f == nil {
		return nil
	}
	arg := f.Arguments.ForName(name)
	if arg == nil || arg.Value == nil {
		return nil
	}
	v, err := arg.Value.Value(a.m.vars)
	if err != nil {
		return nil
	}
	return v
}

func (a fieldArgs) str(name string) string {
	s, _ := a.value(a.f, name).(string)
	return s
}

func (a fieldArgs) float(name string) float64 {
	switch v := a.value(a.f, name).(type) {
	case float64:
		return v
	case json.Number:
		f, _ := v.Float64()
		return f
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	if n, ok := a.m.intArg(a.f, name); ok {
		return float64(n)
	}
	return 0
}

func (a fieldArgs) parentInt(name string, otherwise int) int {
	if a.parent == nil {
		return otherwise
	}
	if n, ok := a.m.intArg(a.parent, name); ok {
		return max(n, 0)
	}
	return otherwise
}

// filterSearch reports whether the field's filter argument holds a non-empty search.
func (a fieldArgs) filterSearch() bool {
	filter, ok := a.value(a.f, "filter").(map[string]any)
	if !ok {
		return false
	}
	s, _ := filter["search"].(string)
	return s != ""
}

// outcomePrice is employmentOutcomes' price: kept when every request like it shares the
// answer the server keeps (see graph.KeptOutcomePage), computed otherwise.
func outcomePrice(kept, computed int) func(fieldArgs) int {
	return func(a fieldArgs) int {
		first, given := a.m.intArg(a.f, "first")
		if a.value(a.f, "period") == nil && a.value(a.f, "orderBy") == nil && a.value(a.f, "after") == nil &&
			(!given || first <= graph.KeptOutcomePage) {
			return kept
		}
		return computed
	}
}

// outcomeCountPrice is the price of employmentOutcomes' totalCount, kept for every
// request of a grouping without a period (order and page do not change the count).
func outcomeCountPrice(kept, computed int) func(fieldArgs) int {
	return func(a fieldArgs) int {
		if a.value(a.f, "period") == nil {
			return kept
		}
		return computed
	}
}
