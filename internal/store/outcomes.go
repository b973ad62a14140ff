package store

import (
	"context"
	"fmt"
	"time"
)

// Employment outcomes: what became of the trainees and graduates of a period. Every rule
// of the definition is in this file's statement, and in hire_partnership (migration
// 00018), which says which order class or apprenticeship a hire came through:
//
//   - A period without a start starts at the alliance's founding.
//   - The cohort of a period is its graduates and its trainees, each talent of the
//     alliance once. A graduate has a school and a graduation date (30 June of its
//     graduation year) in the period and not after today. A trainee completed a course
//     of the alliance (enrollment.completed) whose end lies in the period and not after
//     today, had left school by then (no graduation date after the latest such end: a
//     student's course counts when it graduates), and is not a graduate of the period.
//     The entry date is the graduation date, else the latest such course end.
//   - The hire of a cohort member is its earliest HIRED placement for an opening that is
//     not an INTERNSHIP, hired on or after the entry date less hireLeadDays (order-class
//     students are hired before they graduate) and not after today. A member is employed
//     with such a hire, or with the status EMPLOYED.
//   - The employer is the hire's provider, else (EMPLOYED without such a hire) the
//     talent's employer. Employed within the alliance: the employer was a member of the
//     alliance on the hire date (today without a hire): joined by then, not left before.
//   - Hired through a partnership: hire_partnership of the hire's provider, the talent's
//     school and the hire date.
//   - Median starting salary over the hires that record one, median days from the entry
//     date to the hire (0 when hired before it); either is null when fewer hires than
//     OutcomeFilter.MinHires count towards it.
//
// Counts take in every hire whatever its opening's sharing, like the dashboard's other
// aggregates: a count names no opening.

// hireLeadDays is how long before its entry date a hire counts: order-class students
// sign with their company during their last year.
const hireLeadDays = 180

// OutcomeGrouping says what employment outcomes are grouped by; the zero value groups
// everything into one row.
type OutcomeGrouping string

// The groupings of employment outcomes.
const (
	OutcomesInAll         OutcomeGrouping = ""
	OutcomesBySchool      OutcomeGrouping = "SCHOOL"
	OutcomesByMajor       OutcomeGrouping = "MAJOR"
	OutcomesByPartnership OutcomeGrouping = "PARTNERSHIP"
	OutcomesByIndustry    OutcomeGrouping = "INDUSTRY"
	OutcomesByYear        OutcomeGrouping = "YEAR"
)

// OutcomeFilter selects the cohort and its grouping.
type OutcomeFilter struct {
	Alliance int64
	// Period bounds the entry dates; open ends are unbounded (the end by Today).
	Period DateRange
	// Today is the last day entries and hires may have happened on; zero: the
	// database's current_date. Given, the answer is a function of the filter and the
	// data alone, and can be kept (snapshot.Analytics).
	Today   time.Time
	GroupBy OutcomeGrouping
	// MinHires is the fewest hires a group needs for its medians (policy.MinHiresForMedian).
	MinHires int
}

// Outcome is one group's employment outcomes. Only the key column of the grouping is
// set; KeyID tells groups apart in keyset order and is positive, as cursors need: the
// school's or partnership's id plus 1, the year, a hash of a major or an industry, and 1
// for the group without a key (and the one row of the whole cohort).
type Outcome struct {
	Keyset
	KeyID         int64     `db:"key_id"`
	SchoolID      *int64    `db:"school_id"`
	Major         *string   `db:"major"`
	PartnershipID *int64    `db:"partnership_id"`
	Industry      *Industry `db:"industry"`
	Year          *int      `db:"year"`

	Cohort                     int      `db:"cohort"`
	Graduates                  int      `db:"graduates"`
	Trainees                   int      `db:"trainees"`
	Employed                   int      `db:"employed"`
	EmploymentRate             float64  `db:"employment_rate"`
	EmployedInAlliance         int      `db:"employed_in_alliance"`
	Hires                      int      `db:"hires"`
	HiredThroughOrderClass     int      `db:"hired_through_order_class"`
	HiredThroughApprenticeship int      `db:"hired_through_apprenticeship"`
	MedianStartingSalary       *int     `db:"median_starting_salary"`
	MedianDaysToHire           *float64 `db:"median_days_to_hire"`
}

// outcomeKeys is, per grouping, the key columns it sets (the others are NULL), its
// KeyID, what it groups by and the joins that needs, and how KEY sorts it: by name or
// title for objects, by the text of a major or an industry, by year; the group without a
// key as the empty text (first, ascending).
var outcomeKeys = map[OutcomeGrouping]struct {
	school, major, partnership, industry, year string
	id, join, groupBy                          string
	sort                                       sortKey
}{
	OutcomesInAll: {id: "1::bigint", sort: sortKey{"0", "int"}},
	OutcomesBySchool: {school: "m.school_id", id: "COALESCE(m.school_id + 1, 1)", join: " LEFT JOIN organization ks ON ks.id = m.school_id",
		groupBy: "m.school_id, ks.name_en", sort: sortKey{"COALESCE(ks.name_en, '')", "text"}},
	OutcomesByMajor: {major: "m.major", id: keyHash("m.major"),
		groupBy: "m.major", sort: sortKey{"COALESCE(m.major, '')", "text"}},
	OutcomesByPartnership: {partnership: "m.partnership_id", id: "COALESCE(m.partnership_id + 1, 1)", join: " LEFT JOIN partnership kp ON kp.id = m.partnership_id",
		groupBy: "m.partnership_id, kp.title_en", sort: sortKey{"COALESCE(kp.title_en, '')", "text"}},
	OutcomesByIndustry: {industry: "m.industry", id: keyHash("m.industry"),
		groupBy: "m.industry", sort: sortKey{"COALESCE(m.industry, '')", "text"}},
	OutcomesByYear: {year: "m.year", id: "m.year::bigint", groupBy: "m.year", sort: sortKey{"m.year", "int"}},
}

// keyHash is the KeyID of a text key: a hash, positive as cursors need, above the 1 of
// the group without a key.
func keyHash(expr string) string {
	return "COALESCE((hashtextextended(" + expr + ", 0) & 4611686018427387903) + 2, 1)"
}

func orNull(expr, typ string) string {
	if expr == "" {
		return "NULL::" + typ
	}
	return expr
}

var outcomeOrders = map[string]sortKey{
	"COHORT":                 {"g.cohort", "int"},
	"EMPLOYED":               {"g.employed", "int"},
	"EMPLOYMENT_RATE":        {"g.employment_rate", "float8"},
	"MEDIAN_STARTING_SALARY": {"COALESCE(g.median_starting_salary, -1)", "int"},
	"KEY":                    {"g.key_sort", ""}, // typed per grouping
}

func outcomeList(f OutcomeFilter, o Order) (*list, error) {
	key, ok := outcomeKeys[f.GroupBy]
	if !ok {
		return nil, fmt.Errorf("unknown grouping of outcomes %q", f.GroupBy)
	}
	orders := make(map[string]sortKey, len(outcomeOrders))
	for name, k := range outcomeOrders {
		orders[name] = k
	}
	orders["KEY"] = sortKey{"g.key_sort", key.sort.typ}
	l := &list{orders: orders, order: o}
	alliance := l.arg(f.Alliance)
	today := "current_date"
	if !f.Today.IsZero() {
		today = l.arg(f.Today.Format(time.DateOnly)) + "::date"
	}
	// The entry date lies in the period and not after today; bounds only where given.
	// Without a start, the period starts at the alliance's founding: the alliance is
	// judged on the cohorts since it began, not on the graduation years of the workers
	// its members registered.
	from := "(SELECT founded_on FROM alliance WHERE id = " + alliance + ")"
	if f.Period.From != nil {
		from = l.arg(*f.Period.From)
	}
	entered := func(day string) string {
		c := day + " <= " + today + " AND " + day + " >= " + from
		if f.Period.To != nil {
			c += " AND " + day + " <= " + l.arg(*f.Period.To)
		}
		return c
	}
	graduation := "make_date(t.graduation_year, 6, 30)"
	minHires := l.arg(f.MinHires)
	cols := orNull(key.school, "bigint") + " AS school_id, " + orNull(key.major, "text") + " AS major, " +
		orNull(key.partnership, "bigint") + " AS partnership_id, " + orNull(key.industry, "text") + " AS industry, " +
		orNull(key.year, "int") + " AS year"
	groupBy := ""
	if key.groupBy != "" {
		groupBy = " GROUP BY " + key.groupBy
	}
	// A graduate of the period is a test on the talent's row alone.
	graduate := "(t.school_id IS NOT NULL AND t.graduation_year IS NOT NULL AND " + entered(graduation) + ")"
	// One pass over the alliance's talents: a graduate of the period, else the latest
	// completed course in it, aggregated per talent before the join (joining first walks
	// the talents once per enrollment).
	l.from = `(WITH cohort AS (
			SELECT t.id AS talent_id, CASE WHEN ` + graduate + ` THEN ` + graduation + ` ELSE c.entry_on END AS entry_on,
				COALESCE(` + graduate + `, false) AS graduate, t.status, t.school_id, t.major, t.employer_id
			FROM talent t
			LEFT JOIN (SELECT en.talent_id, max(r.ends_on) AS entry_on
				FROM enrollment en JOIN resource r ON r.id = en.course_id
				WHERE en.completed AND r.alliance_id = ` + alliance + ` AND r.category = 'TRAINING_COURSE' AND ` + entered("r.ends_on") + `
				GROUP BY en.talent_id) c ON c.talent_id = t.id
			WHERE t.alliance_id = ` + alliance + ` AND (` + graduate + ` OR (c.entry_on IS NOT NULL
				AND (t.school_id IS NULL OR t.graduation_year IS NULL OR ` + graduation + ` <= c.entry_on)))
		), hires AS (
			SELECT DISTINCT ON (c.talent_id) c.talent_id, pl.id AS placement_id, pl.hired_on, pl.starting_salary, r.provider_id,
				hp.partnership_id, hp.partnership_kind
			FROM cohort c
			JOIN placement pl ON pl.talent_id = c.talent_id
			JOIN resource r ON r.id = pl.opening_id
			LEFT JOIN LATERAL hire_partnership(r.provider_id, c.school_id, ` + alliance + `, pl.hired_on) hp ON true
			WHERE pl.status = 'HIRED' AND r.employment_type <> 'INTERNSHIP'
				AND pl.hired_on >= c.entry_on - ` + fmt.Sprint(hireLeadDays) + ` AND pl.hired_on <= ` + today + `
			ORDER BY c.talent_id, pl.hired_on, pl.id
		), members AS (
			SELECT c.talent_id, c.entry_on, c.graduate, c.school_id, c.major,
				extract(year FROM c.entry_on)::int AS year,
				h.placement_id, h.hired_on, h.starting_salary, h.partnership_id, h.partnership_kind,
				h.placement_id IS NOT NULL OR c.status = 'EMPLOYED' AS employed,
				eo.industry, ms.id IS NOT NULL AS in_alliance
			FROM cohort c
			LEFT JOIN hires h ON h.talent_id = c.talent_id
			CROSS JOIN LATERAL (SELECT COALESCE(h.provider_id, CASE WHEN c.status = 'EMPLOYED' THEN c.employer_id END) AS employer_id) e
			LEFT JOIN organization eo ON eo.id = e.employer_id
			-- At most one membership per organization and alliance (its UNIQUE key).
			LEFT JOIN membership ms ON ms.alliance_id = ` + alliance + ` AND ms.organization_id = e.employer_id
				AND ms.joined_on <= COALESCE(h.hired_on, ` + today + `)
				AND (ms.left_on IS NULL OR ms.left_on >= COALESCE(h.hired_on, ` + today + `))
		)
		SELECT ` + key.id + ` AS key_id, ` + key.sort.expr + ` AS key_sort, ` + cols + `,
			count(*)::int AS cohort,
			count(*) FILTER (WHERE m.graduate)::int AS graduates,
			count(*) FILTER (WHERE NOT m.graduate)::int AS trainees,
			count(*) FILTER (WHERE m.employed)::int AS employed,
			CASE WHEN count(*) = 0 THEN 0::float8 ELSE (count(*) FILTER (WHERE m.employed))::float8 / count(*) END AS employment_rate,
			count(*) FILTER (WHERE m.employed AND m.in_alliance)::int AS employed_in_alliance,
			count(m.placement_id)::int AS hires,
			count(*) FILTER (WHERE m.partnership_kind = 'ORDER_CLASS')::int AS hired_through_order_class,
			count(*) FILTER (WHERE m.partnership_kind = 'APPRENTICESHIP')::int AS hired_through_apprenticeship,
			CASE WHEN count(m.starting_salary) >= ` + minHires + `
				THEN round((percentile_cont(0.5) WITHIN GROUP (ORDER BY m.starting_salary))::numeric)::int END AS median_starting_salary,
			CASE WHEN count(m.placement_id) >= ` + minHires + `
				THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN m.hired_on IS NOT NULL THEN greatest(m.hired_on - m.entry_on, 0) END)
				END AS median_days_to_hire
		FROM members m` + key.join + groupBy + `) g`
	l.cols = "g.key_id, g.school_id, g.major, g.partnership_id, g.industry, g.year, g.cohort, g.graduates, g.trainees, g.employed, " +
		"g.employment_rate, g.employed_in_alliance, g.hires, g.hired_through_order_class, g.hired_through_apprenticeship, " +
		"g.median_starting_salary, g.median_days_to_hire"
	l.id = "g.key_id"
	return l, nil
}

func outcomeID(o *Outcome) int64 { return o.KeyID }

// EmploymentOutcomes lists a period's employment outcomes, one row per group.
func (s *Store) EmploymentOutcomes(ctx context.Context, f OutcomeFilter, o Order, p Page) (Result[Outcome], error) {
	l, err := outcomeList(f, o)
	if err != nil {
		return Result[Outcome]{}, err
	}
	return page(ctx, s, "employment outcomes", l, p, outcomeID)
}

// CountEmploymentOutcomes counts the groups EmploymentOutcomes lists.
func (s *Store) CountEmploymentOutcomes(ctx context.Context, f OutcomeFilter) (int, error) {
	l, err := outcomeList(f, Order{})
	if err != nil {
		return 0, err
	}
	n, err := count(ctx, s, "employment outcomes", l)
	if err != nil {
		return 0, fmt.Errorf("count employment outcomes of alliance %d: %w", f.Alliance, err)
	}
	return n, nil
}

// HirePartnerships says, for each of the hired placements among ids, the order class or
// apprenticeship it came through (hire_partnership); placements that came through none,
// or are not hired, are absent.
func (s *Store) HirePartnerships(ctx context.Context, ids []int64) (map[int64]int64, error) {
	var rows []struct {
		Placement   int64 `db:"placement_id"`
		Partnership int64 `db:"partnership_id"`
	}
	if err := s.selectRows(ctx, &rows, `
		SELECT pl.id AS placement_id, hp.partnership_id
		FROM placement pl
		JOIN resource r ON r.id = pl.opening_id
		JOIN talent t ON t.id = pl.talent_id
		CROSS JOIN LATERAL hire_partnership(r.provider_id, t.school_id, r.alliance_id, pl.hired_on) hp
		WHERE pl.id = ANY($1) AND pl.status = 'HIRED'`, int64Array(ids)); err != nil {
		return nil, fmt.Errorf("read the partnerships of hires %v: %w", ids, err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.Placement] = r.Partnership
	}
	return out, nil
}
