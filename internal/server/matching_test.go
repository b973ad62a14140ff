package server_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

type skillMatchOut struct {
	Skill         struct{ Code string }
	RequiredLevel int
	Level         *int
	Coverage      float64
}

type matchEdgeOut struct {
	Cursor        string
	Score         float64
	Node          struct{ ID string }
	MatchedSkills []skillMatchOut
	MissingSkills []skillMatchOut
}

type matchPageOut struct {
	Edges    []matchEdgeOut
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

const matchFields = `edges { cursor score node { id }
	matchedSkills { skill { code } requiredLevel level coverage }
	missingSkills { skill { code } requiredLevel level coverage } }
	pageInfo { hasNextPage endCursor }`

// ranked is one row of an oracle's ranking: a talent or an opening with its score.
type ranked struct {
	ID    int64
	Score float64
}

// rankOracle runs a query returning (id, held, w) and ranks the rows by held/w, then id,
// both descending, keeping scores of at least min.
func rankOracle(t *testing.T, db *pgtest.Database, min float64, q string, args ...any) []ranked {
	t.Helper()
	var rows []struct {
		ID   int64 `db:"id"`
		Held int   `db:"held"`
		W    int   `db:"w"`
	}
	if err := db.DB.Select(&rows, q, args...); err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var out []ranked
	for _, r := range rows {
		if s := float64(r.Held) / float64(r.W); s > 0 && s >= min {
			out = append(out, ranked{r.ID, s})
		}
	}
	slices.SortFunc(out, func(a, b ranked) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return out
}

// matchOracle ranks the talents of the opening's alliance, not hired for it, by weighted
// coverage of its required skills.
func matchOracle(t *testing.T, opening int64, statuses []string, min float64) []ranked {
	t.Helper()
	var st any
	if statuses != nil {
		st = pq.StringArray(statuses)
	}
	return rankOracle(t, testDB, min, `
		SELECT t.id, sum(LEAST(ts.level, rs.level)) AS held, (SELECT sum(level) FROM resource_skill WHERE resource_id = o.id) AS w
		FROM resource o JOIN resource_skill rs ON rs.resource_id = o.id
		JOIN talent_skill ts ON ts.skill_id = rs.skill_id
		JOIN talent t ON t.id = ts.talent_id AND t.alliance_id = o.alliance_id
		WHERE o.id = $1 AND ($2::text[] IS NULL OR t.status = ANY($2))
			AND t.id NOT IN (SELECT talent_id FROM placement WHERE opening_id = o.id AND status = 'HIRED')
		GROUP BY t.id, o.id`, opening, st)
}

// explanationOracle gives the matched and missing skills of a talent for an opening,
// from the raw levels: matched are held (coverage desc), missing are below the
// requirement (shortfall desc), ties by skill code.
func explanationOracle(t *testing.T, db *pgtest.Database, opening, talent int64) (matched, missing []skillMatchOut) {
	t.Helper()
	var rows []struct {
		Code     string `db:"code"`
		Required int    `db:"required"`
		Held     int    `db:"held"`
	}
	if err := db.DB.Select(&rows, `
		SELECT k.code, rs.level AS required, COALESCE(ts.level, 0) AS held
		FROM resource_skill rs JOIN skill k ON k.id = rs.skill_id
		LEFT JOIN talent_skill ts ON ts.skill_id = rs.skill_id AND ts.talent_id = $2
		WHERE rs.resource_id = $1 ORDER BY k.code`, opening, talent); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		m := skillMatchOut{RequiredLevel: r.Required, Coverage: math.Min(float64(r.Held), float64(r.Required)) / float64(r.Required)}
		m.Skill.Code = r.Code
		if r.Held > 0 {
			h := r.Held
			m.Level = &h
			matched = append(matched, m)
		}
		if r.Held < r.Required {
			missing = append(missing, m)
		}
	}
	slices.SortStableFunc(matched, func(a, b skillMatchOut) int { return cmp.Compare(b.Coverage, a.Coverage) })
	short := func(m skillMatchOut) int {
		if m.Level == nil {
			return m.RequiredLevel
		}
		return m.RequiredLevel - *m.Level
	}
	slices.SortStableFunc(missing, func(a, b skillMatchOut) int { return cmp.Compare(short(b), short(a)) })
	return matched, missing
}

func describeSkills(ms []skillMatchOut) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		lvl := "-"
		if m.Level != nil {
			lvl = fmt.Sprint(*m.Level)
		}
		parts[i] = fmt.Sprintf("%s(req %d, held %s, cov %.4f)", m.Skill.Code, m.RequiredLevel, lvl, m.Coverage)
	}
	return strings.Join(parts, " ")
}

// pageAll follows a connection's cursors to its end, page by page, and returns every
// edge in order.
func pageAll(t *testing.T, fetch func(after *string) matchPageOut) []matchEdgeOut {
	t.Helper()
	var all []matchEdgeOut
	var after *string
	for pages := 0; ; pages++ {
		if pages > 500 {
			t.Fatal("paging does not end")
		}
		p := fetch(after)
		all = append(all, p.Edges...)
		if !p.PageInfo.HasNextPage {
			return all
		}
		if p.PageInfo.EndCursor == nil || len(p.Edges) == 0 {
			t.Fatal("a page with a next page has no end cursor")
		}
		after = p.PageInfo.EndCursor
	}
}

func compareRanking(t *testing.T, typ relay.Type, got []matchEdgeOut, want []ranked) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range got {
		if seen[e.Node.ID] {
			t.Errorf("%s appears twice", e.Node.ID)
		}
		seen[e.Node.ID] = true
	}
	if len(got) != len(want) {
		t.Errorf("got %d ranked, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		wantID := relay.ID(typ, want[i].ID)
		if got[i].Node.ID != wantID || math.Abs(got[i].Score-want[i].Score) > 1e-12 {
			t.Fatalf("rank %d: got %s score %v, want %s (key %d) score %v", i, got[i].Node.ID, got[i].Score, wantID, want[i].ID, want[i].Score)
		}
	}
}

func checkExplanations(t *testing.T, db *pgtest.Database, edges []matchEdgeOut, opening func(matchEdgeOut) (int64, int64)) {
	t.Helper()
	for i, e := range edges {
		if i >= 40 {
			return
		}
		o, tal := opening(e)
		matched, missing := explanationOracle(t, db, o, tal)
		if got, want := describeSkills(e.MatchedSkills), describeSkills(matched); got != want {
			t.Errorf("opening %d talent %d matched skills:\n got %s\nwant %s", o, tal, got, want)
		}
		if got, want := describeSkills(e.MissingSkills), describeSkills(missing); got != want {
			t.Errorf("opening %d talent %d missing skills:\n got %s\nwant %s", o, tal, got, want)
		}
	}
}

func keyOf(t *testing.T, typ relay.Type, id string) int64 {
	t.Helper()
	k, err := relay.ParseIDOf(typ, id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestOpeningMatchesRankTalentsByWeightedCoverage(t *testing.T) {
	ts := newServer(t)
	popular := int64(sqlInt(t, `SELECT rs.resource_id FROM resource_skill rs JOIN resource r ON r.id = rs.resource_id
		JOIN talent_skill ts ON ts.skill_id = rs.skill_id WHERE r.category = 'JOB_OPENING'
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`))
	hiredFor := int64(sqlInt(t, `SELECT p.opening_id FROM placement p JOIN resource_skill rs ON rs.resource_id = p.opening_id
		JOIN talent_skill ts ON ts.talent_id = p.talent_id AND ts.skill_id = rs.skill_id
		WHERE p.status = 'HIRED' ORDER BY p.opening_id LIMIT 1`))
	single := int64(sqlInt(t, `SELECT resource_id FROM resource_skill GROUP BY 1 HAVING count(*) = 1 AND
		resource_id IN (SELECT id FROM resource WHERE category = 'JOB_OPENING') ORDER BY 1 LIMIT 1`))
	deep := int64(sqlInt(t, `SELECT rs.resource_id FROM resource_skill rs JOIN resource r ON r.id = rs.resource_id
		WHERE r.category = 'JOB_OPENING' GROUP BY 1 ORDER BY sum(rs.level) DESC, 1 LIMIT 1`))
	tests := []struct {
		name     string
		opening  int64
		statuses []string
		minScore float64
		pageSize int
	}{
		{"the opening whose skills most talents hold", popular, nil, 0, 50},
		{"an opening some of whose matching talents were hired", hiredFor, nil, 0, 9},
		{"an opening requiring one skill", single, nil, 0, 13},
		{"the opening requiring the most, in small pages", deep, nil, 0, 7},
		{"a minimum score", popular, nil, 0.6, 11},
		{"only some statuses", popular, []string{"JOB_SEEKING", "STUDENT"}, 0, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := matchOracle(t, tt.opening, tt.statuses, tt.minScore)
			if len(want) == 0 {
				t.Fatalf("oracle finds no match for opening %d; the case tests nothing", tt.opening)
			}
			id := relay.ID(relay.TypeResource, tt.opening)
			vars := map[string]any{"id": id, "n": tt.pageSize, "min": tt.minScore, "st": tt.statuses}
			q := `query($id: ID!, $n: Int, $after: String, $min: Float, $st: [TalentStatus!]) { node(id: $id) { ... on JobOpening {
				matches(first: $n, after: $after, minScore: $min, statuses: $st) { ` + matchFields + ` totalCount } } } }`
			var total int
			got := pageAll(t, func(after *string) matchPageOut {
				vars["after"] = after
				var out struct {
					Node struct {
						Matches struct {
							matchPageOut
							TotalCount int
						}
					}
				}
				dataAs(t, ts, admin, q, vars, &out)
				total = out.Node.Matches.TotalCount
				return out.Node.Matches.matchPageOut
			})
			compareRanking(t, relay.TypeTalent, got, want)
			if total != len(want) {
				t.Errorf("totalCount = %d, want %d", total, len(want))
			}
			checkExplanations(t, testDB, got, func(e matchEdgeOut) (int64, int64) {
				return tt.opening, keyOf(t, relay.TypeTalent, e.Node.ID)
			})
		})
	}
}

func TestOpeningMatchesLeaveOutHiredTalents(t *testing.T) {
	ts := newServer(t)
	var hired struct {
		Opening int64 `db:"opening_id"`
		Talent  int64 `db:"talent_id"`
	}
	if err := testDB.DB.Get(&hired, `SELECT p.opening_id, p.talent_id FROM placement p JOIN resource_skill rs ON rs.resource_id = p.opening_id
		JOIN talent_skill ts ON ts.talent_id = p.talent_id AND ts.skill_id = rs.skill_id
		WHERE p.status = 'HIRED' ORDER BY p.opening_id, p.talent_id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Node struct{ Matches matchPageOut }
	}
	dataAs(t, ts, admin, `query($id: ID!) { node(id: $id) { ... on JobOpening { matches(first: 100) { `+matchFields+` } } } }`,
		map[string]any{"id": relay.ID(relay.TypeResource, hired.Opening)}, &out)
	for _, e := range out.Node.Matches.Edges {
		if e.Node.ID == relay.ID(relay.TypeTalent, hired.Talent) {
			t.Fatalf("talent %d, hired for opening %d and holding a required skill, is among its matches", hired.Talent, hired.Opening)
		}
	}
}

// recommendationOracle ranks the open, unwithdrawn openings of the talent's alliance not
// past their closing date on today that the viewer acting for org may see (every one
// when org is nil), leaving out those the talent was hired for.
func recommendationOracle(t *testing.T, talent int64, org *int64, min float64, today string) []ranked {
	t.Helper()
	var o any
	if org != nil {
		o = *org
	}
	return rankOracle(t, testDB, min, `
		SELECT o.id, sum(LEAST(COALESCE(ts.level, 0), rs.level)) AS held, sum(rs.level) AS w
		FROM talent t JOIN resource o ON o.alliance_id = t.alliance_id
		JOIN resource_skill rs ON rs.resource_id = o.id
		LEFT JOIN talent_skill ts ON ts.talent_id = t.id AND ts.skill_id = rs.skill_id
		WHERE t.id = $1 AND o.category = 'JOB_OPENING' AND o.opening_status = 'OPEN' AND o.withdrawn_on IS NULL
			AND (o.closes_on IS NULL OR o.closes_on >= $3::date)
			AND ($2::bigint IS NULL OR o.shared_with_all OR o.provider_id = $2
				OR o.id IN (SELECT resource_id FROM resource_share WHERE organization_id = $2))
			AND o.id NOT IN (SELECT opening_id FROM placement WHERE talent_id = t.id AND status = 'HIRED')
		GROUP BY o.id`, talent, o, today)
}

func recommendationsOf(t *testing.T, ts *testServer, v auth.Viewer, talent int64, pageSize int, min float64) []matchEdgeOut {
	t.Helper()
	vars := map[string]any{"id": relay.ID(relay.TypeTalent, talent), "n": pageSize, "min": min}
	q := `query($id: ID!, $n: Int, $after: String, $min: Float) { node(id: $id) { ... on Talent {
		recommendedOpenings(first: $n, after: $after, minScore: $min) { ` + matchFields + ` } } } }`
	return pageAll(t, func(after *string) matchPageOut {
		vars["after"] = after
		r := ts.queryAs(t, v, q, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("query failed: %+v", r.Errors)
		}
		var out struct {
			Node struct{ RecommendedOpenings matchPageOut }
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		return out.Node.RecommendedOpenings
	})
}

func TestRecommendedOpeningsRankOpenOpeningsTheViewerMaySee(t *testing.T) {
	ts := startConfiguredServer(t, testDB, onRuleDay)
	skilled := int64(sqlInt(t, `SELECT talent_id FROM talent_skill GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`))
	// Openings still OPEN past their closing date (the calendar has not run here) must
	// not be recommended: some of those the talent fits are.
	if sqlInt(t, `SELECT count(DISTINCT o.id) FROM resource o JOIN resource_skill rs ON rs.resource_id = o.id
		JOIN talent_skill ts ON ts.skill_id = rs.skill_id AND ts.talent_id = $1
		WHERE o.opening_status = 'OPEN' AND o.closes_on < $2::date`, skilled, ruleDay) == 0 {
		t.Fatalf("no open opening the talent fits is past its closing date on %s; the case tests nothing", ruleDay)
	}
	school := int64(sqlInt(t, `SELECT school_id FROM talent WHERE school_id IS NOT NULL ORDER BY id LIMIT 1`))
	tests := []struct {
		name     string
		viewer   auth.Viewer
		org      *int64
		talent   int64
		minScore float64
		pageSize int
	}{
		{"an administrator, for the talent with most skills", admin, nil, skilled, 0, 5},
		{"an anonymous caller sees only openings shared with all", auth.Viewer{}, ptrTo(int64(0)), skilled, 0, 5},
		{"a member sees what is shared with its organization", memberOf(school), &school, skilled, 0, 4},
		{"a minimum score", admin, nil, skilled, 0.5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := recommendationOracle(t, tt.talent, tt.org, tt.minScore, ruleDay)
			if len(want) == 0 {
				t.Fatal("the oracle recommends nothing; the case tests nothing")
			}
			got := recommendationsOf(t, ts, tt.viewer, tt.talent, tt.pageSize, tt.minScore)
			compareRanking(t, relay.TypeResource, got, want)
			checkExplanations(t, testDB, got, func(e matchEdgeOut) (int64, int64) {
				return keyOf(t, relay.TypeResource, e.Node.ID), tt.talent
			})
		})
	}
}

func TestRestrictedOpeningIsRecommendedOnlyToViewersItIsSharedWith(t *testing.T) {
	ts := newServer(t)
	var c struct {
		Opening int64 `db:"opening"`
		Talent  int64 `db:"talent"`
		Outside int64 `db:"outside"`
		Inside  int64 `db:"inside"`
	}
	// A restricted open opening, a talent of an organization it is not shared with who
	// holds one of its skills, and a member it is shared with.
	if err := testDB.DB.Get(&c, `
		SELECT o.id AS opening, t.id AS talent, COALESCE(t.school_id, t.employer_id) AS outside,
			(SELECT organization_id FROM resource_share WHERE resource_id = o.id ORDER BY 1 LIMIT 1) AS inside
		FROM resource o JOIN resource_skill rs ON rs.resource_id = o.id
		JOIN talent_skill ts ON ts.skill_id = rs.skill_id JOIN talent t ON t.id = ts.talent_id
		WHERE o.category = 'JOB_OPENING' AND o.opening_status = 'OPEN' AND NOT o.shared_with_all AND o.withdrawn_on IS NULL
			AND COALESCE(t.school_id, t.employer_id) IS NOT NULL AND COALESCE(t.school_id, t.employer_id) <> o.provider_id
			AND COALESCE(t.school_id, t.employer_id) NOT IN (SELECT organization_id FROM resource_share WHERE resource_id = o.id)
			AND EXISTS (SELECT 1 FROM resource_share WHERE resource_id = o.id)
		ORDER BY o.id, t.id LIMIT 1`); err != nil {
		t.Fatalf("no restricted opening with a matching talent outside its share list: %v", err)
	}
	has := func(edges []matchEdgeOut) bool {
		return slices.ContainsFunc(edges, func(e matchEdgeOut) bool { return e.Node.ID == relay.ID(relay.TypeResource, c.Opening) })
	}
	if has(recommendationsOf(t, ts, memberOf(c.Outside), c.Talent, 100, 0)) {
		t.Errorf("restricted opening %d is recommended to a member of organization %d, outside its share list", c.Opening, c.Outside)
	}
	if has(recommendationsOf(t, ts, auth.Viewer{}, c.Talent, 100, 0)) {
		t.Errorf("restricted opening %d is recommended to an anonymous caller", c.Opening)
	}
	if !has(recommendationsOf(t, ts, memberOf(c.Inside), c.Talent, 100, 0)) {
		t.Errorf("restricted opening %d is not recommended to a member of organization %d, which it is shared with", c.Opening, c.Inside)
	}
	if !has(recommendationsOf(t, ts, admin, c.Talent, 100, 0)) {
		t.Errorf("restricted opening %d is not recommended to an administrator", c.Opening)
	}
}

func TestMatchesTakeOneStatementPerLevelWhateverTheNumberOfOpenings(t *testing.T) {
	// 50 openings' matches cost more than an anonymous caller may spend: the cost
	// limit is off here, as the test counts statements.
	ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement, c.Limits.MaxComplexity = false, -1 })
	q := `query($n: Int!) { jobOpenings(first: $n) { edges { node {
		matches(first: 3) { edges { score node { id } matchedSkills { skill { code } } } }
		gapCourses(first: 2) { coverage course { id } }
	} } } }`
	// Openings, their matches, the talents, the skills, the gap courses and the courses:
	// a small page may lack gap courses and skip the last.
	small := statementsFor(t, ts, q, map[string]any{"n": 2})
	large := statementsFor(t, ts, q, map[string]any{"n": 50})
	if small > 6 || large != 6 {
		t.Errorf("2 openings took %d statements, 50 took %d; want at most 6 and 6", small, large)
	}
	// Job seekers: every one of them has openings recommended, and counted.
	tq := `query($n: Int!) { talents(first: $n, filter: {statuses: [JOB_SEEKING]}) { edges { node {
		recommendedOpenings(first: 3) { totalCount edges { score node { id } missingSkills { skill { code } } } }
	} } } }`
	// Ten are enough that some recommendation misses a skill, so that every level of the
	// query is read at both sizes (two job seekers may fit their openings perfectly).
	small = statementsFor(t, ts, tq, map[string]any{"n": 10})
	large = statementsFor(t, ts, tq, map[string]any{"n": 40})
	if small != large {
		t.Errorf("recommendations of 10 talents took %d statements, of 40 took %d", small, large)
	}
}

func TestMatchingRejectsBadArguments(t *testing.T) {
	ts := newServer(t)
	opening := relay.ID(relay.TypeResource, int64(sqlInt(t, `SELECT r.id FROM resource r WHERE category = 'JOB_OPENING'
		AND EXISTS (SELECT 1 FROM resource_skill WHERE resource_id = r.id) ORDER BY id LIMIT 1`)))
	talent := relay.ID(relay.TypeTalent, int64(sqlInt(t, `SELECT talent_id FROM talent_skill ORDER BY 1 LIMIT 1`)))
	var page struct {
		Node struct{ Matches matchPageOut }
	}
	dataAs(t, ts, admin, `query($id: ID!) { node(id: $id) { ... on JobOpening { matches(first: 1) { `+matchFields+` } } } }`, map[string]any{"id": opening}, &page)
	if len(page.Node.Matches.Edges) == 0 {
		t.Fatal("the opening has no match to take a cursor from")
	}
	matchCursor := page.Node.Matches.Edges[0].Cursor
	onOpening := func(field string) string {
		decl := ""
		if strings.Contains(field, "$c") {
			decl += ", $c: String"
		}
		if strings.Contains(field, "$t") {
			decl += ", $t: ID"
		}
		return `query($id: ID!` + decl + `) { node(id: $id) { ... on JobOpening { ` + field + ` } } }`
	}
	onTalent := func(field string) string {
		decl := ""
		if strings.Contains(field, "$c") {
			decl = ", $c: String"
		}
		return `query($id: ID!` + decl + `) { node(id: $id) { ... on Talent { ` + field + ` } } }`
	}
	tests := []struct {
		name, query string
		vars        map[string]any
		code        string
		argument    string
		contains    string
	}{
		{"minimum score above 1", onOpening(`matches(minScore: 1.5) { totalCount }`), map[string]any{"id": opening}, "BAD_USER_INPUT", "minScore", "between 0 and 1"},
		{"negative minimum score", onTalent(`recommendedOpenings(minScore: -0.1) { totalCount }`), map[string]any{"id": talent}, "BAD_USER_INPUT", "minScore", "between 0 and 1"},
		{"page too large", onOpening(`matches(first: 101) { totalCount }`), map[string]any{"id": opening}, "BAD_USER_INPUT", "first", "at most 100"},
		{"garbage cursor", onOpening(`matches(after: $c) { totalCount }`), map[string]any{"id": opening, "c": "xyz"}, "BAD_USER_INPUT", "after", "not a cursor"},
		{"a match cursor given to recommendations", onTalent(`recommendedOpenings(after: $c) { totalCount }`), map[string]any{"id": talent, "c": matchCursor}, "BAD_USER_INPUT", "after", "sorted by"},
		{"gap courses for something not a talent", onOpening(`gapCourses(talent: $t) { coverage }`), map[string]any{"id": opening, "t": opening}, "BAD_USER_INPUT", "talent", "not the ID of a talent"},
		{"gap courses for a missing talent", onOpening(`gapCourses(talent: $t) { coverage }`), map[string]any{"id": opening, "t": relay.ID(relay.TypeTalent, 999999999)}, "NOT_FOUND", "", "talent does not exist"},
		{"too many gap courses", onOpening(`gapCourses(first: 51) { coverage }`), map[string]any{"id": opening}, "BAD_USER_INPUT", "first", "between 1 and 50"},
		{"no gap course", onOpening(`gapCourses(first: 0) { coverage }`), map[string]any{"id": opening}, "BAD_USER_INPUT", "first", "between 1 and 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.queryAs(t, admin, tt.query, tt.vars)
			if len(r.Errors) != 1 {
				t.Fatalf("got errors %+v, want 1", r.Errors)
			}
			e := r.Errors[0]
			if e.Extensions["code"] != tt.code || (tt.argument != "" && e.Extensions["argument"] != tt.argument) {
				t.Errorf("got code %v argument %v, want %s %s (%s)", e.Extensions["code"], e.Extensions["argument"], tt.code, tt.argument, e.Message)
			}
			if !strings.Contains(e.Message, tt.contains) {
				t.Errorf("message %q does not contain %q", e.Message, tt.contains)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

// gapCourseOracle computes an opening's gap courses from the raw rows: the required
// skills the talent (none when 0) holds below their level, each weighing its required
// level r and closed, by a course teaching it at level L, by min(1, (min(L, r) - held) /
// (r - held)); courses with free seats, not started on today (nor ended), not withdrawn,
// shared with all (any when seeAll), in the opening's alliance; best coverage first,
// then by id.
func gapCourseOracle(t *testing.T, db *pgtest.Database, opening, talent int64, first int, seeAll bool, today string) []gapCourseOut {
	t.Helper()
	var req []struct {
		Skill    int64  `db:"skill_id"`
		Code     string `db:"code"`
		Required int    `db:"level"`
		Held     int    `db:"held"`
	}
	if err := db.DB.Select(&req, `SELECT rs.skill_id, k.code, rs.level, COALESCE(ts.level, 0) AS held
		FROM resource_skill rs JOIN skill k ON k.id = rs.skill_id
		LEFT JOIN talent_skill ts ON ts.talent_id = $2 AND ts.skill_id = rs.skill_id
		WHERE rs.resource_id = $1`, opening, talent); err != nil {
		t.Fatal(err)
	}
	var taught []struct {
		Course int64 `db:"id"`
		Skill  int64 `db:"skill_id"`
		Level  int   `db:"level"`
	}
	if err := db.DB.Select(&taught, `SELECT c.id, rs.skill_id, rs.level FROM resource c
		JOIN resource_skill rs ON rs.resource_id = c.id
		WHERE c.category = 'TRAINING_COURSE' AND c.seats > c.enrolled
			AND (c.starts_on IS NULL OR c.starts_on > $3::date) AND (c.ends_on IS NULL OR c.ends_on >= $3::date)
			AND c.withdrawn_on IS NULL AND ($2 OR c.shared_with_all)
			AND c.alliance_id = (SELECT alliance_id FROM resource WHERE id = $1)`, opening, seeAll, today); err != nil {
		t.Fatal(err)
	}
	w := 0
	for _, r := range req {
		if r.Held < r.Required {
			w += r.Required
		}
	}
	closed := map[int64]float64{}
	teaches := map[int64][]string{}
	for _, c := range taught {
		for _, r := range req {
			if r.Skill != c.Skill || r.Held >= r.Required || c.Level <= r.Held {
				continue
			}
			closed[c.Course] += float64(r.Required) * math.Min(1, float64(min(c.Level, r.Required)-r.Held)/float64(r.Required-r.Held))
			teaches[c.Course] = append(teaches[c.Course], fmt.Sprintf("%s@%d", r.Code, c.Level))
		}
	}
	var out []gapCourseOut
	for course, v := range closed {
		g := gapCourseOut{Coverage: v / float64(w)}
		g.Course.ID = relay.ID(relay.TypeResource, course)
		slices.Sort(teaches[course])
		g.taught = strings.Join(teaches[course], " ")
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b gapCourseOut) int {
		if c := cmp.Compare(b.Coverage, a.Coverage); c != 0 {
			return c
		}
		return cmp.Compare(keyOf(t, relay.TypeResource, a.Course.ID), keyOf(t, relay.TypeResource, b.Course.ID))
	})
	if len(out) > first {
		out = out[:first]
	}
	return out
}

type gapCourseOut struct {
	Course   struct{ ID string }
	Coverage float64
	Teaches  []struct {
		Skill struct{ Code string }
		Level int
	}
	taught string
}

func (g gapCourseOut) teachesText() string {
	parts := make([]string, len(g.Teaches))
	for i, s := range g.Teaches {
		parts[i] = fmt.Sprintf("%s@%d", s.Skill.Code, s.Level)
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func TestGapCoursesTeachTheMissingSkillsWithFreeSeats(t *testing.T) {
	ts := newWriteServer(t)
	db := writeDB
	today := demoDay.Format(time.DateOnly) // the server's day
	var o struct {
		ID       int64 `db:"id"`
		Alliance int64 `db:"alliance_id"`
		Provider int64 `db:"provider_id"`
	}
	if err := db.DB.Get(&o, `SELECT r.id, r.alliance_id, r.provider_id FROM resource r
		WHERE r.category = 'JOB_OPENING' AND r.shared_with_all AND (SELECT count(*) FROM resource_skill WHERE resource_id = r.id) >= 2
			AND (SELECT max(level) FROM resource_skill WHERE resource_id = r.id) >= 3 ORDER BY r.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var req []struct {
		Skill int64 `db:"skill_id"`
		Level int   `db:"level"`
	}
	if err := db.DB.Select(&req, `SELECT skill_id, level FROM resource_skill WHERE resource_id = $1 ORDER BY level DESC, skill_id`, o.ID); err != nil {
		t.Fatal(err)
	}
	// A talent holding the most demanding skill one level short of it, and so missing
	// part of it only.
	talent := int64(sqlIntIn(t, db, `SELECT id FROM talent WHERE alliance_id = $1 ORDER BY id LIMIT 1`, o.Alliance))
	var saved []struct {
		Skill int64 `db:"skill_id"`
		Level int   `db:"level"`
	}
	if err := db.DB.Select(&saved, `SELECT skill_id, level FROM talent_skill WHERE talent_id = $1 AND skill_id = ANY($2)`, talent, pq.Int64Array{req[0].Skill, req[1].Skill}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mustExec(t, db, `DELETE FROM talent_skill WHERE talent_id = $1 AND skill_id = ANY($2)`, talent, pq.Int64Array{req[0].Skill, req[1].Skill})
		for _, s := range saved {
			mustExec(t, db, `INSERT INTO talent_skill (talent_id, skill_id, level) VALUES ($1, $2, $3)`, talent, s.Skill, s.Level)
		}
	})
	mustExec(t, db, `DELETE FROM talent_skill WHERE talent_id = $1 AND skill_id = ANY($2)`, talent, pq.Int64Array{req[0].Skill, req[1].Skill})
	mustExec(t, db, `INSERT INTO talent_skill (talent_id, skill_id, level) VALUES ($1, $2, $3)`, talent, req[0].Skill, req[0].Level-1)

	var created []int64
	t.Cleanup(func() {
		mustExec(t, db, `DELETE FROM resource WHERE id = ANY($1)`, pq.Int64Array(created))
	})
	// Each course starts startsIn days from today, and ends endsIn days after it starts.
	course := func(title string, seats, enrolled, startsIn, endsIn int, sharedWithAll, withdrawn bool, skills map[int64]int) {
		var id int64
		if err := db.DB.Get(&id, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_with_all, shared_on,
				hours, seats, enrolled, starts_on, ends_on, withdrawn_on)
			VALUES ($1, $2, 'TRAINING_COURSE', $3, $3, $4, $9::date - 30, 40, $5, $6, $9::date + $7::int, $9::date + $7::int + $8::int,
				CASE WHEN $10 THEN $9::date END) RETURNING id`,
			o.Alliance, o.Provider, title, sharedWithAll, seats, enrolled, startsIn, endsIn, today, withdrawn); err != nil {
			t.Fatal(err)
		}
		created = append(created, id)
		for skill, level := range skills {
			mustExec(t, db, `INSERT INTO resource_skill (resource_id, skill_id, level) VALUES ($1, $2, $3)`, id, skill, level)
		}
	}
	top, second := req[0], req[1]
	course("closes both", 20, 3, 10, 30, true, false, map[int64]int{top.Skill: 5, second.Skill: second.Level})
	course("closes the first", 20, 0, 1, 60, true, false, map[int64]int{top.Skill: top.Level})
	course("half of the second", 20, 19, 90, 10, true, false, map[int64]int{second.Skill: 1})
	course("no seat left", 20, 20, 10, 30, true, false, map[int64]int{top.Skill: 5, second.Skill: 5})
	course("already ended", 20, 0, -40, 39, true, false, map[int64]int{top.Skill: 5, second.Skill: 5})
	course("started today", 20, 0, 0, 30, true, false, map[int64]int{top.Skill: 5, second.Skill: 5})
	course("restricted", 20, 0, 10, 30, false, false, map[int64]int{top.Skill: 5, second.Skill: 5})
	course("withdrawn", 20, 0, 10, 30, true, true, map[int64]int{top.Skill: 5, second.Skill: 5})
	course("teaches below the held level", 20, 0, 10, 30, true, false, map[int64]int{top.Skill: top.Level - 1})

	for _, tc := range []struct {
		name   string
		viewer auth.Viewer
		talent int64
		first  int
	}{
		{"the opening's whole requirement", auth.Viewer{}, 0, 10},
		{"one talent's gap", auth.Viewer{}, talent, 10},
		{"the best course only", auth.Viewer{}, talent, 1},
		{"restricted courses for an administrator", admin, talent, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := gapCourseOracle(t, db, o.ID, tc.talent, tc.first, tc.viewer.Role == auth.RoleAdmin, today)
			if len(want) < min(tc.first, 2) {
				t.Fatalf("the oracle finds %d courses; the fixtures test nothing", len(want))
			}
			vars := map[string]any{"id": relay.ID(relay.TypeResource, o.ID), "n": tc.first}
			if tc.talent != 0 {
				vars["t"] = relay.ID(relay.TypeTalent, tc.talent)
			}
			var out struct {
				Node struct{ GapCourses []gapCourseOut }
			}
			dataAs(t, ts, tc.viewer, `query($id: ID!, $t: ID, $n: Int) { node(id: $id) { ... on JobOpening {
				gapCourses(talent: $t, first: $n) { coverage course { id } teaches { skill { code } level } } } } }`, vars, &out)
			got := out.Node.GapCourses
			if len(got) != len(want) {
				t.Fatalf("got %d courses, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].Course.ID != want[i].Course.ID || math.Abs(got[i].Coverage-want[i].Coverage) > 1e-12 || got[i].teachesText() != want[i].taught {
					t.Errorf("course %d: got %s coverage %v teaching %s, want %s coverage %v teaching %s", i,
						got[i].Course.ID, got[i].Coverage, got[i].teachesText(), want[i].Course.ID, want[i].Coverage, want[i].taught)
				}
			}
		})
	}
}

func mustExec(t *testing.T, db *pgtest.Database, q string, args ...any) {
	t.Helper()
	if _, err := db.DB.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// dataAs runs a query as v that must succeed and decodes its data into out.
func dataAs(t *testing.T, ts *testServer, v auth.Viewer, q string, vars map[string]any, out any) {
	t.Helper()
	r := ts.queryAs(t, v, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("query failed: %+v\nvariables: %v", r.Errors, vars)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// talent_skill carries its talent's alliance and status (migration 00011), which match
// counts read instead of the talent: writes that name only the talent get them filled
// in, a talent's changes reach its skills, copies that differ are refused, and the skill
// gap's talent supply stays exact alongside.
func TestTalentSkillsCarryTheirTalentsAllianceAndStatus(t *testing.T) {
	tx, err := writeDB.DB.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	check := func(when string) {
		t.Helper()
		var stale, supply int
		if err := tx.Get(&stale, `SELECT count(*) FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
			WHERE ts.alliance_id <> t.alliance_id OR ts.talent_status <> t.status`); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if err := tx.Get(&supply, `SELECT count(*) FROM ((
				SELECT t.alliance_id, ts.skill_id, count(*) AS talents, sum(ts.level) AS levels
				FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
				WHERE t.status IN ('STUDENT', 'TRAINEE', 'JOB_SEEKING') GROUP BY 1, 2
				EXCEPT SELECT alliance_id, skill_id, talents, levels FROM skill_talent_supply WHERE talents > 0)
			UNION ALL (SELECT alliance_id, skill_id, talents, levels FROM skill_talent_supply WHERE talents > 0
				EXCEPT SELECT t.alliance_id, ts.skill_id, count(*), sum(ts.level)
				FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
				WHERE t.status IN ('STUDENT', 'TRAINEE', 'JOB_SEEKING') GROUP BY 1, 2)) d`); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if stale != 0 || supply != 0 {
			t.Errorf("%s: %d talent skills carry another alliance or status than their talent's; the supply differs on %d skills", when, stale, supply)
		}
	}
	check("as loaded")
	var student, other, unheld, second int64
	for _, s := range []struct {
		q    string
		into *int64
	}{
		{`SELECT t.id FROM talent t WHERE t.status = 'STUDENT' AND (SELECT count(*) FROM talent_skill WHERE talent_id = t.id) >= 2 ORDER BY id LIMIT 1`, &student},
		{`SELECT t.id FROM talent t WHERE t.status = 'EMPLOYED' ORDER BY id LIMIT 1`, &other},
		{`SELECT k.id FROM skill k WHERE NOT EXISTS (SELECT 1 FROM talent_skill WHERE skill_id = k.id AND talent_id = ANY($1)) ORDER BY id LIMIT 1`, &unheld},
		{`INSERT INTO alliance (slug, name_en, name_zh, city, founded_on) VALUES ('holders', 'Holders', '持有', 'Anshan', '2030-01-01') RETURNING id`, &second},
	} {
		var args []any
		if strings.Contains(s.q, "$1") {
			args = []any{pq.Array([]int64{student, other})}
		}
		if err := tx.Get(s.into, s.q, args...); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	steps := []struct {
		name    string
		q       string
		args    []any
		refused bool
	}{
		{"a skill added with another alliance and status", `INSERT INTO talent_skill (talent_id, skill_id, level, alliance_id, talent_status)
			VALUES ($1, $2, 3, $3, 'JOB_SEEKING')`, []any{student, unheld, second}, true},
		{"a skill added naming only the talent", `INSERT INTO talent_skill (talent_id, skill_id, level) VALUES ($1, $2, 3)`, []any{student, unheld}, false},
		{"a level changed", `UPDATE talent_skill SET level = 5 WHERE talent_id = $1`, []any{student}, false},
		{"the student found work", `UPDATE talent SET status = 'EMPLOYED' WHERE id = $1`, []any{student}, false},
		{"the employee started looking", `UPDATE talent SET status = 'JOB_SEEKING' WHERE id = $1`, []any{other}, false},
		{"the talent moved to another alliance", `UPDATE talent SET alliance_id = $2 WHERE id = $1`, []any{student, second}, false},
		{"the copies overwritten", `UPDATE talent_skill SET talent_status = 'STUDENT' WHERE talent_id = $1`, []any{other}, true},
		{"a skill handed to another talent without its copies", `UPDATE talent_skill SET talent_id = $2 WHERE talent_id = $1 AND skill_id = $3`,
			[]any{student, other, unheld}, true},
		{"a skill handed to another talent with its copies", `UPDATE talent_skill ts SET talent_id = t.id, alliance_id = t.alliance_id, talent_status = t.status
			FROM talent t WHERE t.id = $2 AND ts.talent_id = $1 AND ts.skill_id = $3`, []any{student, other, unheld}, false},
		{"a skill removed", `DELETE FROM talent_skill WHERE talent_id = $1 AND skill_id = $2`, []any{other, unheld}, false},
	}
	for _, s := range steps {
		if s.refused {
			tx.MustExec("SAVEPOINT refused")
			if _, err := tx.Exec(s.q, s.args...); err == nil {
				t.Errorf("%s was accepted", s.name)
			}
			tx.MustExec("ROLLBACK TO SAVEPOINT refused")
			check("after " + s.name + " was refused")
			continue
		}
		res, err := tx.Exec(s.q, s.args...)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed nothing: the step tests nothing", s.name)
		}
		check("after " + s.name)
	}
}
