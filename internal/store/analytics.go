package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dashboard aggregates of one alliance over a period. Each is one grouped statement over
// the alliance's rows, so its cost follows the size of the alliance, not the number of
// groups. Like Stats, they count every resource whatever its sharing: a count names
// nothing, so restricted resources reveal nothing by being counted.
//
// Groups run from the largest count down (ties by key); month series in calendar order.
// Months are the first day of the month, truncated from dates without a time zone so the
// session's zone cannot move a day into another month.

// Count is the number of rows sharing one value of a grouping column.
type Count[K ~string] struct {
	Key   K   `db:"key"`
	Count int `db:"count"`
}

// MonthCount is the number of events in one calendar month.
type MonthCount struct {
	Month time.Time `db:"month"`
	Count int       `db:"count"`
}

// JobMonth is the job market of one calendar month.
type JobMonth struct {
	Month        time.Time `db:"month"`
	Openings     int       `db:"openings"`
	Positions    int       `db:"positions"`
	Applications int       `db:"applications"`
	Placements   int       `db:"placements"`
}

// LevelCount is the competition results at one level, with their medals.
type LevelCount struct {
	Level   CompetitionLevel `db:"level"`
	Results int              `db:"results"`
	Gold    int              `db:"gold"`
	Silver  int              `db:"silver"`
	Bronze  int              `db:"bronze"`
}

// aggregate binds an alliance and the ends of a period once, so that one statement can
// test several days against the same period.
type aggregate struct {
	args               []any
	alliance, from, to string // placeholders; from and to are empty for open ends
}

func newAggregate(alliance int64, r DateRange) *aggregate {
	a := &aggregate{}
	a.alliance = a.arg(alliance)
	if r.From != nil {
		a.from = a.arg(*r.From)
	}
	if r.To != nil {
		a.to = a.arg(*r.To)
	}
	return a
}

func (a *aggregate) arg(v any) string {
	a.args = append(a.args, v)
	return "$" + strconv.Itoa(len(a.args))
}

// within is the condition that the day expr falls in the period.
func (a *aggregate) within(expr string) []string {
	var c []string
	if a.from != "" {
		c = append(c, expr+" >= "+a.from)
	}
	if a.to != "" {
		c = append(c, expr+" <= "+a.to)
	}
	return c
}

// lasting is the condition that something begun on start and ended on end (NULL while it
// lasts) lasted into the period: begun by its last day and not ended before its first.
// The day it ended still counts.
func (a *aggregate) lasting(start, end string) []string {
	var c []string
	if a.to != "" {
		c = append(c, start+" <= "+a.to)
	}
	if a.from != "" {
		c = append(c, "("+end+" IS NULL OR "+end+" >= "+a.from+")")
	}
	return c
}

// and joins conditions, TRUE for none.
func and(conds ...[]string) string {
	var all []string
	for _, c := range conds {
		all = append(all, c...)
	}
	if len(all) == 0 {
		return "TRUE"
	}
	return strings.Join(all, " AND ")
}

func groupCounts[K ~string](ctx context.Context, s *Store, what string, alliance int64, query string, args []any) ([]Count[K], error) {
	var rows []Count[K]
	if err := s.selectRows(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("count %s of alliance %d: %w", what, alliance, err)
	}
	return rows, nil
}

const byCount = " GROUP BY key ORDER BY count DESC, key"

// members counts the organizations that were members of alliance at some time in r,
// grouped by key, a column of organization o.
func members[K ~string](ctx context.Context, s *Store, what string, alliance int64, r DateRange, key string, conds ...string) ([]Count[K], error) {
	a := newAggregate(alliance, r)
	return groupCounts[K](ctx, s, what, alliance, `
		SELECT `+key+` AS key, count(*) AS count
		FROM membership m JOIN organization o ON o.id = m.organization_id
		WHERE `+and([]string{"m.alliance_id = " + a.alliance}, a.lasting("m.joined_on", "m.left_on"), conds)+byCount, a.args)
}

// MembersByKind counts the organizations that were members of alliance during r, by kind.
func (s *Store) MembersByKind(ctx context.Context, alliance int64, r DateRange) ([]Count[OrganizationKind], error) {
	return members[OrganizationKind](ctx, s, "members by kind", alliance, r, "o.kind")
}

// MembersBySchoolLevel counts the schools that were members of alliance during r, by level.
func (s *Store) MembersBySchoolLevel(ctx context.Context, alliance int64, r DateRange) ([]Count[SchoolLevel], error) {
	return members[SchoolLevel](ctx, s, "member schools by level", alliance, r, "o.school_level", "o.kind = 'SCHOOL'")
}

// MembersByIndustry counts the companies that were members of alliance during r, by
// industry.
func (s *Store) MembersByIndustry(ctx context.Context, alliance int64, r DateRange) ([]Count[Industry], error) {
	return members[Industry](ctx, s, "member companies by industry", alliance, r, "o.industry", "o.kind = 'COMPANY'")
}

// partnershipDay is the day a partnership counts on: its signing, or for a proposal never
// signed (still PROPOSED, or abandoned as TERMINATED) the day it was proposed. Changes
// are dated by the alliance's day (change.Service.today), so the creation time is read
// as that day too.
func partnershipDay() string { return "COALESCE(p.signed_on, " + allianceDate("p.created_at") + ")" }

func partnerships[K ~string](ctx context.Context, s *Store, what string, alliance int64, r DateRange, key string) ([]Count[K], error) {
	a := newAggregate(alliance, r)
	return groupCounts[K](ctx, s, what, alliance, `
		SELECT `+key+` AS key, count(*) AS count FROM partnership p
		WHERE `+and([]string{"p.alliance_id = " + a.alliance}, a.within(partnershipDay()))+byCount, a.args)
}

// PartnershipsByKind counts the partnerships of alliance signed (or proposed, when never
// signed) during r, by kind.
func (s *Store) PartnershipsByKind(ctx context.Context, alliance int64, r DateRange) ([]Count[PartnershipKind], error) {
	return partnerships[PartnershipKind](ctx, s, "partnerships by kind", alliance, r, "p.kind")
}

// PartnershipsByStatus counts the partnerships of alliance signed (or proposed, when never
// signed) during r, by status.
func (s *Store) PartnershipsByStatus(ctx context.Context, alliance int64, r DateRange) ([]Count[PartnershipStatus], error) {
	return partnerships[PartnershipStatus](ctx, s, "partnerships by status", alliance, r, "p.status")
}

// PartnershipsByMonth counts the partnerships of alliance signed during r, by month of
// signing; proposals never signed have no such month.
func (s *Store) PartnershipsByMonth(ctx context.Context, alliance int64, r DateRange) ([]MonthCount, error) {
	a := newAggregate(alliance, r)
	var rows []MonthCount
	err := s.selectRows(ctx, &rows, `
		SELECT date_trunc('month', p.signed_on::timestamp)::date AS month, count(*) AS count
		FROM partnership p
		WHERE `+and([]string{"p.alliance_id = " + a.alliance, "p.signed_on IS NOT NULL"}, a.within("p.signed_on"))+`
		GROUP BY month ORDER BY month`, a.args...)
	if err != nil {
		return nil, fmt.Errorf("count partnerships by month of alliance %d: %w", alliance, err)
	}
	return rows, nil
}

// ResourcesByCategory counts the resources alliance had on offer during r, by category:
// shared by its last day and not withdrawn before its first.
func (s *Store) ResourcesByCategory(ctx context.Context, alliance int64, r DateRange) ([]Count[ResourceCategory], error) {
	a := newAggregate(alliance, r)
	return groupCounts[ResourceCategory](ctx, s, "resources by category", alliance, `
		SELECT r.category AS key, count(*) AS count FROM resource r
		WHERE `+and([]string{"r.alliance_id = " + a.alliance}, a.lasting("r.shared_on", "r.withdrawn_on"))+byCount, a.args)
}

// JobsByMonth counts, per month of r, the openings alliance posted and their positions,
// the applications made to its openings and the hires made from them. Months with nothing
// counted are left out.
//
// Applications and hires are read from job_day (migration 00010), which the placement
// triggers keep per alliance and day: a month sums thirty rows instead of reading the
// placements (173,000 at scale 100) each time a change makes the cached figures stale.
func (s *Store) JobsByMonth(ctx context.Context, alliance int64, r DateRange) ([]JobMonth, error) {
	a := newAggregate(alliance, r)
	openings := "r.alliance_id = " + a.alliance + " AND r.category = 'JOB_OPENING'"
	query := `
		WITH days AS (
			SELECT r.shared_on AS day, count(*) AS openings, sum(r.positions) AS positions,
				0 AS applications, 0 AS placements
			FROM resource r WHERE ` + and([]string{openings}, a.within("r.shared_on")) + `
			GROUP BY r.shared_on
			UNION ALL
			SELECT d.day, 0, 0, d.applications, d.placements
			FROM job_day d WHERE ` + and([]string{"d.alliance_id = " + a.alliance}, a.within("d.day")) + `
		)
		SELECT date_trunc('month', day::timestamp)::date AS month, sum(openings)::int AS openings,
			sum(positions)::int AS positions, sum(applications)::int AS applications, sum(placements)::int AS placements
		FROM days
		GROUP BY month
		HAVING sum(openings) + sum(applications) + sum(placements) > 0
		ORDER BY month`
	var rows []JobMonth
	if err := s.selectRows(ctx, &rows, query, a.args...); err != nil {
		return nil, fmt.Errorf("count jobs by month of alliance %d: %w", alliance, err)
	}
	return rows, nil
}

// CompetitionResultsByLevel counts the competition results of alliance awarded during r,
// by level, with their gold, silver and bronze medals.
func (s *Store) CompetitionResultsByLevel(ctx context.Context, alliance int64, r DateRange) ([]LevelCount, error) {
	a := newAggregate(alliance, r)
	var rows []LevelCount
	err := s.selectRows(ctx, &rows, `
		SELECT r.competition_level AS level, count(*) AS results,
			count(*) FILTER (WHERE r.award = 'GOLD') AS gold,
			count(*) FILTER (WHERE r.award = 'SILVER') AS silver,
			count(*) FILTER (WHERE r.award = 'BRONZE') AS bronze
		FROM resource r
		WHERE `+and([]string{"r.alliance_id = " + a.alliance, "r.category = 'COMPETITION_RESULT'"}, a.within("r.awarded_on"))+`
		GROUP BY r.competition_level ORDER BY results DESC, level`, a.args...)
	if err != nil {
		return nil, fmt.Errorf("count competition results by level of alliance %d: %w", alliance, err)
	}
	return rows, nil
}
