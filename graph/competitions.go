package graph

import (
	"context"
	"slices"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

func wrapCompetition(c *store.Competition) *model.Competition {
	return &model.Competition{Competition: *c}
}

func wrapRegistration(r *store.Registration) *model.CompetitionRegistration {
	return &model.CompetitionRegistration{Registration: *r}
}

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
	f := store.CompetitionFilter{Alliance: key, Today: r.today(), ResultScope: resultScope(ctx)}
	if filter != nil {
		var a args
		f.Held = a.dates("filter.held", filter.Held)
		if filter.Skills != nil {
			f.Skills = a.keys("filter.skills", relay.TypeSkill, filter.Skills)
		}
		if filter.Organizer != nil {
			f.Organizer = a.optionalKey("filter.organizer", relay.TypeOrganization, filter.Organizer)
		}
		if filter.Year != nil && (*filter.Year < 1950 || *filter.Year > 2100) {
			return nil, errcode.BadInput("filter.year", "must be between 1950 and 2100 (got %d)", *filter.Year)
		}
		if a.err != nil {
			return nil, a.err
		}
		f.Year, f.Levels, f.Awards, f.Upcoming, f.RegistrationOpen = filter.Year, filter.Levels, filter.Awards, filter.Upcoming, filter.RegistrationOpen
	}
	res, err := r.Store.Competitions(ctx, f, req.order, req.page)
	if err != nil {
		return nil, err
	}
	return connection(req, res, wrapCompetition, func(ctx context.Context) (int, error) { return r.Store.CountCompetitions(ctx, f) }), nil
}

// resultScope is which competition results the request's viewer sees: the loaders'
// resource scope, so that a filter on awards counts no result the viewer could not read.
func resultScope(ctx context.Context) store.Scope { return policy.ResourceScope(auth.ViewerFrom(ctx)) }

// competitionSkills is what an edition contests, in code order.
func competitionSkills(ctx context.Context, c *model.Competition) ([]*model.Skill, error) {
	rows, err := loader.From(ctx).CompetitionSkills.Load(ctx, c.Competition.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Skill, len(rows))
	for i := range rows {
		out[i] = wrapSkill(&rows[i].Skill)
	}
	return out, nil
}

// competitionTrades is the areas of the taxonomy an edition's skills belong to, each
// once, in the order of its skills' codes.
func competitionTrades(ctx context.Context, c *model.Competition) ([]store.SkillCategory, error) {
	rows, err := loader.From(ctx).CompetitionSkills.Load(ctx, c.Competition.ID)
	if err != nil {
		return nil, err
	}
	out := []store.SkillCategory{}
	for _, s := range rows {
		if !slices.Contains(out, s.Category) {
			out = append(out, s.Category)
		}
	}
	return out, nil
}

// competitionRegistrations pages an edition's entries the viewer may see, earliest first.
func competitionRegistrations(ctx context.Context, c *model.Competition, includeWithdrawn *bool, first *int, after *string, last *int, before *string) (*model.CompetitionRegistrationConnection, error) {
	f := store.RegistrationFilter{IncludeWithdrawn: includeWithdrawn != nil && *includeWithdrawn}
	return nestedPage(ctx, pageArgs{first, after, last, before, nil, "REGISTERED_AT"}, f,
		func(context.Context, store.RegistrationFilter) (store.RegistrationFilter, error) { return f, nil },
		loader.From(ctx).CompetitionRegistrations, c.Competition.ID, wrapRegistration)
}

// competitionResults pages an edition's results the viewer may see, best rank first.
func competitionResults(ctx context.Context, c *model.Competition, awards []store.Award, first *int, after *string, last *int, before *string) (*model.CompetitionResultConnection, error) {
	f := store.EditionResultFilter{Awards: awards}
	return nestedPage(ctx, pageArgs{first, after, last, before, nil, "RANK"}, f,
		func(context.Context, store.EditionResultFilter) (store.EditionResultFilter, error) { return f, nil },
		loader.From(ctx).CompetitionResults, c.Competition.ID, wrapResult)
}

// resultEdition is the edition a result is from, when recorded.
func resultEdition(ctx context.Context, res *model.CompetitionResult) (*model.Competition, error) {
	if res.Resource.CompetitionID == nil {
		return nil, nil
	}
	return one(ctx, loader.From(ctx).Competition, *res.Resource.CompetitionID, "competition", wrapCompetition)
}
