package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lib/pq"
)

// SearchKind is a kind of object search looks through, named as in the GraphQL contract.
type SearchKind string

// The kinds of object search looks through, in the order ties on score are broken.
const (
	SearchOrganization SearchKind = "ORGANIZATION"
	SearchPartnership  SearchKind = "PARTNERSHIP"
	SearchResource     SearchKind = "RESOURCE"
	SearchSkill        SearchKind = "SKILL"
	SearchTalent       SearchKind = "TALENT"
)

// SearchQuery is a validated search: the trimmed text (2 to 100 characters), the kinds
// to look through (every kind when empty) and what the viewer may see.
type SearchQuery struct {
	Text      string
	Kinds     []SearchKind
	Resources Scope
	// Talents is whose talents the viewer may find by name; nil when none, because names
	// are personal data.
	Talents *Scope
}

// SearchKey is a result's position: score descending, then kind and id ascending.
type SearchKey struct {
	Score string // the exact decimal text of the score, as the statement returned it
	Kind  SearchKind
	ID    int64
}

// SearchHit is one result with the text of the fields it was searched by.
type SearchHit struct {
	Kind SearchKind `db:"kind"`
	ID   int64      `db:"id"`
	// Score is decimal text rounded to 6 places, so that cursors repeat it exactly.
	Score string `db:"score"`
	// Fields names the searched fields of the kind; Values and Matched run parallel.
	Fields  []string       `db:"-"`
	Values  pq.StringArray `db:"vals"`
	Matched pq.BoolArray   `db:"hits"`
}

// SearchResult is one page of hits and whether more follow.
type SearchResult struct {
	Hits    []SearchHit
	HasNext bool
}

// searchField is a searched column and its name in highlights.
type searchField struct {
	name, col string
	// bigrams tells whether search_bigrams(col) is indexed (migration 00007), which
	// serves two-character queries; small tables go without.
	bigrams bool
}

// searchTable is what one kind searches.
type searchTable struct {
	kind   SearchKind
	from   string
	id     string
	fields []searchField
}

var searchTables = []searchTable{
	{SearchOrganization, "organization o", "o.id", []searchField{{"name.en", "o.name_en", true}, {"name.zh", "o.name_zh", true}}},
	{SearchPartnership, "partnership p", "p.id", []searchField{{"title.en", "p.title_en", true}, {"title.zh", "p.title_zh", true}}},
	{SearchResource, "resource r", "r.id", []searchField{{"title.en", "r.title_en", true}, {"title.zh", "r.title_zh", true}}},
	{SearchSkill, "skill k", "k.id", []searchField{{"code", "k.code", false}, {"name.en", "k.name_en", false}, {"name.zh", "k.name_zh", false}}},
	{SearchTalent, "talent t", "t.id", []searchField{{"fullName", "t.full_name", true}, {"nameZh", "t.name_zh", true}}},
}

var searchFieldNames = func() map[SearchKind][]string {
	m := make(map[SearchKind][]string, len(searchTables))
	for _, t := range searchTables {
		for _, f := range t.fields {
			m[t.kind] = append(m[t.kind], f.name)
		}
	}
	return m
}()

// searchBuilder writes the search statement. $1 is always the query text; queries of
// two characters match by substring only, through the bigram indexes, since a typo in
// two characters leaves nothing to go by; longer ones match by substring (ILIKE through
// the trigram indexes) or by trigram word similarity (pg_trgm's <% operator, threshold
// pg_trgm.word_similarity_threshold, 0.6 by default), which tolerates typos.
type searchBuilder struct {
	q    SearchQuery
	args []any
	// like is the placeholder of the ILIKE pattern; short tells two-character queries.
	like  string
	short bool
}

func newSearchBuilder(q SearchQuery) *searchBuilder {
	b := &searchBuilder{q: q, args: []any{q.Text}}
	b.short = utf8.RuneCountInString(q.Text) < 3
	if !b.short {
		b.like = b.arg("%" + escapeLike(q.Text) + "%")
	}
	return b
}

func (b *searchBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

// hit is the condition that the query matches field f.
func (b *searchBuilder) hit(f searchField) string {
	if b.short {
		contains := "strpos(lower(" + f.col + "), lower($1::text)) > 0"
		if f.bigrams {
			return "(search_bigrams(" + f.col + ") @> ARRAY[lower($1::text)] AND " + contains + ")"
		}
		return "(" + contains + ")"
	}
	return "(" + f.col + " ILIKE " + b.like + " OR $1::text <% " + f.col + ")"
}

// score rates how well the query matches field f, from 0 to 1, in tiers: the whole
// field (1), a prefix of it (0.8 to 0.99), a substring starting a word (0.7 to 0.79),
// any other substring (0.6 to 0.69), then typo-tolerant trigram word similarity
// (0.59 times it, so at most 0.59). Within a substring tier, a query covering more of
// the field ranks higher: 0.19 or 0.09 times len(query)/len(field).
func (b *searchBuilder) score(f searchField) string {
	lf, lq := "lower("+f.col+")", "lower($1::text)"
	ratio := "char_length($1::text)::float8 / greatest(char_length(" + f.col + "), 1)"
	s := "CASE WHEN " + lf + " = " + lq + " THEN 1" +
		" WHEN starts_with(" + lf + ", " + lq + ") THEN 0.8 + 0.19 * " + ratio +
		" WHEN strpos(" + lf + ", ' ' || " + lq + ") > 0 THEN 0.7 + 0.09 * " + ratio +
		" WHEN strpos(" + lf + ", " + lq + ") > 0 THEN 0.6 + 0.09 * " + ratio
	if !b.short {
		s += " WHEN $1::text <% " + f.col + " THEN 0.59 * word_similarity($1::text, " + f.col + ")"
	}
	return s + " ELSE 0 END"
}

// scope is the visibility condition of a kind, or false when the viewer may find none.
func (b *searchBuilder) scope(k SearchKind) (string, bool) {
	switch k {
	case SearchResource:
		cond := "r.withdrawn_on IS NULL"
		if !b.q.Resources.All {
			org := b.arg(b.q.Resources.Organization)
			cond += " AND (r.shared_with_all OR r.provider_id = " + org +
				" OR EXISTS (SELECT 1 FROM resource_share vs WHERE vs.resource_id = r.id AND vs.organization_id = " + org + "))"
		}
		return cond, true
	case SearchTalent:
		if b.q.Talents == nil {
			return "", false
		}
		if b.q.Talents.All {
			return "true", true
		}
		org := b.arg(b.q.Talents.Organization)
		return "(t.school_id = " + org + " OR t.employer_id = " + org + ")", true
	}
	return "true", true
}

func (b *searchBuilder) wanted(k SearchKind) bool {
	if len(b.q.Kinds) == 0 {
		return true
	}
	for _, w := range b.q.Kinds {
		if w == k {
			return true
		}
	}
	return false
}

// branches returns one SELECT per searched kind; withRank adds the score, the field
// values and which fields matched.
func (b *searchBuilder) branches(withRank bool) []string {
	var out []string
	for _, t := range searchTables {
		if !b.wanted(t.kind) {
			continue
		}
		scope, ok := b.scope(t.kind)
		if !ok {
			continue
		}
		hits, scores, vals := make([]string, len(t.fields)), make([]string, len(t.fields)), make([]string, len(t.fields))
		for i, f := range t.fields {
			hits[i], scores[i], vals[i] = b.hit(f), b.score(f), f.col
		}
		cols := "1"
		if withRank {
			cols = "'" + string(t.kind) + "'::text AS kind, " + t.id + " AS id, round(greatest(" + strings.Join(scores, ", ") +
				")::numeric, 6) AS score, ARRAY[" + strings.Join(vals, ", ") + "] AS vals, ARRAY[" + strings.Join(hits, ", ") + "] AS hits"
		}
		out = append(out, "SELECT "+cols+" FROM "+t.from+" WHERE ("+strings.Join(hits, " OR ")+") AND "+scope)
	}
	return out
}

// Search finds what q matches, best first, limit hits after the given key. Everything
// comes from one statement: the kinds are searched in a UNION ALL, each through its
// trigram or bigram indexes, and ranked and cut together.
func (s *Store) Search(ctx context.Context, q SearchQuery, limit int, after *SearchKey) (SearchResult, error) {
	b := newSearchBuilder(q)
	branches := b.branches(true)
	if len(branches) == 0 {
		return SearchResult{}, nil
	}
	where := ""
	if after != nil {
		sc := b.arg(after.Score)
		where = " WHERE (x.score < " + sc + "::numeric OR (x.score = " + sc + "::numeric AND (x.kind, x.id) > (" +
			b.arg(string(after.Kind)) + "::text, " + b.arg(after.ID) + "::bigint)))"
	}
	stmt := "SELECT x.kind, x.id, x.score::text AS score, x.vals, x.hits FROM (" + strings.Join(branches, " UNION ALL ") + ") x" +
		where + " ORDER BY x.score DESC, x.kind, x.id LIMIT " + strconv.Itoa(limit+1)
	var hits []SearchHit
	if err := s.selectRows(ctx, &hits, stmt, b.args...); err != nil {
		return SearchResult{}, fmt.Errorf("search for %q: %w", q.Text, err)
	}
	r := SearchResult{HasNext: len(hits) > limit}
	if r.HasNext {
		hits = hits[:limit]
	}
	for i := range hits {
		hits[i].Fields = searchFieldNames[hits[i].Kind]
	}
	r.Hits = hits
	return r, nil
}

// CountSearch counts everything q matches.
func (s *Store) CountSearch(ctx context.Context, q SearchQuery) (int, error) {
	b := newSearchBuilder(q)
	branches := b.branches(false)
	if len(branches) == 0 {
		return 0, nil
	}
	var n int
	stmt := "SELECT count(*) FROM (" + strings.Join(branches, " UNION ALL ") + ") x"
	if err := s.getRow(ctx, &n, stmt, b.args...); err != nil {
		return 0, fmt.Errorf("count search results for %q: %w", q.Text, err)
	}
	return n, nil
}
