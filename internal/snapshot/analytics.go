package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// maxFigures bounds the dashboard figures kept: a wall screen asks for a handful of
// groups over a handful of periods.
const maxFigures = 256

// Analytics serves an alliance's dashboard figures from the store, keeping each group of
// each period until the next change: dashboards ask for the same figures every few
// seconds, and counting the whole job market takes a tenth of a second at scale.
type Analytics struct {
	store *store.Store
	cache *Cache
}

// NewAnalytics keeps figures read from s until version, the event log's position, moves.
func NewAnalytics(s *store.Store, version func(context.Context) (int64, error)) *Analytics {
	return &Analytics{store: s, cache: New(version, maxFigures)}
}

func figures[V any](ctx context.Context, a *Analytics, group string, alliance int64, r store.DateRange,
	read func(context.Context, int64, store.DateRange) (V, error)) (V, error) {
	key := fmt.Sprintf("%s:%d:%s:%s", group, alliance, day(r.From), day(r.To))
	return Get(ctx, a.cache, key, func(ctx context.Context) (V, error) { return read(ctx, alliance, r) })
}

func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// MembersByKind is the store's MembersByKind, kept until the next change.
func (a *Analytics) MembersByKind(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.OrganizationKind], error) {
	return figures(ctx, a, "MembersByKind", alliance, r, a.store.MembersByKind)
}

// MembersBySchoolLevel is the store's MembersBySchoolLevel, kept until the next change.
func (a *Analytics) MembersBySchoolLevel(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.SchoolLevel], error) {
	return figures(ctx, a, "MembersBySchoolLevel", alliance, r, a.store.MembersBySchoolLevel)
}

// MembersByIndustry is the store's MembersByIndustry, kept until the next change.
func (a *Analytics) MembersByIndustry(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.Industry], error) {
	return figures(ctx, a, "MembersByIndustry", alliance, r, a.store.MembersByIndustry)
}

// PartnershipsByKind is the store's PartnershipsByKind, kept until the next change.
func (a *Analytics) PartnershipsByKind(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.PartnershipKind], error) {
	return figures(ctx, a, "PartnershipsByKind", alliance, r, a.store.PartnershipsByKind)
}

// PartnershipsByStatus is the store's PartnershipsByStatus, kept until the next change.
func (a *Analytics) PartnershipsByStatus(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.PartnershipStatus], error) {
	return figures(ctx, a, "PartnershipsByStatus", alliance, r, a.store.PartnershipsByStatus)
}

// PartnershipsByMonth is the store's PartnershipsByMonth, kept until the next change.
func (a *Analytics) PartnershipsByMonth(ctx context.Context, alliance int64, r store.DateRange) ([]store.MonthCount, error) {
	return figures(ctx, a, "PartnershipsByMonth", alliance, r, a.store.PartnershipsByMonth)
}

// ResourcesByCategory is the store's ResourcesByCategory, kept until the next change.
func (a *Analytics) ResourcesByCategory(ctx context.Context, alliance int64, r store.DateRange) ([]store.Count[store.ResourceCategory], error) {
	return figures(ctx, a, "ResourcesByCategory", alliance, r, a.store.ResourcesByCategory)
}

// JobsByMonth is the store's JobsByMonth, kept until the next change.
func (a *Analytics) JobsByMonth(ctx context.Context, alliance int64, r store.DateRange) ([]store.JobMonth, error) {
	return figures(ctx, a, "JobsByMonth", alliance, r, a.store.JobsByMonth)
}

// CompetitionResultsByLevel is the store's CompetitionResultsByLevel, kept until the next change.
func (a *Analytics) CompetitionResultsByLevel(ctx context.Context, alliance int64, r store.DateRange) ([]store.LevelCount, error) {
	return figures(ctx, a, "CompetitionResultsByLevel", alliance, r, a.store.CompetitionResultsByLevel)
}

// SkillGaps is the store's SkillGaps, kept until the next change: analysts' dashboards ask
// for the same ranking again and again, and it aggregates every opening and course of the
// alliance (30 ms at 100 times the demo). The filter must name its day (Today), so that a
// kept answer never outlives the day it was computed for.
func (a *Analytics) SkillGaps(ctx context.Context, f store.SkillGapFilter, o store.Order, p store.Page) (store.Result[store.SkillGap], error) {
	key, err := dayKey("SkillGaps", f.Today, f, o, p)
	if err != nil {
		return store.Result[store.SkillGap]{}, err
	}
	return Get(ctx, a.cache, key, func(ctx context.Context) (store.Result[store.SkillGap], error) {
		return a.store.SkillGaps(ctx, f, o, p)
	})
}

// CountSkillGaps is the store's CountSkillGaps, kept like SkillGaps.
func (a *Analytics) CountSkillGaps(ctx context.Context, f store.SkillGapFilter) (int, error) {
	key, err := dayKey("CountSkillGaps", f.Today, f, store.Order{}, store.Page{})
	if err != nil {
		return 0, err
	}
	return Get(ctx, a.cache, key, func(ctx context.Context) (int, error) { return a.store.CountSkillGaps(ctx, f) })
}

// dayKey is the key a figure computed for a day is kept under: the call and its
// arguments. A filter that names no day cannot be kept: its answer would outlive the day.
func dayKey(what string, today time.Time, f any, o store.Order, p store.Page) (string, error) {
	if today.IsZero() {
		return "", fmt.Errorf("%s: the filter names no day, so its answer cannot be kept", what)
	}
	raw, err := json.Marshal(struct {
		F any
		O store.Order
		P store.Page
	}{f, o, p})
	if err != nil {
		return "", fmt.Errorf("%s key: %w", what, err)
	}
	return what + ":" + string(raw), nil
}

// EmploymentOutcomes is the store's EmploymentOutcomes, kept until the next change: the
// dashboard asks for them after every event, and they follow every hire of a period's
// cohort. The filter must name its day (Today), like SkillGaps'.
func (a *Analytics) EmploymentOutcomes(ctx context.Context, f store.OutcomeFilter, o store.Order, p store.Page) (store.Result[store.Outcome], error) {
	key, err := dayKey("EmploymentOutcomes", f.Today, f, o, p)
	if err != nil {
		return store.Result[store.Outcome]{}, err
	}
	return Get(ctx, a.cache, key, func(ctx context.Context) (store.Result[store.Outcome], error) {
		return a.store.EmploymentOutcomes(ctx, f, o, p)
	})
}

// CountEmploymentOutcomes is the store's CountEmploymentOutcomes, kept like
// EmploymentOutcomes.
func (a *Analytics) CountEmploymentOutcomes(ctx context.Context, f store.OutcomeFilter) (int, error) {
	key, err := dayKey("CountEmploymentOutcomes", f.Today, f, store.Order{}, store.Page{})
	if err != nil {
		return 0, err
	}
	return Get(ctx, a.cache, key, func(ctx context.Context) (int, error) { return a.store.CountEmploymentOutcomes(ctx, f) })
}

// MembershipGrowth is the store's MembershipGrowth, kept until the next change.
func (a *Analytics) MembershipGrowth(ctx context.Context, alliance int64, from, to time.Time, i store.GrowthInterval) ([]store.GrowthStep, error) {
	key := fmt.Sprintf("MembershipGrowth:%d:%s:%s:%s", alliance, from.Format(time.DateOnly), to.Format(time.DateOnly), i)
	return Get(ctx, a.cache, key, func(ctx context.Context) ([]store.GrowthStep, error) {
		return a.store.MembershipGrowth(ctx, alliance, from, to, i)
	})
}
