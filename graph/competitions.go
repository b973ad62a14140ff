package graph

import (
	"context"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// competitions lists the alliance's competition editions, earliest first by default.
func (r *Resolver) competitions(ctx context.Context, alliance *string, filter *model.CompetitionFilter, orderBy *model.Order, first *int, after *string) (*model.CompetitionConnection, error) {
	req, err := paging(first, after, nil, nil, orderBy, "HELD_ON")
	if err != nil {
		return nil, err
	}
	key, err := r.allianceKey(ctx, alliance)
	if err != nil {
		return nil, err
	}
	today := r.today()
	f := store.CompetitionFilter{Alliance: key, Today: today}
	if filter != nil {
		var a args
		f.Held = a.dates("filter.held", filter.Held)
		if a.err != nil {
			return nil, a.err
		}
		f.Levels, f.Upcoming = filter.Levels, filter.Upcoming
	}
	res, err := r.Store.Competitions(ctx, f, req.order, req.page)
	if err != nil {
		return nil, err
	}
	return connection(req, res, func(c *store.Competition) *model.Competition {
		return &model.Competition{Competition: *c, Upcoming: c.HeldOn.After(today)}
	}, func(ctx context.Context) (int, error) { return r.Store.CountCompetitions(ctx, f) }), nil
}
