package store

import (
	"context"
	"fmt"
	"time"
)

// GrowthInterval is the length of one step of a time series: a calendar month, quarter
// or year.
type GrowthInterval string

// The intervals of a time series.
const (
	EveryMonth   GrowthInterval = "MONTH"
	EveryQuarter GrowthInterval = "QUARTER"
	EveryYear    GrowthInterval = "YEAR"
)

// growthUnits are each interval's field of date_trunc and its length.
var growthUnits = map[GrowthInterval]struct {
	trunc  string
	months int
}{
	EveryMonth:   {"month", 1},
	EveryQuarter: {"quarter", 3},
	EveryYear:    {"year", 12},
}

// Steps is how many intervals the days from and to lie in, both included: 0 for an
// unknown interval or to before from.
func (i GrowthInterval) Steps(from, to time.Time) int {
	u, ok := growthUnits[i]
	if !ok || to.Before(from) {
		return 0
	}
	month := func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }
	return month(to)/u.months - month(from)/u.months + 1
}

// GrowthStep is one kind of member's changes over one interval.
type GrowthStep struct {
	// From and To are the interval's first and last days, cut to the period asked for.
	From time.Time        `db:"from_on"`
	To   time.Time        `db:"to_on"`
	Kind OrganizationKind `db:"kind"`
	// Joined and Left count the memberships that began and ended within the interval;
	// Active those begun by its last day and not ended by it, so that each interval's
	// Active is the last one's plus Joined less Left.
	Joined int `db:"joined"`
	Left   int `db:"left_count"`
	Active int `db:"active"`
}

// MembershipGrowth counts, per interval of the days from to to and per kind of
// organization (every kind, in OrganizationKinds order, zeros included), the members of
// alliance that joined and left in it and those active at its end. One statement: the
// alliance's joinings and leavings are counted per interval and summed up over the
// intervals, so its cost follows the memberships, not intervals times memberships.
func (s *Store) MembershipGrowth(ctx context.Context, alliance int64, from, to time.Time, i GrowthInterval) ([]GrowthStep, error) {
	u, ok := growthUnits[i]
	if !ok {
		return nil, fmt.Errorf("unknown interval %q", i)
	}
	kinds := make([]string, len(OrganizationKinds))
	for k, kind := range OrganizationKinds {
		kinds[k] = string(kind)
	}
	var rows []GrowthStep
	err := s.selectRows(ctx, &rows, `
		WITH steps AS (
			SELECT s::date AS start_on, greatest(s::date, $2::date) AS from_on,
				least((s + $4::interval - interval '1 day')::date, $3::date) AS to_on,
				row_number() OVER (ORDER BY s) AS n
			FROM generate_series(date_trunc($5, $2::timestamp), $3::timestamp, $4::interval) s
		), kinds AS (
			SELECT kind, ord FROM unnest($6::text[]) WITH ORDINALITY AS k(kind, ord)
		), changes AS (
			SELECT o.kind, m.joined_on AS day, 1 AS joined, 0 AS left_count
			FROM membership m JOIN organization o ON o.id = m.organization_id
			WHERE m.alliance_id = $1 AND m.joined_on <= $3
			UNION ALL
			SELECT o.kind, m.left_on, 0, 1
			FROM membership m JOIN organization o ON o.id = m.organization_id
			WHERE m.alliance_id = $1 AND m.left_on <= $3
		), earlier AS (
			SELECT kind, sum(joined) - sum(left_count) AS active FROM changes WHERE day < $2 GROUP BY kind
		), counted AS (
			SELECT date_trunc($5, day::timestamp)::date AS start_on, kind, sum(joined) AS joined, sum(left_count) AS left_count
			FROM changes WHERE day >= $2 GROUP BY 1, 2
		)
		SELECT st.from_on, st.to_on, k.kind,
			COALESCE(c.joined, 0)::int AS joined, COALESCE(c.left_count, 0)::int AS left_count,
			(COALESCE(e.active, 0) + sum(COALESCE(c.joined, 0) - COALESCE(c.left_count, 0)) OVER (PARTITION BY k.kind ORDER BY st.n))::int AS active
		FROM steps st CROSS JOIN kinds k
		LEFT JOIN counted c ON c.start_on = st.start_on AND c.kind = k.kind
		LEFT JOIN earlier e ON e.kind = k.kind
		ORDER BY st.n, k.ord`,
		alliance, from.Format(time.DateOnly), to.Format(time.DateOnly), fmt.Sprintf("%d months", u.months), u.trunc, stringArray(kinds))
	if err != nil {
		return nil, fmt.Errorf("count the membership growth of alliance %d from %s to %s by %s: %w",
			alliance, from.Format(time.DateOnly), to.Format(time.DateOnly), i, err)
	}
	return rows, nil
}
