package store

import (
	"context"
	"fmt"
	"time"
)

// SkillGapFilter selects the skills of the gap analysis and the period it covers.
//
// With a period, demand counts the open openings posted (shared) within it, and supply
// the courses running at some time within it: starting on or before its end and ending
// on or after its start (an open-ended course or period bound always overlaps). Without
// one, demand counts every open opening and supply every course not yet ended. Either
// way an opening past its closing date counts for nothing, and only courses not yet
// started have free seats. Talents are counted as they are now in either case: a
// talent's status has no history.
type SkillGapFilter struct {
	Alliance   int64
	Scope      Scope
	Categories []SkillCategory
	Codes      []string
	Period     *DateRange
	MinGap     *float64
	MinDemand  *float64
	// Today is the day the answer is for: openings must not be past their closing date,
	// and, without a period, courses must not have ended by it. Required: it makes the
	// answer a function of the filter and the data alone, which is what lets it be kept
	// (snapshot.Analytics.SkillGaps).
	Today time.Time
}

// SkillGap is one skill's demand against its supply.
type SkillGap struct {
	Keyset
	SkillID       int64   `db:"skill_id"`
	Code          string  `db:"code"`
	Category      string  `db:"category"`
	Demand        float64 `db:"demand"`
	OpenPositions int     `db:"open_positions"`
	Openings      int     `db:"openings"`
	Supply        float64 `db:"supply"`
	CourseSeats   int     `db:"course_seats"`
	FreeSeats     int     `db:"free_seats"`
	Courses       int     `db:"courses"`
	Talents       int     `db:"talents"`
	Gap           float64 `db:"gap"`
}

var skillGapOrders = map[string]sortKey{
	"GAP":       {"g.gap", "float8"},
	"DEMAND":    {"g.demand", "float8"},
	"SUPPLY":    {"g.supply", "float8"},
	"SHORTFALL": {"g.demand - g.supply", "float8"},
	"CODE":      {"g.code", "text"},
}

func skillGapList(f SkillGapFilter, o Order) *list {
	l := &list{orders: skillGapOrders, order: o}
	alliance := l.arg(f.Alliance)
	today := l.day(f.Today)
	jobs := &list{args: l.args}
	jobs.where("r.category = 'JOB_OPENING'")
	jobs.where("r.opening_status = 'OPEN'")
	jobs.where(openOn("r", today))
	jobs.where("r.alliance_id = " + alliance)
	visible(jobs, f.Scope)
	dates(jobs, "r.shared_on", f.Period)
	l.args = jobs.args
	courses := &list{args: l.args}
	courses.where("r.category = 'TRAINING_COURSE'")
	courses.where("r.alliance_id = " + alliance)
	visible(courses, f.Scope)
	if f.Period == nil {
		courses.where("COALESCE(r.ends_on, 'infinity') >= " + today)
	} else {
		if f.Period.From != nil {
			courses.where("COALESCE(r.ends_on, 'infinity') >= " + courses.arg(*f.Period.From))
		}
		if f.Period.To != nil {
			courses.where("(r.starts_on IS NULL OR r.starts_on <= " + courses.arg(*f.Period.To) + ")")
		}
	}
	l.args = courses.args
	skills := &list{args: l.args}
	in(skills, "k.category", f.Categories)
	in(skills, "k.code", f.Codes)
	l.args = skills.args
	l.from = `(SELECT k.id AS skill_id, k.code, k.category,
			COALESCE(d.demand, 0) AS demand, COALESCE(d.open_positions, 0) AS open_positions, COALESCE(d.openings, 0) AS openings,
			COALESCE(c.supply, 0) + COALESCE(t.levels, 0) AS supply,
			COALESCE(c.seats, 0) AS course_seats, COALESCE(c.free_seats, 0) AS free_seats, COALESCE(c.courses, 0) AS courses,
			COALESCE(t.talents, 0) AS talents,
			CASE WHEN COALESCE(d.demand, 0) + COALESCE(c.supply, 0) + COALESCE(t.levels, 0) = 0 THEN 0::float8
				ELSE (COALESCE(d.demand, 0) - COALESCE(c.supply, 0) - COALESCE(t.levels, 0))
					/ (COALESCE(d.demand, 0) + COALESCE(c.supply, 0) + COALESCE(t.levels, 0)) END AS gap
		FROM skill k
		LEFT JOIN (
			SELECT rs.skill_id, sum((r.positions - COALESCE(r.filled, 0)) * rs.level)::float8 AS demand,
				sum(r.positions - COALESCE(r.filled, 0))::int AS open_positions, count(*)::int AS openings
			FROM resource r JOIN resource_skill rs ON rs.resource_id = r.id
			WHERE ` + joinAnd(jobs.conds) + ` GROUP BY rs.skill_id
		) d ON d.skill_id = k.id
		LEFT JOIN (
			SELECT rs.skill_id, sum(r.seats * rs.level)::float8 AS supply, sum(r.seats)::int AS seats,
				sum(` + freeSeats("r", today) + `)::int AS free_seats, count(*)::int AS courses
			FROM resource r JOIN resource_skill rs ON rs.resource_id = r.id
			WHERE ` + joinAnd(courses.conds) + ` GROUP BY rs.skill_id
		) c ON c.skill_id = k.id
		LEFT JOIN skill_talent_supply t ON t.skill_id = k.id AND t.alliance_id = ` + alliance + `
		WHERE ` + joinAnd(skills.conds) + `) g`
	l.cols = "g.*"
	l.id = "g.skill_id"
	if f.MinGap != nil {
		l.where("g.gap >= " + l.arg(*f.MinGap) + "::float8")
	}
	if f.MinDemand != nil {
		l.where("g.demand >= " + l.arg(*f.MinDemand) + "::float8")
	}
	return l
}

func skillGapID(g *SkillGap) int64 { return g.SkillID }

// SkillGaps lists the skills' demand against supply.
func (s *Store) SkillGaps(ctx context.Context, f SkillGapFilter, o Order, p Page) (Result[SkillGap], error) {
	if f.Today.IsZero() {
		return Result[SkillGap]{}, errNoDay("skill gaps")
	}
	return page(ctx, s, "skill gaps", skillGapList(f, o), p, skillGapID)
}

// CountSkillGaps counts the skills SkillGaps lists.
func (s *Store) CountSkillGaps(ctx context.Context, f SkillGapFilter) (int, error) {
	if f.Today.IsZero() {
		return 0, errNoDay("count skill gaps")
	}
	n, err := count(ctx, s, "skill gaps", skillGapList(f, Order{}))
	if err != nil {
		return 0, fmt.Errorf("count skill gaps of alliance %d: %w", f.Alliance, err)
	}
	return n, nil
}
