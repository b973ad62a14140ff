package server_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const searchQuery = `query($q: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(query: $q, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor kind score highlights { field segments { text matched } } node { id } }
  }
}`

type searchSegment struct {
	Text    string
	Matched bool
}

type searchEdge struct {
	Cursor     string
	Kind       string
	Score      float64
	Highlights []struct {
		Field    string
		Segments []searchSegment
	}
	Node struct{ ID string }
}

type searchPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []searchEdge
}

// key is the edge's kind and row key, as the oracles name rows.
func (e searchEdge) key(t *testing.T) string {
	t.Helper()
	_, k, err := relay.ParseID(e.Node.ID)
	if err != nil {
		t.Fatalf("node id %q: %v", e.Node.ID, err)
	}
	return fmt.Sprintf("%s:%d", e.Kind, k)
}

// searchOnce runs one page of a search as v and fails the test on errors.
func searchOnce(t *testing.T, ts *testServer, v auth.Viewer, vars map[string]any) searchPage {
	t.Helper()
	r := ts.queryAs(t, v, searchQuery, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("search %v: errors %+v", vars, r.Errors)
	}
	var out struct{ Search searchPage }
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
	return out.Search
}

// searchAll pages through every result of a search, size at a time, checking that each
// page continues the last and that the pages together hold totalCount results.
func searchAll(t *testing.T, ts *testServer, v auth.Viewer, q string, kinds []string, size int) []searchEdge {
	t.Helper()
	var all []searchEdge
	vars := map[string]any{"q": q, "first": size}
	if kinds != nil {
		vars["kinds"] = kinds
	}
	total := -1
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatalf("search %q does not end", q)
		}
		p := searchOnce(t, ts, v, vars)
		if total >= 0 && p.TotalCount != total {
			t.Fatalf("totalCount changed between pages: %d then %d", total, p.TotalCount)
		}
		total = p.TotalCount
		all = append(all, p.Edges...)
		if !p.PageInfo.HasNextPage {
			break
		}
		if len(p.Edges) != size || p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor {
			t.Fatalf("page %d of %q: %d edges, endCursor %v", page, q, len(p.Edges), p.PageInfo.EndCursor)
		}
		vars["after"] = *p.PageInfo.EndCursor
	}
	if len(all) != total {
		t.Fatalf("search %q: pages hold %d results, totalCount %d", q, len(all), total)
	}
	return all
}

// searchOracleSQL lists every row a query occurs in (case-insensitively), with the best
// tier of its fields: 3 for the whole field, 2 for a prefix, 1 for any other occurrence.
// $2 tells whether the viewer sees restricted resources, $3 whether it sees talents' names.
const searchOracleSQL = `
WITH docs(kind, id, val) AS (
    SELECT 'ORGANIZATION', id, unnest(ARRAY[name_en, name_zh]) FROM organization
    UNION ALL SELECT 'PARTNERSHIP', id, unnest(ARRAY[title_en, title_zh]) FROM partnership
    UNION ALL SELECT 'RESOURCE', id, unnest(ARRAY[title_en, title_zh]) FROM resource
        WHERE withdrawn_on IS NULL AND (shared_with_all OR $2)
    UNION ALL SELECT 'SKILL', id, unnest(ARRAY[code, name_en, name_zh]) FROM skill
    UNION ALL SELECT 'TALENT', id, unnest(ARRAY[full_name, name_zh]) FROM talent WHERE $3
)
SELECT kind || ':' || id AS key,
    max(CASE WHEN lower(val) = lower($1) THEN 3 WHEN position(lower($1) IN lower(val)) = 1 THEN 2 ELSE 1 END) AS tier
FROM docs WHERE position(lower($1) IN lower(val)) > 0
GROUP BY kind, id`

func searchOracle(t *testing.T, db *pgtest.Database, q string, allResources, talents bool) map[string]int {
	t.Helper()
	var rows []struct {
		Key  string `db:"key"`
		Tier int    `db:"tier"`
	}
	if err := db.DB.Select(&rows, searchOracleSQL, q, allResources, talents); err != nil {
		t.Fatalf("oracle for %q: %v", q, err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Tier
	}
	return out
}

func TestSearchRanksExactThenPrefixThenSubstringThenTypos(t *testing.T) {
	ts := newServer(t)
	cases := []struct {
		name, query string
		// typoOf, for a misspelt query, is the word it stands for: every row holding that
		// word must be found, ranked below any substring match.
		typoOf string
		// tiers lists the tiers the oracle must find, so that a case cannot pass empty.
		tiers []int
	}{
		{name: "english exact", query: "Welding", tiers: []int{3}},
		{name: "english prefix and substring", query: "weld", tiers: []int{1, 2}},
		{name: "english phrase", query: "CNC Machining", tiers: []int{3}},
		{name: "english any case", query: "wELDING", tiers: []int{3}},
		{name: "skill code", query: "MFG.WELD", tiers: []int{3}},
		{name: "chinese two characters", query: "焊接", tiers: []int{3, 1}},
		{name: "chinese two characters inside words", query: "机床", tiers: []int{1}},
		{name: "chinese four characters", query: "数控加工", tiers: []int{3}},
		{name: "english typo", query: "weldng", typoOf: "welding"},
		{name: "english typo in a longer word", query: "machinng", typoOf: "machining"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := searchAll(t, ts, admin, c.query, nil, 100)
			want := searchOracle(t, testDB, c.query, true, true)
			for _, tier := range c.tiers {
				if !slices.Contains(mapValues(want), tier) {
					t.Fatalf("the oracle finds no row of tier %d for %q; the case tests nothing", tier, c.query)
				}
			}
			seen := map[string]bool{}
			last := 4
			for i, e := range got {
				k := e.key(t)
				if seen[k] {
					t.Fatalf("%s appears twice", k)
				}
				seen[k] = true
				tier := want[k]
				if tier > last {
					t.Errorf("result %d (%s) has tier %d after tier %d", i, k, tier, last)
				}
				last = tier
				switch {
				case tier == 3 && e.Score != 1:
					t.Errorf("%s matches the whole field but scores %v", k, e.Score)
				case tier > 0 && (e.Score < 0.6 || e.Score > 1):
					t.Errorf("%s contains the query but scores %v", k, e.Score)
				case tier == 0 && (e.Score <= 0 || e.Score >= 0.6):
					t.Errorf("%s is a typo match but scores %v", k, e.Score)
				}
				if i > 0 && e.Score > got[i-1].Score {
					t.Errorf("result %d scores %v after %v", i, e.Score, got[i-1].Score)
				}
			}
			for k := range want {
				if !seen[k] {
					t.Errorf("%s contains %q but was not found", k, c.query)
				}
			}
			if c.typoOf != "" {
				if len(want) != 0 {
					t.Fatalf("%q occurs literally; not a typo case", c.query)
				}
				meant := searchOracle(t, testDB, c.typoOf, true, true)
				if len(meant) == 0 {
					t.Fatalf("nothing holds %q; the case tests nothing", c.typoOf)
				}
				for k := range meant {
					if !seen[k] {
						t.Errorf("%s holds %q but %q did not find it", k, c.typoOf, c.query)
					}
				}
			}
		})
	}
}

func mapValues(m map[string]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// searchFieldSQL reads the value of a highlighted field straight from its table.
var searchFieldSQL = map[string]map[string]string{
	"ORGANIZATION": {"name.en": "SELECT name_en FROM organization WHERE id = $1", "name.zh": "SELECT name_zh FROM organization WHERE id = $1"},
	"PARTNERSHIP":  {"title.en": "SELECT title_en FROM partnership WHERE id = $1", "title.zh": "SELECT title_zh FROM partnership WHERE id = $1"},
	"RESOURCE":     {"title.en": "SELECT title_en FROM resource WHERE id = $1", "title.zh": "SELECT title_zh FROM resource WHERE id = $1"},
	"SKILL":        {"code": "SELECT code FROM skill WHERE id = $1", "name.en": "SELECT name_en FROM skill WHERE id = $1", "name.zh": "SELECT name_zh FROM skill WHERE id = $1"},
	"TALENT":       {"fullName": "SELECT full_name FROM talent WHERE id = $1", "nameZh": "SELECT name_zh FROM talent WHERE id = $1"},
}

func TestSearchHighlightsCutTheFieldsAndMarkTheQuery(t *testing.T) {
	ts := newServer(t)
	for _, q := range []string{"Welding", "weld", "数控", "机床", "数控加工", "Shenyang", "weldng"} {
		t.Run(q, func(t *testing.T) {
			p := searchOnce(t, ts, admin, map[string]any{"q": q, "first": 50})
			if len(p.Edges) == 0 {
				t.Fatalf("no results for %q", q)
			}
			for _, e := range p.Edges {
				_, k, _ := relay.ParseID(e.Node.ID)
				if len(e.Highlights) == 0 {
					t.Errorf("%s %d has no highlight", e.Kind, k)
				}
				markedQuery := false
				for _, h := range e.Highlights {
					sql, ok := searchFieldSQL[e.Kind][h.Field]
					if !ok {
						t.Fatalf("%s has no field %q", e.Kind, h.Field)
					}
					var want string
					if err := testDB.DB.Get(&want, sql, k); err != nil {
						t.Fatal(err)
					}
					var whole strings.Builder
					var marked []string
					for i, s := range h.Segments {
						if s.Text == "" || (i > 0 && s.Matched == h.Segments[i-1].Matched) {
							t.Errorf("%s %d %s: segments %+v are not alternating and non-empty", e.Kind, k, h.Field, h.Segments)
						}
						whole.WriteString(s.Text)
						if s.Matched {
							marked = append(marked, strings.ToLower(s.Text))
						}
					}
					if whole.String() != want {
						t.Errorf("%s %d %s: segments join to %q, the field is %q", e.Kind, k, h.Field, whole.String(), want)
					}
					if len(marked) == 0 {
						t.Errorf("%s %d %s: nothing marked in %q", e.Kind, k, h.Field, want)
					}
					if slices.ContainsFunc(marked, func(m string) bool { return strings.Contains(m, strings.ToLower(q)) }) {
						markedQuery = true
					}
				}
				// A result containing the query has it marked in some field.
				if e.Score >= 0.6 && !markedQuery {
					t.Errorf("%s %d contains %q but no highlight marks it: %+v", e.Kind, k, q, e.Highlights)
				}
			}
		})
	}
}

func TestSearchFindsTalentsByNameOnlyForThoseWhoMaySeeThem(t *testing.T) {
	ts := newServer(t)
	// The most frequent surname, and a school with talents of that name.
	var surname string
	if err := testDB.DB.Get(&surname, `SELECT split_part(full_name, ' ', 1) FROM talent GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	school := int64(sqlInt(t, `SELECT school_id FROM talent WHERE full_name ILIKE $1 || ' %' AND school_id IS NOT NULL
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, surname))
	all := sqlInt(t, `SELECT count(*) FROM talent WHERE position(lower($1) IN lower(full_name)) > 0 OR position(lower($1) IN lower(name_zh)) > 0`, surname)
	own := sqlInt(t, `SELECT count(*) FROM talent WHERE (school_id = $2 OR employer_id = $2)
		AND (position(lower($1) IN lower(full_name)) > 0 OR position(lower($1) IN lower(name_zh)) > 0)`, surname, school)
	if own == 0 || own >= all {
		t.Fatalf("fixture: %d talents named %s, %d of school %d", all, surname, own, school)
	}
	viewers := []struct {
		name string
		v    auth.Viewer
		want int
	}{
		{"anonymous", auth.Viewer{}, 0},
		{"analyst", analyst, 0},
		{"admin", admin, all},
		{"the school", memberOf(school), own},
		{"another member", memberOf(school + 100000), 0},
	}
	for _, vw := range viewers {
		t.Run(vw.name, func(t *testing.T) {
			// Typo matches (other names like it) come on top of those containing the name;
			// every talent found must be one the viewer may see.
			got := searchAll(t, ts, vw.v, surname, []string{"TALENT"}, 100)
			containing := 0
			for _, e := range got {
				_, k, _ := relay.ParseID(e.Node.ID)
				if e.Score >= 0.6 {
					containing++
				}
				if vw.v.Role == auth.RoleMember && sqlInt(t, `SELECT count(*) FROM talent WHERE id = $1 AND (school_id = $2 OR employer_id = $2)`, k, school) != 1 {
					t.Errorf("talent %d is not the school's", k)
				}
			}
			if containing != vw.want || (vw.want == 0 && len(got) > 0) {
				t.Fatalf("found %d talents named %s (and %d like it), want %d", containing, surname, len(got)-containing, vw.want)
			}
			// Without kinds the talents are left out the same way.
			n := 0
			for _, e := range searchAll(t, ts, vw.v, surname, nil, 100) {
				if e.Kind == "TALENT" {
					n++
				}
			}
			if n != len(got) {
				t.Errorf("a search of every kind found %d talents, a search of talents %d", n, len(got))
			}
		})
	}
}

func TestSearchFindsRestrictedResourcesOnlyForTheMembersTheyAreSharedWith(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	provider, named, other := f.org(t, "COMPANY"), f.org(t, "SCHOOL"), f.org(t, "SCHOOL")
	word := fmt.Sprintf("Quokkasearch%d", authzSeq.Add(1))
	hidden := f.resource(t, "JOB_OPENING", provider)
	public := f.resource(t, "JOB_OPENING", provider)
	withdrawn := f.resource(t, "JOB_OPENING", provider)
	for _, r := range []int64{hidden, public, withdrawn} {
		authzExec(t, "UPDATE resource SET title_en = $2 || ' ' || id WHERE id = $1", r, word)
	}
	authzExec(t, "UPDATE resource SET shared_with_all = false WHERE id = $1", hidden)
	authzExec(t, "INSERT INTO resource_share (resource_id, organization_id) VALUES ($1, $2)", hidden, named)
	authzExec(t, "UPDATE resource SET withdrawn_on = current_date WHERE id = $1", withdrawn)
	viewers := []struct {
		name string
		v    auth.Viewer
		sees bool
	}{
		{"anonymous", auth.Viewer{}, false}, {"admin", admin, true}, {"analyst", analyst, false},
		{"provider", memberOf(provider), true}, {"member shared with", memberOf(named), true}, {"other member", memberOf(other), false},
	}
	for _, vw := range viewers {
		t.Run(vw.name, func(t *testing.T) {
			want := []string{fmt.Sprintf("RESOURCE:%d", public)}
			if vw.sees {
				want = append(want, fmt.Sprintf("RESOURCE:%d", hidden))
			}
			var got []string
			for _, e := range searchAll(t, ts, vw.v, strings.ToLower(word), nil, 10) {
				got = append(got, e.key(t))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("found %v, want %v (the withdrawn resource never)", got, want)
			}
		})
	}
}

func TestSearchPagesThroughEveryResultOnceInOrder(t *testing.T) {
	ts := newServer(t)
	for _, q := range []string{"Technician", "weldng", "沈阳"} {
		t.Run(q, func(t *testing.T) {
			whole := searchAll(t, ts, admin, q, nil, 100)
			paged := searchAll(t, ts, admin, q, nil, 7)
			if len(whole) < 8 {
				t.Fatalf("only %d results for %q; paging is not exercised", len(whole), q)
			}
			if len(paged) != len(whole) {
				t.Fatalf("pages of 7 hold %d results, pages of 100 %d", len(paged), len(whole))
			}
			for i := range whole {
				if paged[i].key(t) != whole[i].key(t) || paged[i].Score != whole[i].Score {
					t.Fatalf("result %d: %s (%v) in pages of 7, %s (%v) in pages of 100", i, paged[i].key(t), paged[i].Score, whole[i].key(t), whole[i].Score)
				}
				if i == 0 {
					continue
				}
				a, b := whole[i-1], whole[i]
				_, ka, _ := relay.ParseID(a.Node.ID)
				_, kb, _ := relay.ParseID(b.Node.ID)
				if a.Score < b.Score || (a.Score == b.Score && (a.Kind > b.Kind || (a.Kind == b.Kind && ka >= kb))) {
					t.Errorf("result %d (%s %d %v) comes after (%s %d %v)", i, b.Kind, kb, b.Score, a.Kind, ka, a.Score)
				}
			}
		})
	}
}

func TestSearchStatementsDoNotGrowWithPageSize(t *testing.T) {
	ts := newServerWith(t, loader.DefaultTiming)
	q := `query($n: Int) { search(query: "Machine", first: $n) { edges { kind score node { id
		... on Organization { name { en } }
		... on SharedResource { title { en } provider { id name { en } } }
		... on Partnership { title { en } }
	} } } }`
	// Statements go by the kinds of result a page holds: both pages must hold the same.
	kinds := func(n int) map[string]bool {
		var out struct {
			Search struct{ Edges []struct{ Kind string } }
		}
		ts.data(t, q, map[string]any{"n": n}, &out)
		k := map[string]bool{}
		for _, e := range out.Search.Edges {
			k[e.Kind] = true
		}
		return k
	}
	if a, b := kinds(20), kinds(100); !maps.Equal(a, b) {
		t.Fatalf("a page of 20 holds kinds %v, a page of 100 %v: pick a search whose first page holds every kind", a, b)
	}
	small := statementsFor(t, ts, q, map[string]any{"n": 20})
	large := statementsFor(t, ts, q, map[string]any{"n": 100})
	if large != small {
		t.Errorf("a page of 20 took %d statements, a page of 100 %d", small, large)
	}
	if large > 7 {
		t.Errorf("a page of 100 took %d statements, want at most 7 (words, search, one per type found, the providers)", large)
	}
}

func TestSearchMatchesMetacharactersLiterally(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	n := authzSeq.Add(1)
	literal := fmt.Sprintf(`Zq%d 100%% o'k_a\b`, n)
	decoy := fmt.Sprintf(`Zq%d 1000 ok-xa/b`, n)
	org := f.org(t, "COMPANY")
	other := f.org(t, "COMPANY")
	authzExec(t, "UPDATE organization SET name_en = $2 WHERE id = $1", org, literal)
	authzExec(t, "UPDATE organization SET name_en = $2 WHERE id = $1", other, decoy)
	for _, q := range []string{"100%", "k_a", `a\b`, "o'k", "%_", `\\`, "''", "%%", "__", fmt.Sprintf("Zq%d 100%%", n)} {
		t.Run(q, func(t *testing.T) {
			want := searchOracle(t, writeDB, q, true, true)
			got := searchAll(t, ts, admin, q, nil, 100)
			keys := map[string]bool{}
			for _, e := range got {
				if e.Score >= 0.6 {
					keys[e.key(t)] = true
				}
			}
			if len(keys) != len(want) {
				t.Errorf("%d results contain %q, the oracle finds %d", len(keys), q, len(want))
			}
			for k := range want {
				if !keys[k] {
					t.Errorf("%s contains %q but was not found", k, q)
				}
			}
			if strings.ContainsAny(q, "%_\\") && strings.Contains(literal, q) && !keys[fmt.Sprintf("ORGANIZATION:%d", org)] {
				t.Errorf("%q is in %q but was not found", q, literal)
			}
			if keys[fmt.Sprintf("ORGANIZATION:%d", other)] {
				t.Errorf("%q matched %q: a metacharacter was read as a wildcard", q, decoy)
			}
		})
	}
}

func TestSearchRejectsBadArguments(t *testing.T) {
	ts := newServer(t)
	long := strings.Repeat("焊", 101)
	other := searchOnce(t, ts, admin, map[string]any{"q": "Welding", "first": 1})
	if other.PageInfo.EndCursor == nil {
		t.Fatal("no cursor")
	}
	cases := []struct {
		name string
		vars map[string]any
		arg  string
	}{
		{"empty", map[string]any{"q": ""}, "query"},
		{"one character after trimming", map[string]any{"q": "  焊  "}, "query"},
		{"101 characters", map[string]any{"q": long}, "query"},
		{"control characters", map[string]any{"q": "we\x00ld"}, "query"},
		{"no kinds", map[string]any{"q": "weld", "kinds": []string{}}, "kinds"},
		{"page too large", map[string]any{"q": "weld", "first": 101}, "first"},
		{"cursor of another search", map[string]any{"q": "weld", "after": *other.PageInfo.EndCursor}, "after"},
		{"not a cursor", map[string]any{"q": "weld", "after": "bm90IGEgY3Vyc29y"}, "after"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ts.queryAs(t, admin, searchQuery, c.vars)
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["argument"] != c.arg {
				t.Errorf("errors %+v, want one BAD_USER_INPUT naming %q", r.Errors, c.arg)
			}
		})
	}
	// 100 Chinese characters are 300 bytes but within the limit.
	searchOnce(t, ts, admin, map[string]any{"q": long[len("焊"):]})
}

// The typo dictionary decides what a misspelt query finds, so its words must be words
// anyone may read: a talent's name or the title of a resource shared with named members
// only would otherwise answer "does anyone hold this word?" to whoever types it.
func TestTheTypoDictionaryLearnsOnlyFromPublicText(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	provider, named := f.org(t, "COMPANY"), f.org(t, "SCHOOL")
	n := authzSeq.Add(1)
	name, hiddenWord, publicWord := fmt.Sprintf("zorblaxname%d", n), fmt.Sprintf("quillvexhidden%d", n), fmt.Sprintf("mirthwopublic%d", n)
	talent := f.talent(t, named, 0)
	authzExec(t, "UPDATE talent SET full_name = $2 WHERE id = $1", talent, "Wei "+name)
	hidden, public := f.resource(t, "JOB_OPENING", provider), f.resource(t, "JOB_OPENING", provider)
	authzExec(t, "UPDATE resource SET shared_with_all = false WHERE id = $1", hidden)
	authzExec(t, "INSERT INTO resource_share (resource_id, organization_id) VALUES ($1, $2)", hidden, named)
	authzExec(t, "UPDATE resource SET title_en = 'Fitter ' || $2 WHERE id = $1", hidden, hiddenWord)
	authzExec(t, "UPDATE resource SET title_en = 'Fitter ' || $2 WHERE id = $1", public, publicWord)
	for word, want := range map[string]bool{name: false, hiddenWord: false, publicWord: true} {
		if got := sqlIntIn(t, writeDB, "SELECT count(*) FROM search_word WHERE word = $1", word) == 1; got != want {
			t.Errorf("search_word holds %q: %v, want %v", word, got, want)
		}
	}
	// A resource shared with everyone later teaches its words then.
	authzExec(t, "UPDATE resource SET shared_with_all = true WHERE id = $1", hidden)
	if sqlIntIn(t, writeDB, "SELECT count(*) FROM search_word WHERE word = $1", hiddenWord) != 1 {
		t.Errorf("sharing %q with everyone did not add its words", hiddenWord)
	}
	// And the public word still tolerates a typo.
	typo := publicWord[:3] + publicWord[4:]
	found := false
	for _, e := range searchAll(t, ts, auth.Viewer{}, typo, nil, 10) {
		found = found || e.key(t) == fmt.Sprintf("RESOURCE:%d", public)
	}
	if !found {
		t.Errorf("%q did not find the resource titled %q", typo, publicWord)
	}
}
