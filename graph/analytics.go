package graph

import (
	"context"
	"errors"

	"github.com/alliance-graph/alliance-graph/graph/model"
)

// TODO(analytics): implemented on the analytics branch.
var errAnalyticsPending = errors.New("analytics are not implemented yet")

func (r *Resolver) analytics(ctx context.Context, alliance *string, period *model.DateRange) (*model.AllianceAnalytics, error) {
	return nil, errAnalyticsPending
}

func analyticsMembersByKind(ctx context.Context, a *model.AllianceAnalytics) ([]*model.OrganizationKindCount, error) {
	return nil, errAnalyticsPending
}

func analyticsMembersBySchoolLevel(ctx context.Context, a *model.AllianceAnalytics) ([]*model.SchoolLevelCount, error) {
	return nil, errAnalyticsPending
}

func analyticsMembersByIndustry(ctx context.Context, a *model.AllianceAnalytics) ([]*model.IndustryCount, error) {
	return nil, errAnalyticsPending
}

func analyticsPartnershipsByKind(ctx context.Context, a *model.AllianceAnalytics) ([]*model.PartnershipKindCount, error) {
	return nil, errAnalyticsPending
}

func analyticsPartnershipsByStatus(ctx context.Context, a *model.AllianceAnalytics) ([]*model.PartnershipStatusCount, error) {
	return nil, errAnalyticsPending
}

func analyticsPartnershipsByMonth(ctx context.Context, a *model.AllianceAnalytics) ([]*model.MonthCount, error) {
	return nil, errAnalyticsPending
}

func analyticsResourcesByCategory(ctx context.Context, a *model.AllianceAnalytics) ([]*model.ResourceCategoryCount, error) {
	return nil, errAnalyticsPending
}

func analyticsJobsByMonth(ctx context.Context, a *model.AllianceAnalytics) ([]*model.JobMonth, error) {
	return nil, errAnalyticsPending
}

func analyticsCompetitionResultsByLevel(ctx context.Context, a *model.AllianceAnalytics) ([]*model.CompetitionLevelCount, error) {
	return nil, errAnalyticsPending
}
