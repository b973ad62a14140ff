package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
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
	// words are the query's words and what may stand for them; see SearchWords.
	words []searchGroup
}

// Alternates lists the words SearchWords found to stand for the query's words.
func (q SearchQuery) Alternates() []string {
	var out []string
	for _, g := range q.words {
		for _, a := range g[1:] {
			out = append(out, a.Word)
		}
	}
	return out
}

// searchGroup is a word of the query and the words that may stand for it: itself (similarity
// 1) and, for a word of letters and digits, the words of the names and titles most similar to
// it by trigrams.
type searchGroup []searchAlt

// searchAlt is a word standing for a query word and its trigram similarity to it.
type searchAlt struct {
	Group int     `db:"grp"`
	Word  string  `db:"word"`
	Sim   float64 `db:"sim"`
}

// Limits of typo tolerance: the query words compared with the word list (more words make a
// statement too long for the gain), the similar words tried per query word, and how
// similar they must be (0.35 lets "robt" find "robot", at 0.375).
const (
	maxTypoWords    = 5
	maxAlternates   = 4
	minAlternateSim = 0.35
)

var lexiconWord = regexp.MustCompile(`^[a-z0-9]{3,}$`)

// TypoLookupWords is how many words of a search's text SearchWords compares with the
// word list: what a search costs grows with it (each adds similar words, searched as
// substrings of every kind), so the server prices searches by it.
func TypoLookupWords(text string) int {
	_, lookup := typoWords(strings.TrimSpace(text))
	return len(lookup)
}

// typoWords splits a search's text into its lower-cased words and lists the positions of
// those compared with the word list; none when the text is too short or has too many
// words for typo tolerance.
func typoWords(text string) (words []string, lookup []int) {
	words = strings.Fields(strings.ToLower(text))
	if utf8.RuneCountInString(text) < 3 || len(words) > maxTypoWords {
		return nil, nil
	}
	for i, w := range words {
		if lexiconWord.MatchString(w) {
			lookup = append(lookup, i)
		}
	}
	return words, lookup
}

// SearchWords looks up, in one statement, the words that may stand for the query's words
// in typo-tolerant matching, and keeps them in q for Search and CountSearch. Words within
// the query word ("shen" in "shenyang") are left out: every row holding the query word
// holds them too, so they would only add rows less like the query, at the cost of reading
// again every row that contains it.
func (s *Store) SearchWords(ctx context.Context, q *SearchQuery) error {
	words, index := typoWords(q.Text)
	if words == nil {
		return nil
	}
	q.words = make([]searchGroup, len(words))
	for i, w := range words {
		q.words[i] = searchGroup{{Group: i, Word: w, Sim: 1}}
	}
	if len(index) == 0 {
		return nil
	}
	lookup := make([]string, len(index))
	for i, at := range index {
		lookup[i] = words[at]
	}
	var alts []searchAlt
	err := s.selectRows(ctx, &alts, `
		SELECT q.i::int - 1 AS grp, w.word, similarity(w.word, q.w)::float8 AS sim
		FROM unnest($1::text[]) WITH ORDINALITY AS q(w, i)
		CROSS JOIN LATERAL (
			SELECT word FROM search_word
			WHERE word % q.w AND strpos(q.w, word) = 0 AND similarity(word, q.w) >= $2
			ORDER BY similarity(word, q.w) DESC, word LIMIT $3) w
		ORDER BY 1, 3 DESC, 2`, stringArray(lookup), minAlternateSim, maxAlternates)
	if err != nil {
		return fmt.Errorf("look up words similar to %q: %w", q.Text, err)
	}
	for _, a := range alts {
		a.Group = index[a.Group]
		q.words[a.Group] = append(q.words[a.Group], a)
	}
	return nil
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
	// Score is the text of the score as the statement computed it, which cursors repeat
	// exactly (PostgreSQL prints a float8 so that it reads back to the same value).
	Score string `db:"score"`
	// Fields names the searched fields of the kind; Values holds their values in order.
	Fields []string
	Values []string
	V0     *string `db:"v0"`
	V1     *string `db:"v1"`
	V2     *string `db:"v2"`
}

// SearchResult is one page of hits and whether more follow.
type SearchResult struct {
	Hits    []SearchHit
	HasNext bool
}

// searchField is a searched column and its name in highlights.
type searchField struct{ name, col string }

// searchTable is what one kind searches. doc joins the fields with U+001F in the "C"
// collation exactly as the indexes of migration 00007 do, for the planner to match them.
type searchTable struct {
	kind   SearchKind
	from   string
	id     string
	doc    string
	fields []searchField
}

var searchTables = []searchTable{
	{SearchOrganization, "organization o", "o.id", `((o.name_en || E'\x1f' || o.name_zh) COLLATE "C")`,
		[]searchField{{"name.en", "o.name_en"}, {"name.zh", "o.name_zh"}}},
	{SearchPartnership, "partnership p", "p.id", `((p.title_en || E'\x1f' || p.title_zh) COLLATE "C")`,
		[]searchField{{"title.en", "p.title_en"}, {"title.zh", "p.title_zh"}}},
	{SearchResource, "resource r", "r.id", `((r.title_en || E'\x1f' || r.title_zh) COLLATE "C")`,
		[]searchField{{"title.en", "r.title_en"}, {"title.zh", "r.title_zh"}}},
	{SearchSkill, "skill k", "k.id", `((k.code || E'\x1f' || k.name_en || E'\x1f' || k.name_zh) COLLATE "C")`,
		[]searchField{{"code", "k.code"}, {"name.en", "k.name_en"}, {"name.zh", "k.name_zh"}}},
	{SearchTalent, "talent t", "t.id", `((t.full_name || E'\x1f' || t.name_zh) COLLATE "C")`,
		[]searchField{{"fullName", "t.full_name"}, {"nameZh", "t.name_zh"}}},
}

// maxSearchFields is the most fields a kind is searched by.
const maxSearchFields = 3

var searchFieldNames = func() map[SearchKind][]string {
	m := make(map[SearchKind][]string, len(searchTables))
	for _, t := range searchTables {
		for _, f := range t.fields {
			m[t.kind] = append(m[t.kind], f.name)
		}
	}
	return m
}()

// searchBuilder writes the search statements. $1 is always the query text.
//
// The first part matches the query as a substring of a field, ignoring case: through the
// trigram indexes (ILIKE) for three characters or more, through the bigram indexes for two
// (migration 00007). The second part tolerates typos and word order: every query word must
// occur in some field, itself or as one of the similar words SearchWords found ("weldng"
// becomes "welding"). Comparing the query with a word list of a few thousand entries, then
// searching by substring, costs a fraction of comparing it by trigrams with every title
// (some 20 µs a title). Every substring match outranks every typo match, so the second
// part sits behind a one-time filter and runs only for pages that reach past the first.
type searchBuilder struct {
	q    SearchQuery
	args []any
	// like is the placeholder of the ILIKE pattern; short tells two-character queries.
	like  string
	short bool
	// alts holds the placeholders of the words of each group, and their similarities
	// (see placed).
	alts [][]placedAlt
	// pats holds the placeholders of the ILIKE patterns of every word of three characters or
	// more, which the trigram indexes can serve.
	pats []string
}

type placedAlt struct{ word, sim string }

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

// typos reports whether the typo part can find anything the substring part does not:
// there must be similar words or several query words, and a word the indexes can use.
func (b *searchBuilder) typos() bool {
	if b.short || len(b.q.words) == 0 || (len(b.q.words) == 1 && len(b.q.words[0]) == 1) {
		return false
	}
	if b.pats == nil {
		for _, g := range b.q.words {
			for _, a := range g {
				if utf8.RuneCountInString(a.Word) >= 3 {
					b.pats = append(b.pats, b.arg("%"+escapeLike(a.Word)+"%"))
				}
			}
		}
	}
	return len(b.pats) > 0
}

// placed gives the words of each group and their similarities placeholders, on first use
// only: PostgreSQL refuses a parameter the statement does not use, its type unknown.
func (b *searchBuilder) placed() [][]placedAlt {
	if b.alts == nil {
		for _, g := range b.q.words {
			var placed []placedAlt
			for _, a := range g {
				placed = append(placed, placedAlt{b.arg(a.Word), b.arg(a.Sim)})
			}
			b.alts = append(b.alts, placed)
		}
	}
	return b.alts
}

// lowerQuery is the query folded as documents are, in the "C" collation.
const lowerQuery = `lower($1::text COLLATE "C")`

// contains is the condition that a field of t contains the query, ignoring case: ILIKE
// on the document through its trigram index, or for two characters its bigram index
// first, so that strpos only runs on the rows the index returns.
func (b *searchBuilder) contains(t searchTable) string {
	if !b.short {
		return t.doc + " ILIKE " + b.like
	}
	return "search_bigrams(" + t.doc + ") @> ARRAY[" + lowerQuery + "] AND strpos(lower(" + t.doc + "), " + lowerQuery + ") > 0"
}

// lowered folds every field of t once per row, for the scores: lateral column l.lN is
// field N lower-cased (OFFSET 0 keeps the subquery from being folded into every use).
func lowered(t searchTable) string {
	cols := make([]string, len(t.fields))
	for i, f := range t.fields {
		cols[i] = "lower(" + f.col + ` COLLATE "C") AS l` + strconv.Itoa(i)
	}
	return " CROSS JOIN LATERAL (SELECT " + strings.Join(cols, ", ") + " OFFSET 0) l"
}

// score rates how well the lower-cased field l contains the query, in tiers: the whole
// field (1), a prefix of it (0.8 to 0.99), a substring starting a word (0.7 to 0.79), any
// other substring (0.6 to 0.69). Within a tier, a query covering more of the field ranks
// higher: 0.19 or 0.09 times len(query)/len(field). Typo matches score below all of these
// (see typoBranch).
func score(l string) string {
	lq := lowerQuery
	ratio := "char_length($1::text)::float8 / greatest(char_length(" + l + "), 1)"
	return "CASE WHEN " + l + " = " + lq + " THEN 1" +
		" WHEN starts_with(" + l + ", " + lq + ") THEN 0.8 + 0.19 * " + ratio +
		" WHEN strpos(" + l + ", ' ' || " + lq + ") > 0 THEN 0.7 + 0.09 * " + ratio +
		" WHEN strpos(" + l + ", " + lq + ") > 0 THEN 0.6 + 0.09 * " + ratio +
		" ELSE 0 END"
}

// scope is the visibility condition of a kind, or false when the viewer may find none.
func (b *searchBuilder) scope(k SearchKind) (string, bool) {
	switch k {
	case SearchResource:
		return "r.withdrawn_on IS NULL AND " + b.q.Resources.condition("r", b.arg), true
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

// each applies part to every kind searched that the viewer may see.
func (b *searchBuilder) each(part func(t searchTable, scope string) string) []string {
	var out []string
	for _, t := range searchTables {
		if !b.wanted(t.kind) {
			continue
		}
		if scope, ok := b.scope(t.kind); ok {
			out = append(out, part(t, scope))
		}
	}
	return out
}

func anyOf(conds []string) string { return "(" + strings.Join(conds, " OR ") + ")" }

func lcol(i int) string { return "l.l" + strconv.Itoa(i) }

// substringBranch selects a kind's rows containing the query; ranked adds the score,
// the field values and which fields matched.
func (b *searchBuilder) substringBranch(ranked bool) func(t searchTable, scope string) string {
	return func(t searchTable, scope string) string {
		where := " WHERE " + b.contains(t) + " AND " + scope
		if !ranked {
			return "SELECT 1 FROM " + t.from + where
		}
		scores := make([]string, len(t.fields))
		for i := range t.fields {
			scores[i] = score(lcol(i))
		}
		return "SELECT '" + string(t.kind) + "'::text AS kind, " + t.id + " AS id, greatest(" + strings.Join(scores, ", ") + ") AS score, " +
			fieldValues(t) + " FROM " + t.from + lowered(t) + where
	}
}

// fieldValues selects the fields of t as v0, v1, v2, padding with NULLs, so that every kind
// returns the same columns; highlights are cut from them in Go.
func fieldValues(t searchTable) string {
	cols := make([]string, maxSearchFields)
	for i := range cols {
		cols[i] = "NULL::text AS v" + strconv.Itoa(i)
		if i < len(t.fields) {
			cols[i] = t.fields[i].col + " AS v" + strconv.Itoa(i)
		}
	}
	return strings.Join(cols, ", ")
}

// typoBranch selects a kind's rows where every query word occurs, itself or as a similar
// word, but not the query as a whole. A row scores 0.59 times the mean over query words
// of the best similarity found, so at most 0.59, below every substring match.
func (b *searchBuilder) typoBranch(ranked bool) func(t searchTable, scope string) string {
	return func(t searchTable, scope string) string {
		index := make([]string, len(b.pats))
		for i, p := range b.pats {
			index[i] = t.doc + " ILIKE " + p
		}
		where := " WHERE " + anyOf(index) + " AND NOT " + t.doc + " ILIKE " + b.like + " AND " + scope
		if !ranked && len(b.q.words) == 1 {
			// One query word: the index condition already says that one of its words
			// occurs, so a count needs no per-row matching.
			return "SELECT 1 FROM " + t.from + where
		}
		alts := b.placed()
		groups := make([]string, len(alts))
		found, names := make([]string, len(alts)), make([]string, len(alts))
		for gi, g := range alts {
			cases := make([]string, len(g))
			for ai, a := range g {
				cases[ai] = "CASE WHEN strpos(d.d, " + a.word + "::text) > 0 THEN " + a.sim + "::float8 END"
			}
			names[gi] = "m.g" + strconv.Itoa(gi)
			groups[gi] = "greatest(" + strings.Join(cases, ", ") + ") AS g" + strconv.Itoa(gi)
			found[gi] = names[gi] + " IS NOT NULL"
		}
		from := " FROM " + t.from + " CROSS JOIN LATERAL (SELECT lower(" + t.doc + ") AS d OFFSET 0) d" +
			" CROSS JOIN LATERAL (SELECT " + strings.Join(groups, ", ") + " OFFSET 0) m" + where + " AND " + strings.Join(found, " AND ")
		if !ranked {
			return "SELECT 1" + from
		}
		return "SELECT '" + string(t.kind) + "'::text AS kind, " + t.id + " AS id, 0.59 * (" + strings.Join(names, " + ") + ") / " +
			strconv.Itoa(len(names)) + " AS score, " + fieldValues(t) + from
	}
}

// searchStatement is the statement of Search and its arguments; "" when the viewer may
// find none of the kinds asked for. The substring part is cut to the page first; the typo
// part sits behind a one-time filter on that cut's size, so it runs only for pages that
// reach past the substring matches.
func searchStatement(q SearchQuery, limit int, after *SearchKey) (string, []any) {
	b := newSearchBuilder(q)
	subs := b.each(b.substringBranch(true))
	if len(subs) == 0 {
		return "", nil
	}
	keyset := ""
	if after != nil {
		sc, kind, id := b.arg(after.Score), b.arg(string(after.Kind)), b.arg(after.ID)
		keyset = " WHERE (x.score < " + sc + "::float8 OR (x.score = " + sc + "::float8 AND (x.kind, x.id) > (" + kind + "::text, " + id + "::bigint)))"
	}
	order := " ORDER BY x.score DESC, x.kind, x.id LIMIT " + strconv.Itoa(limit+1)
	stmt := "SELECT x.* FROM (" + strings.Join(subs, " UNION ALL ") + ") x" + keyset + order
	if b.typos() {
		gate := " AND "
		if keyset == "" {
			gate = " WHERE "
		}
		stmt = "WITH s AS MATERIALIZED (" + stmt + ") SELECT x.* FROM (SELECT * FROM s UNION ALL SELECT x.* FROM (" +
			strings.Join(b.each(b.typoBranch(true)), " UNION ALL ") + ") x" + keyset + gate + "(SELECT count(*) FROM s) <= " +
			strconv.Itoa(limit) + ") x" + order
	}
	return "SELECT x.kind, x.id, x.score::text AS score, x.v0, x.v1, x.v2 FROM (" + stmt + ") x", b.args
}

// SearchPlanner steers the planner for the search statements. PostgreSQL costs pg_trgm's
// operators and ILIKE like a plain comparison, so it prefers scanning a table of 10,000
// titles to a trigram index, though each ILIKE or similarity costs microseconds on
// multibyte text (the sequential plans took seconds at scale 100, the index plans tens of
// milliseconds). With sequential scans priced out the estimates climb past the JIT
// thresholds, whose compilation would then take longer than the statement.
const SearchPlanner = "SET LOCAL enable_seqscan = off; SET LOCAL jit = off"

// SearchMarker opens every statement run under SearchPlanner, so that whoever explains
// an observed statement can plan it the same way.
const SearchMarker = "/* search planner */ "

// planned runs fn in a read-only transaction with SearchPlanner's settings, which end
// with it.
func (s *Store) planned(ctx context.Context, fn func(*sqlx.Tx) error) error {
	tx, err := s.reader(ctx).BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, SearchPlanner); err != nil {
		return fmt.Errorf("set planner options: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Search finds what q matches, best first, limit hits after the given key, in one
// statement: the kinds are searched in a UNION ALL, each through its trigram or bigram
// indexes, and ranked and cut together. q must have been through SearchWords for typos
// to be tolerated.
func (s *Store) Search(ctx context.Context, q SearchQuery, limit int, after *SearchKey) (SearchResult, error) {
	stmt, args := searchStatement(q, limit, after)
	if stmt == "" {
		return SearchResult{}, nil
	}
	var hits []SearchHit
	stmt = SearchMarker + stmt
	if err := s.planned(ctx, func(tx *sqlx.Tx) error {
		s.observe(ctx, stmt, args)
		return tx.SelectContext(ctx, &hits, stmt, args...)
	}); err != nil {
		return SearchResult{}, fmt.Errorf("search for %q: %w", q.Text, err)
	}
	r := SearchResult{HasNext: len(hits) > limit}
	if r.HasNext {
		hits = hits[:limit]
	}
	for i := range hits {
		h := &hits[i]
		h.Fields = searchFieldNames[h.Kind]
		for _, v := range []*string{h.V0, h.V1, h.V2}[:len(h.Fields)] {
			if v == nil {
				return SearchResult{}, fmt.Errorf("search for %q: %s %d lacks a field", q.Text, h.Kind, h.ID)
			}
			h.Values = append(h.Values, *v)
		}
	}
	r.Hits = hits
	return r, nil
}

// CountSearch counts everything q matches.
func (s *Store) CountSearch(ctx context.Context, q SearchQuery) (int, error) {
	b := newSearchBuilder(q)
	branches := b.each(b.substringBranch(false))
	if len(branches) == 0 {
		return 0, nil
	}
	if b.typos() {
		branches = append(branches, b.each(b.typoBranch(false))...)
	}
	var n int
	// $1 is named even when only the ILIKE pattern is used, for its type to be known.
	stmt := SearchMarker + "SELECT count(*) FROM (" + strings.Join(branches, " UNION ALL ") + ") x WHERE $1::text IS NOT NULL"
	if err := s.planned(ctx, func(tx *sqlx.Tx) error {
		s.observe(ctx, stmt, b.args)
		return tx.GetContext(ctx, &n, stmt, b.args...)
	}); err != nil {
		return 0, fmt.Errorf("count search results for %q: %w", q.Text, err)
	}
	return n, nil
}
