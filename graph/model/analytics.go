package model

import (
	"context"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// AllianceAnalytics is an alliance's grouped figures over a period. It carries where the
// figures are read from so that each group, a field resolver of its own, is read only when
// the query asks for it.
type AllianceAnalytics struct {
	AllianceID int64
	Range      store.DateRange
	Store      Figures
}

// Figures reads the groups of an alliance's figures over a period.
type Figures interface {
	MembersByKind(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.OrganizationKind], error)
	MembersBySchoolLevel(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.SchoolLevel], error)
	MembersByIndustry(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.Industry], error)
	PartnershipsByKind(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.PartnershipKind], error)
	PartnershipsByStatus(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.PartnershipStatus], error)
	PartnershipsByMonth(ctx context.Context, alliance int64, r store.DateRange) ([]store.MonthCount, error)
	ResourcesByCategory(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.ResourceCategory], error)
	JobsByMonth(ctx context.Context, alliance int64, r store.DateRange) ([]store.JobMonth, error)
	CompetitionResultsByLevel(ctx context.Context, alliance int64, r store.DateRange) ([]store.LevelCount, error)
	SkillGaps(ctx context.Context, f store.SkillGapFilter, o store.Order, p store.Page) (store.Result[store.SkillGap], error)
	CountSkillGaps(ctx context.Context, f store.SkillGapFilter) (int, error)
	EmploymentOutcomes(ctx context.Context, f store.OutcomeFilter, o store.Order, p store.Page) (store.Result[store.Outcome], error)
	CountEmploymentOutcomes(ctx context.Context, f store.OutcomeFilter) (int, error)
	MembershipGrowth(ctx context.Context, alliance int64, from, to time.Time, i store.GrowthInterval) ([]store.GrowthStep, error)
}

// Period is the period counted.
func (a *AllianceAnalytics) Period() *Period { return &Period{From: a.Range.From, To: a.Range.To} }
