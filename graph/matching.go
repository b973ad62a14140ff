package graph

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Matches have a single order; its name goes into their cursors, so that a cursor of an
// opening's matches is refused by a talent's recommendations and by other lists.
const (
	talentMatchOrder  = "MATCH_SCORE:DESC"
	openingMatchOrder = "OPENING_SCORE:DESC"
	maxGapCourses     = 50
)

// matchPaging validates first/after for a match list and the minimum score.
func matchPaging(first *int, after *string, minScore *float64, order string) (store.Page, float64, error) {
	w, err := window(relay.PageArgs{First: first, After: after}, order)
	if err != nil {
		return store.Page{}, 0, err
	}
	p := store.Page{Limit: w.Limit}
	if w.After != nil {
		score, err := strconv.ParseFloat(w.After.Sort, 64)
		if err != nil || score < 0 || score > 1 {
			return store.Page{}, 0, errcode.BadInput("after", "is not a cursor issued by this API")
		}
		p.After = &store.Key{Sort: w.After.Sort, ID: w.After.ID}
	}
	floor := 0.0
	if minScore != nil {
		if math.IsNaN(*minScore) || *minScore < 0 || *minScore > 1 {
			return store.Page{}, 0, errcode.BadInput("minScore", "must be between 0 and 1 (got %v)", *minScore)
		}
		floor = *minScore
	}
	return p, floor, nil
}

// explain splits a match's per-skill levels into the skills held (strongest coverage
// first) and those lacking or below the requirement (biggest shortfall first). Ties keep
// the store's order, by skill code.
func explain(m *store.Match) (matched, missing []*model.SkillMatch) {
	matched, missing = []*model.SkillMatch{}, []*model.SkillMatch{}
	for i, skill := range m.Skills {
		req, held := int(m.Required[i]), int(m.Held[i])
		sm := &model.SkillMatch{SkillID: skill, RequiredLevel: req, Coverage: float64(min(held, req)) / float64(req)}
		if held > 0 {
			h := held
			sm.Level = &h
			matched = append(matched, sm)
		}
		if held < req {
			missing = append(missing, sm)
		}
	}
	slices.SortStableFunc(matched, func(a, b *model.SkillMatch) int {
		switch {
		case a.Coverage > b.Coverage:
			return -1
		case a.Coverage < b.Coverage:
			return 1
		}
		return 0
	})
	shortfall := func(s *model.SkillMatch) int {
		if s.Level == nil {
			return s.RequiredLevel
		}
		return s.RequiredLevel - *s.Level
	}
	slices.SortStableFunc(missing, func(a, b *model.SkillMatch) int { return shortfall(b) - shortfall(a) })
	return matched, missing
}

func matchCursor(order string, res store.Result[store.Match], i int) string {
	return relay.Cursor{Order: order, Sort: res.Keys[i].Sort, ID: res.Keys[i].ID}.String()
}

func pageInfo(res store.Result[store.Match], cursors []string) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: res.HasNext, HasPreviousPage: res.HasPrev}
	if n := len(cursors); n > 0 {
		info.StartCursor, info.EndCursor = &cursors[0], &cursors[n-1]
	}
	return info
}

func openingMatches(ctx context.Context, o *model.JobOpening, first *int, after *string, minScore *float64, statuses []store.TalentStatus) (*model.TalentMatchConnection, error) {
	p, floor, err := matchPaging(first, after, minScore, talentMatchOrder)
	if err != nil {
		return nil, err
	}
	f := store.MatchFilter{Statuses: statuses, MinScore: floor}
	l := loader.From(ctx).OpeningMatches
	id := o.Resource.ID
	res, err := l.Load(ctx, id, f, store.Order{}, p)
	if err != nil {
		return nil, fmt.Errorf("load matches of opening %d: %w", id, err)
	}
	c := &model.TalentMatchConnection{Edges: make([]*model.TalentMatchEdge, len(res.Rows))}
	cursors := make([]string, len(res.Rows))
	for i := range res.Rows {
		m := &res.Rows[i]
		cursors[i] = matchCursor(talentMatchOrder, res, i)
		matched, missing := explain(m)
		c.Edges[i] = &model.TalentMatchEdge{Cursor: cursors[i], TalentID: m.OtherID, Score: m.Score, MatchedSkills: matched, MissingSkills: missing}
	}
	c.PageInfo = pageInfo(res, cursors)
	c.Count = func(ctx context.Context) (int, error) { return l.Count(ctx, id, f) }
	return c, nil
}

func (r *Resolver) recommendedOpenings(ctx context.Context, t *model.Talent, first *int, after *string, minScore *float64) (*model.OpeningMatchConnection, error) {
	p, floor, err := matchPaging(first, after, minScore, openingMatchOrder)
	if err != nil {
		return nil, err
	}
	f := store.OpeningMatchFilter{Scope: policy.ResourceScope(auth.ViewerFrom(ctx)), Today: r.today(), MinScore: floor}
	l := loader.From(ctx).RecommendedOpenings
	id := t.Talent.ID
	res, err := l.Load(ctx, id, f, store.Order{}, p)
	if err != nil {
		return nil, fmt.Errorf("load recommended openings of talent %d: %w", id, err)
	}
	c := &model.OpeningMatchConnection{Edges: make([]*model.OpeningMatchEdge, len(res.Rows))}
	cursors := make([]string, len(res.Rows))
	for i := range res.Rows {
		m := &res.Rows[i]
		cursors[i] = matchCursor(openingMatchOrder, res, i)
		matched, missing := explain(m)
		c.Edges[i] = &model.OpeningMatchEdge{Cursor: cursors[i], OpeningID: m.OtherID, Score: m.Score, MatchedSkills: matched, MissingSkills: missing}
	}
	c.PageInfo = pageInfo(res, cursors)
	c.Count = func(ctx context.Context) (int, error) { return l.Count(ctx, id, f) }
	return c, nil
}

func (r *Resolver) openingGapCourses(ctx context.Context, o *model.JobOpening, talent *string, first *int) ([]*model.GapCourse, error) {
	limit := 10
	if first != nil {
		if *first < 1 || *first > maxGapCourses {
			return nil, errcode.BadInput("first", "must be between 1 and %d (got %d)", maxGapCourses, *first)
		}
		limit = *first
	}
	f := store.GapCourseFilter{Scope: policy.ResourceScope(auth.ViewerFrom(ctx)), Today: r.today(), Limit: limit}
	if talent != nil {
		key, err := relay.ParseIDOf(relay.TypeTalent, *talent)
		if err != nil {
			return nil, errcode.BadInput("talent", "is not the ID of a talent")
		}
		if _, err := one(ctx, loader.From(ctx).Talent, key, "talent", wrapTalent); err != nil {
			return nil, err
		}
		f.Talent = &key
	}
	rows, err := loader.From(ctx).GapCourses.Load(ctx, o.Resource.ID, f)
	if err != nil {
		return nil, fmt.Errorf("load gap courses of opening %d: %w", o.Resource.ID, err)
	}
	out := make([]*model.GapCourse, len(rows))
	for i, r := range rows {
		teaches := make([]*model.SkillAtLevel, len(r.Skills))
		for j := range r.Skills {
			teaches[j] = &model.SkillAtLevel{SkillID: r.Skills[j], Level: int(r.Levels[j])}
		}
		out[i] = &model.GapCourse{CourseID: r.CourseID, Teaches: teaches, Coverage: r.Coverage}
	}
	return out, nil
}

func (r *Resolver) skillGap(ctx context.Context, alliance *string, filter *model.SkillGapFilter, orderBy *model.Order, first *int, after *string) (*model.SkillGapConnection, error) {
	if orderBy == nil {
		desc := model.OrderDirectionDesc
		orderBy = &model.Order{Field: "GAP", Direction: &desc}
	}
	req, err := paging(first, after, nil, nil, orderBy, "GAP")
	if err != nil {
		return nil, err
	}
	key, err := r.allianceKey(ctx, alliance)
	if err != nil {
		return nil, err
	}
	f := store.SkillGapFilter{Alliance: key, Scope: policy.ResourceScope(auth.ViewerFrom(ctx)), Today: r.today()}
	if filter != nil {
		var a args
		f.Categories = filter.Categories
		f.Codes = filter.Codes
		f.Period = a.dates("filter.period", filter.Period)
		if filter.MinGap != nil && (math.IsNaN(*filter.MinGap) || *filter.MinGap < -1 || *filter.MinGap > 1) {
			a.fail("filter.minGap", "must be between -1 and 1 (got %v)", *filter.MinGap)
		}
		f.MinGap = filter.MinGap
		if filter.MinDemand != nil && (math.IsNaN(*filter.MinDemand) || math.IsInf(*filter.MinDemand, 0) || *filter.MinDemand < 0) {
			a.fail("filter.minDemand", "must be 0 or more (got %v)", *filter.MinDemand)
		}
		f.MinDemand = filter.MinDemand
		if a.err != nil {
			return nil, a.err
		}
	}
	res, err := r.Figures.SkillGaps(ctx, f, req.order, req.page)
	if err != nil {
		return nil, err
	}
	return connection(req, res, func(g *store.SkillGap) *model.SkillGap {
		return &model.SkillGap{SkillID: g.SkillID, Demand: g.Demand, OpenPositions: g.OpenPositions, Openings: g.Openings,
			Supply: g.Supply, CourseSeats: g.CourseSeats, FreeSeats: g.FreeSeats, Courses: g.Courses, Talents: g.Talents, Gap: g.Gap}
	}, func(ctx context.Context) (int, error) { return r.Figures.CountSkillGaps(ctx, f) }), nil
}
