package graph

import (
	"context"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// analytics checks the period before the alliance, so that a bad period costs no
// statement; each group is then counted by its own field resolver when asked for.
func (r *Resolver) analytics(ctx context.Context, alliance *string, period *model.DateRange) (*model.AllianceAnalytics, error) {
	var a args
	rng := a.dates("period", period)
	if a.err != nil {
		return nil, a.err
	}
	key, err := r.allianceKey(ctx, alliance)
	if err != nil {
		return nil, err
	}
	out := &model.AllianceAnalytics{AllianceID: key, Store: r.Figures}
	if rng != nil {
		out.Range = *rng
	}
	return out, nil
}

// counts wraps grouped store counts into GraphQL objects.
func counts[K ~string, T any](rows []store.Count[K], err error, wrap func(K, int) *T) ([]*T, error) {
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(rows))
	for i, r := range rows {
		out[i] = wrap(r.Key, r.Count)
	}
	return out, nil
}

func analyticsMembersByKind(ctx context.Context, a *model.AllianceAnalytics) ([]*model.OrganizationKindCount, error) {
	rows, err := a.Store.MembersByKind(ctx, a.AllianceID, a.Range)
	return counts(rows, err, func(k store.OrganizationKind, n int) *model.OrganizationKindCount {
		return &model.OrganizationKindCount{Kind: k, Count: n}
	})
}

func analyticsMembersBySchoolLevel(ctx context.Context, a *model.AllianceAnalytics) ([]*model.SchoolLevelCount, error) {
	rows, err := a.Store.MembersBySchoolLevel(ctx, a.AllianceID, a.Range)
	return counts(rows, err, func(k store.SchoolLevel, n int) *model.SchoolLevelCount {
		return &model.SchoolLevelCount{Level: k, Count: n}
	})
}

func analyticsMembersByIndustry(ctx context.Context, a *model.AllianceAnalytics) ([]*model.IndustryCount, error) {
	rows, err := a.Store.MembersByIndustry(ctx, a.AllianceID, a.Range)
	return counts(rows, err, func(k store.Industry, n int) *model.IndustryCount {
		return &model.IndustryCount{Industry: k, Count: n}
	})
}

func analyticsPartnershipsByKind(ctx context.Context, a *model.AllianceAnalytics) ([]*model.PartnershipKindCount, error) {
	rows, err := a.Store.PartnershipsByKind(ctx, a.AllianceID, a.Range)
	return counts(rows, err, func(k store.PartnershipKind, n int) *model.PartnershipKindCount {
		return &model.PartnershipKindCount{Kind: k, Count: n}
	})
}

func analyticsPartnershipsByStatus(ctx context.Context, a *model.AllianceAnalytics) ([]*model.PartnershipStatusCount, error) {
	rows, err := a.Store.PartnershipsByStatus(ctx, a.AllianceID, a.Range)
	return counts(rows, err, func(k store.PartnershipStatus, n int) *model.PartnershipStatusCount {
		return &model.PartnershipStatusCount{Status: k, Count: n}
	})
}

func analyticsPartnershipsByMonth(ctx context.Context, a *model.AllianceAnalytics) ([]*model.MonthCount, error) {
	rows, err := a.Store.PartnershipsByMonth(ctx, a.AllianceID, a.Range)
	if err != nil {
		return nil, err
	}
	out := make([]*model.MonthCount, len(rows))
	for i, r := range rows {
		out[i] = &model.MonthCount{Month: r.Month, Count: r.Count}
	}
	return out, nil
}

func analyticsResourcesByCategory(ctx context.Context, a *model.AllianceAnalytics) ([]*model.ResourceCategoryCount, error) {
	rows, err := a.Store.ResourcesByCategory(ctx, a.AllianceID, a.Range)
	return counts(rows, err, func(k store.ResourceCategory, n int) *model.ResourceCategoryCount {
		return &model.ResourceCategoryCount{Category: k, Count: n}
	})
}

func analyticsJobsByMonth(ctx context.Context, a *model.AllianceAnalytics) ([]*model.JobMonth, error) {
	rows, err := a.Store.JobsByMonth(ctx, a.AllianceID, a.Range)
	if err != nil {
		return nil, err
	}
	out := make([]*model.JobMonth, len(rows))
	for i, r := range rows {
		out[i] = &model.JobMonth{Month: r.Month, Openings: r.Openings, Positions: r.Positions, Applications: r.Applications, Placements: r.Placements}
	}
	return out, nil
}

func analyticsCompetitionResultsByLevel(ctx context.Context, a *model.AllianceAnalytics) ([]*model.CompetitionLevelCount, error) {
	rows, err := a.Store.CompetitionResultsByLevel(ctx, a.AllianceID, a.Range)
	if err != nil {
		return nil, err
	}
	out := make([]*model.CompetitionLevelCount, len(rows))
	for i, r := range rows {
		out[i] = &model.CompetitionLevelCount{Level: r.Level, Results: r.Results, Gold: r.Gold, Silver: r.Silver, Bronze: r.Bronze}
	}
	return out, nil
}
