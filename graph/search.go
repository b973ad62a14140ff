package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// The length a search query must have after trimming, in characters (runes), so that a
// Chinese query counts its characters, not its bytes.
const (
	minSearchLen = 2
	maxSearchLen = 100
)

// searchTypes maps the kinds of result to the type of their global IDs.
var searchTypes = map[store.SearchKind]relay.Type{
	store.SearchOrganization: relay.TypeOrganization,
	store.SearchPartnership:  relay.TypePartnership,
	store.SearchResource:     relay.TypeResource,
	store.SearchSkill:        relay.TypeSkill,
	store.SearchTalent:       relay.TypeTalent,
}

// searchQuery validates the arguments of search into what the viewer may find.
func searchQuery(ctx context.Context, query string, kinds []model.SearchKind) (store.SearchQuery, error) {
	text := strings.TrimSpace(query)
	n := utf8.RuneCountInString(text)
	if n < minSearchLen || n > maxSearchLen {
		return store.SearchQuery{}, errcode.BadInput("query", "must be %d to %d characters long after trimming spaces (got %d)", minSearchLen, maxSearchLen, n)
	}
	if strings.ContainsFunc(text, unicode.IsControl) {
		return store.SearchQuery{}, errcode.BadInput("query", "must not contain control characters")
	}
	if kinds != nil && len(kinds) == 0 {
		return store.SearchQuery{}, errcode.BadInput("kinds", "must name at least one kind; omit it to search every kind")
	}
	v := auth.ViewerFrom(ctx)
	q := store.SearchQuery{Text: text, Resources: policy.ResourceScope(v), Talents: policy.TalentNameScope(v)}
	for _, k := range kinds {
		if sk := store.SearchKind(k); !slices.Contains(q.Kinds, sk) {
			q.Kinds = append(q.Kinds, sk)
		}
	}
	return q, nil
}

// searchOrder names the list a search cursor belongs to: the same text and kinds. A cursor
// carried over to another search would point into a list ranked differently.
func searchOrder(q store.SearchQuery) string {
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	slices.Sort(kinds)
	sum := sha256.Sum256([]byte(q.Text + "\x00" + strings.Join(kinds, ",")))
	return "SEARCH:" + hex.EncodeToString(sum[:8])
}

func (r *Resolver) search(ctx context.Context, query string, kinds []model.SearchKind, first *int, after *string) (*model.SearchConnection, error) {
	q, err := searchQuery(ctx, query, kinds)
	if err != nil {
		return nil, err
	}
	order := searchOrder(q)
	w, err := window(relay.PageArgs{First: first, After: after}, order)
	if err != nil {
		return nil, err
	}
	var from *store.SearchKey
	if w.After != nil {
		score, kind, ok := strings.Cut(w.After.Sort, "|")
		if _, known := searchTypes[store.SearchKind(kind)]; !ok || !known {
			return nil, errcode.BadInput("after", "is not a cursor issued by this API")
		}
		if _, err := strconv.ParseFloat(score, 64); err != nil {
			return nil, errcode.BadInput("after", "is not a cursor issued by this API")
		}
		from = &store.SearchKey{Score: score, Kind: store.SearchKind(kind), ID: w.After.ID}
	}
	if err := r.Store.SearchWords(ctx, &q); err != nil {
		return nil, err
	}
	count := func(ctx context.Context) (int, error) { return r.Store.CountSearch(ctx, q) }
	if graphql.FieldRequested(ctx, "totalCount") {
		count = countAhead(ctx, count)
	}
	res, err := r.Store.Search(ctx, q, w.Limit, from)
	if err != nil {
		return nil, err
	}
	c := &model.SearchConnection{
		Edges:    make([]*model.SearchEdge, len(res.Hits)),
		PageInfo: &model.PageInfo{HasNextPage: res.HasNext, HasPreviousPage: from != nil},
		Count:    count,
	}
	terms := searchTerms(q.Text, q.Alternates())
	for i, h := range res.Hits {
		e, err := searchEdge(order, terms, h)
		if err != nil {
			return nil, err
		}
		c.Edges[i] = e
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[n-1].Cursor
	}
	return c, nil
}

// countAhead starts count at once, on its own connection, so that a search asked for its
// total costs the longer of the two statements rather than their sum (counting every match
// of a common word takes as long as ranking them). The result waits for whoever asks.
func countAhead(ctx context.Context, count func(context.Context) (int, error)) func(context.Context) (int, error) {
	type result struct {
		n   int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		n, err := count(ctx)
		ch <- result{n, err}
	}()
	wait := sync.OnceValues(func() (int, error) {
		r := <-ch
		return r.n, r.err
	})
	return func(context.Context) (int, error) { return wait() }
}

// searchEdge turns a hit into an edge, highlighting the fields where the terms occur.
func searchEdge(order string, terms [][]rune, h store.SearchHit) (*model.SearchEdge, error) {
	score, err := strconv.ParseFloat(h.Score, 64)
	if err != nil {
		return nil, fmt.Errorf("score %q of %s %d: %w", h.Score, h.Kind, h.ID, err)
	}
	e := &model.SearchEdge{
		Cursor: relay.Cursor{Order: order, Sort: h.Score + "|" + string(h.Kind), ID: h.ID}.String(),
		Type:   searchTypes[h.Kind],
		Key:    h.ID,
		Kind:   model.SearchKind(h.Kind),
		Score:  score,
	}
	e.Highlights = []*model.Highlight{}
	for i, f := range h.Fields {
		if segs, ok := highlight(h.Values[i], terms); ok {
			e.Highlights = append(e.Highlights, &model.Highlight{Field: f, Segments: segs})
		}
	}
	return e, nil
}

// searchNode loads a result through the loader of its type, so that a page of results
// costs one statement per type. The search statement has already applied visibility.
func searchNode(ctx context.Context, e *model.SearchEdge) (model.Node, error) {
	l := loader.From(ctx)
	switch e.Type {
	case relay.TypeOrganization:
		return one(ctx, l.Organization, e.Key, "organization", wrapOrganization)
	case relay.TypePartnership:
		return one(ctx, l.Partnership, e.Key, "partnership", wrapPartnership)
	case relay.TypeResource:
		return one(ctx, l.Resource, e.Key, "resource", wrapResource)
	case relay.TypeSkill:
		return one(ctx, l.Skill, e.Key, "skill", wrapSkill)
	case relay.TypeTalent:
		return one(ctx, l.Talent, e.Key, "talent", wrapTalent)
	}
	return nil, fmt.Errorf("no loader for search results of type %s", e.Type)
}
