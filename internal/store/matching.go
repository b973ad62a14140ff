package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// Matching scores a talent against a job opening by weighted coverage: every required
// skill weighs its required level r and is covered min(held, r)/r, so the score is
// sum(min(held, r)) / sum(r). Both sums are integers, which keeps scores exact: the same
// talent and opening always give the same float, so scores can serve as keyset cursors.

// MatchFilter selects the talents matched to an opening.
type MatchFilter struct {
	Statuses []TalentStatus
	MinScore float64
}

// OpeningMatchFilter selects the openings recommended to a talent. Today is the day
// the openings must still take applications on, by their closing date.
type OpeningMatchFilter struct {
	Scope    Scope
	Today    time.Time
	MinScore float64
}

// Match is a talent's fit with an opening, or an opening's with a talent: the score and,
// per required skill of the opening (by skill code), the level required and held (0 when
// lacking).
type Match struct {
	Keyset
	// OtherID is the matched talent (for an opening's matches) or opening (for a talent's).
	OtherID  int64         `db:"other_id"`
	Score    float64       `db:"score"`
	Skills   pq.Int64Array `db:"skills"`
	Required pq.Int64Array `db:"required"`
	Held     pq.Int64Array `db:"held"`
}

func matchID(m *Match) int64 { return m.OtherID }

// matchDetails lists an opening's required skills by code with a talent's levels in them;
// opening and talent are SQL expressions.
func matchDetails(opening, talent string) string {
	return `SELECT array_agg(rq.skill_id ORDER BY k.code) AS skills, array_agg(rq.level ORDER BY k.code) AS required,
		array_agg(COALESCE(h.level, 0) ORDER BY k.code) AS held
	FROM resource_skill rq JOIN skill k ON k.id = rq.skill_id
	LEFT JOIN talent_skill h ON h.talent_id = ` + talent + ` AND h.skill_id = rq.skill_id
	WHERE rq.resource_id = ` + opening
}

// afterKey splits a forward page's cursor into its score and id, or NULLs.
func afterKey(p Page) (any, any, error) {
	if p.After == nil {
		return nil, nil, nil
	}
	score, err := strconv.ParseFloat(p.After.Sort, 64)
	if err != nil {
		return nil, nil, errcode.BadInput("after", "is not a cursor issued by this API") // a forged one: its score is no number
	}
	return score, p.After.ID, nil
}

func statusArray(s []TalentStatus) any {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return pq.StringArray(out)
}

// eligibleTalent is the condition a talent (SQL expression) meets to be matched to the
// opening parent.id: same alliance as the opening (q.alliance_id), in one of the statuses
// ($2, or any when NULL), not hired for the opening already.
const eligibleTalent = `EXISTS (SELECT 1 FROM talent t WHERE t.id = %[1]s AND t.alliance_id = q.alliance_id AND ($2::text[] IS NULL OR t.status = ANY($2)))
	AND NOT EXISTS (SELECT 1 FROM placement p WHERE p.opening_id = parent.id AND p.talent_id = %[1]s AND p.status = 'HIRED')`

// openingShape gives, per opening, its alliance, the total weight w of its requirement,
// the highest required level top and a skill required at that level (the driver).
const openingShape = `SELECT o.alliance_id, sum(rs.level)::int AS w, max(rs.level)::int AS top,
		(array_agg(rs.skill_id ORDER BY rs.level DESC, rs.skill_id))[1] AS driver,
		array_agg(rs.skill_id ORDER BY rs.skill_id) AS skills, array_agg(rs.level::int ORDER BY rs.skill_id) AS levels
	FROM resource o JOIN resource_skill rs ON rs.resource_id = o.id
	WHERE o.id = parent.id GROUP BY o.alliance_id`

// heldSum is sum(min(held, required)) of the talent %s over the opening's required
// skills q.skills at levels q.levels: one range of the talent's own skills in
// talent_skill's primary key.
const heldSum = `(SELECT COALESCE(sum(LEAST(h.level, q.levels[array_position(q.skills, h.skill_id)])), 0)
	FROM talent_skill h WHERE h.talent_id = %s AND h.skill_id = ANY(q.skills))`

// OpeningMatches ranks, for each opening, the talents by score (then id), both
// descending, one page per opening, in one statement.
//
// Summing the coverage of every holder of a popular skill and sorting them costs
// hundreds of milliseconds at scale (150,000 talents for one opening), so the ranking
// is read in layers of deficit d = sum(r) - sum(min(held, r)), best first: a talent
// with deficit d < top (the highest required level) must hold the driver skill at
// level top - d or more, so that layer walks only those holders, in descending talent
// order, and stops as soon as the page is full. Talents with deficit top or more have no
// such necessary skill; one aggregate over all holders serves them, and it runs only
// when the layers before it leave the page short.
func (s *Store) OpeningMatches(ctx context.Context, openings []int64, f MatchFilter, p Page) (map[int64]Result[Match], error) {
	afterScore, afterID, err := afterKey(p)
	if err != nil {
		return nil, err
	}
	var rows []Match
	if err := s.selectRows(ctx, &rows, openingMatchesSQL(p.Limit+1), int64Array(openings), statusArray(f.Statuses), f.MinScore, afterScore, afterID); err != nil {
		return nil, fmt.Errorf("match talents to %d openings: %w", len(openings), err)
	}
	return rankMatches(rows, openings, p), nil
}

// openingMatchesSQL reads up to n matches per opening: $1 the openings, $2 the statuses
// (NULL for any), $3 the minimum score, $4 and $5 the score and talent of the cursor
// (NULL for the first page).
//
// The outer LIMIT stops the UNION ALL as soon as n rows came out, which is what keeps
// the expensive aggregate from running when the layers suffice; rows arrive layer by
// layer but rankMatches establishes the final order itself. Levels run from 1 to 5, so
// there are at most 5 layers: the LIMIT 5 tells the planner so. Each layer's "held =
// w - d" is written as a range because the planner takes an equality on a computed value
// for nearly never true, prices each layer's walk as a full scan, and past 100,000 cost
// units switches on JIT compilation, which alone takes 70 ms here.
func openingMatchesSQL(n int) string {
	eligible := fmt.Sprintf(eligibleTalent, "ts.talent_id")
	return fmt.Sprintf(`SELECT parent.id AS keyset_parent, (c.held::float8 / q.w)::text AS keyset_sort,
		c.talent_id AS other_id, c.held::float8 / q.w AS score, det.skills, det.required, det.held
	FROM unnest($1::bigint[]) AS parent(id)
	CROSS JOIN LATERAL (%[1]s) q
	CROSS JOIN LATERAL (
		SELECT * FROM (
			SELECT m.talent_id, q.w - d.deficit AS held
			FROM (SELECT * FROM generate_series(GREATEST(0, q.w - COALESCE(round($4::float8 * q.w)::int, q.w)), q.top - 1) LIMIT 5) AS d(deficit)
			CROSS JOIN LATERAL (
				SELECT ts.talent_id FROM talent_skill ts
				CROSS JOIN LATERAL (SELECT %[2]s AS held OFFSET 0) hs
				WHERE ts.skill_id = q.driver AND ts.level >= q.top - d.deficit
					AND (q.w - d.deficit)::float8 / q.w >= $3
					AND ($4::float8 IS NULL OR d.deficit > q.w - round($4::float8 * q.w)::int OR ts.talent_id < $5::bigint)
					AND hs.held >= q.w - d.deficit AND hs.held < q.w - d.deficit + 1
					AND %[3]s
				ORDER BY ts.talent_id DESC LIMIT %[4]d
			) m
		) layers
		UNION ALL
		SELECT * FROM (
			SELECT a.talent_id, a.held FROM (
				SELECT ts.talent_id, sum(LEAST(ts.level, rq.level))::int AS held
				FROM resource_skill rq JOIN talent_skill ts ON ts.skill_id = rq.skill_id
				WHERE rq.resource_id = parent.id GROUP BY ts.talent_id
				HAVING sum(LEAST(ts.level, rq.level)) BETWEEN 1 AND q.w - q.top
					AND sum(LEAST(ts.level, rq.level))::float8 / q.w >= $3
					AND ($4::float8 IS NULL OR (sum(LEAST(ts.level, rq.level))::int, ts.talent_id) < (round($4::float8 * q.w)::int, $5::bigint))
				-- Ranked before the talents are checked, which then stops at the page's end
				-- rather than looking up every holder.
				ORDER BY 2 DESC, 1 DESC OFFSET 0
			) a
			JOIN LATERAL (SELECT a.talent_id) ts ON true
			WHERE %[3]s
			ORDER BY a.held DESC, a.talent_id DESC LIMIT %[4]d
		) rest
		LIMIT %[4]d
	) c
	CROSS JOIN LATERAL (%[5]s) det`,
		openingShape, fmt.Sprintf(heldSum, "ts.talent_id"), eligible, n, matchDetails("parent.id", "c.talent_id"))
}

// rankMatches groups rows by parent in ranking order and cuts the pages.
func rankMatches(rows []Match, parents []int64, p Page) map[int64]Result[Match] {
	slices.SortFunc(rows, func(a, b Match) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		if a.OtherID != b.OtherID {
			if a.OtherID > b.OtherID {
				return -1
			}
			return 1
		}
		return 0
	})
	grouped := make(map[int64][]Match, len(parents))
	for _, r := range rows {
		grouped[r.KeysetParent] = append(grouped[r.KeysetParent], r)
	}
	out := make(map[int64]Result[Match], len(parents))
	for _, parent := range parents {
		out[parent] = finish[Match](grouped[parent], p, matchID)
	}
	return out
}

// CountOpeningMatches counts, per opening, the eligible talents scoring above 0 and at
// least f.MinScore.
func (s *Store) CountOpeningMatches(ctx context.Context, openings []int64, f MatchFilter) (map[int64]int, error) {
	if f.MinScore <= 0 {
		// Every holder of a required skill scores above 0, so the count is of distinct
		// holders, read from talent_skill alone: it carries each talent's alliance and
		// status (migration 00011), and count(DISTINCT) sorts the talent ids, which at
		// scale 100 costs a third of hashing them (96,000 of 144,000 entries).
		q := fmt.Sprintf(`SELECT parent.id AS parent, (
				SELECT count(DISTINCT ts.talent_id) FROM talent_skill ts
				WHERE ts.skill_id = ANY(q.skills) AND ts.alliance_id = q.alliance_id
					AND ($2::text[] IS NULL OR ts.talent_status = ANY($2))
					AND NOT EXISTS (SELECT 1 FROM placement p WHERE p.opening_id = parent.id AND p.talent_id = ts.talent_id AND p.status = 'HIRED')
			) AS n
		FROM unnest($1::bigint[]) AS parent(id) CROSS JOIN LATERAL (%s) q`, openingShape)
		return countRows(ctx, s, "matches of openings", q, openings, int64Array(openings), statusArray(f.Statuses))
	}
	q := fmt.Sprintf(`SELECT parent.id AS parent, (
			SELECT count(*) FROM (
				SELECT ts.talent_id, sum(LEAST(ts.level, rq.level))::int AS held
				FROM resource_skill rq JOIN talent_skill ts ON ts.skill_id = rq.skill_id
				WHERE rq.resource_id = parent.id GROUP BY ts.talent_id
			) a JOIN LATERAL (SELECT a.talent_id) ts ON true
			WHERE a.held::float8 / q.w >= $3 AND %s
		) AS n
	FROM unnest($1::bigint[]) AS parent(id) CROSS JOIN LATERAL (%s) q`, fmt.Sprintf(eligibleTalent, "ts.talent_id"), openingShape)
	return countRows(ctx, s, "matches of openings", q, openings, int64Array(openings), statusArray(f.Statuses), f.MinScore)
}

// recommendedScores defines, for the talents $1, the CTE "held": every open, visible,
// unwithdrawn opening not past its closing date of the talent's alliance requiring a skill the talent holds, with
// its score, minimum score and hired openings left out. Arguments follow in l.
//
// Open openings are few (5,400 of 30,000 at scale 100): their requirements are read once
// for the whole batch of talents, and each talent's skills are joined to them by hash,
// so twenty talents cost about twice what one does.
func recommendedScores(l *list, f OpeningMatchFilter) string {
	visible(l, f.Scope)
	l.where("r.category = 'JOB_OPENING'")
	l.where("r.opening_status = 'OPEN'")
	l.where(openOn("r", l.day(f.Today)))
	l.where("r.alliance_id IN (SELECT alliance_id FROM tt)")
	min := l.arg(f.MinScore)
	return `WITH tt AS MATERIALIZED (SELECT t.id, t.alliance_id FROM talent t WHERE t.id = ANY($1)),
	req AS MATERIALIZED (
		SELECT r.id, r.alliance_id, rs.skill_id, rs.level, sum(rs.level) OVER (PARTITION BY r.id) AS w
		FROM resource r
		-- OFFSET 0 keeps the lookup per opening rather than hashing all of resource_skill.
		CROSS JOIN LATERAL (SELECT rs.skill_id, rs.level::int AS level FROM resource_skill rs WHERE rs.resource_id = r.id OFFSET 0) rs
		WHERE ` + joinAnd(l.conds) + `
	),
	hired AS MATERIALIZED (SELECT p.opening_id, p.talent_id FROM placement p WHERE p.talent_id = ANY($1) AND p.status = 'HIRED'),
	held AS (
		SELECT s.* FROM (
			SELECT tt.id AS talent, q.id AS opening, sum(LEAST(h.level, q.level))::float8 / min(q.w) AS score
			FROM tt JOIN talent_skill h ON h.talent_id = tt.id
			JOIN req q ON q.skill_id = h.skill_id AND q.alliance_id = tt.alliance_id
			GROUP BY 1, 2
		) s
		WHERE s.score >= ` + min + `::float8
			AND NOT EXISTS (SELECT 1 FROM hired WHERE hired.opening_id = s.opening AND hired.talent_id = s.talent)
	)`
}

// RecommendedOpenings ranks, for each talent, the openings by score (then id), both
// descending, one page per talent, in one statement.
func (s *Store) RecommendedOpenings(ctx context.Context, talents []int64, f OpeningMatchFilter, p Page) (map[int64]Result[Match], error) {
	if f.Today.IsZero() {
		return nil, errNoDay("recommend openings")
	}
	afterScore, afterID, err := afterKey(p)
	if err != nil {
		return nil, err
	}
	l := &list{args: []any{int64Array(talents)}}
	with := recommendedScores(l, f)
	keyset := "true"
	if afterScore != nil {
		keyset = "(score, opening) < (" + l.arg(afterScore) + "::float8, " + l.arg(afterID) + "::bigint)"
	}
	q := with + fmt.Sprintf(`,
	ranked AS (
		SELECT held.*, row_number() OVER (PARTITION BY talent ORDER BY score DESC, opening DESC) AS n
		FROM held WHERE %s
	)
	SELECT c.talent AS keyset_parent, c.score::text AS keyset_sort, c.opening AS other_id, c.score,
		det.skills, det.required, det.held
	FROM ranked c CROSS JOIN LATERAL (%s) det
	WHERE c.n <= %d`, keyset, matchDetails("c.opening", "c.talent"), p.Limit+1)
	var rows []Match
	if err := s.selectRows(ctx, &rows, q, l.args...); err != nil {
		return nil, fmt.Errorf("recommend openings to %d talents: %w", len(talents), err)
	}
	return rankMatches(rows, talents, p), nil
}

// CountRecommendedOpenings counts, per talent, the openings RecommendedOpenings ranks.
func (s *Store) CountRecommendedOpenings(ctx context.Context, talents []int64, f OpeningMatchFilter) (map[int64]int, error) {
	if f.Today.IsZero() {
		return nil, errNoDay("count recommended openings")
	}
	l := &list{args: []any{int64Array(talents)}}
	q := recommendedScores(l, f) + `
	SELECT talent AS parent, count(*) AS n FROM held GROUP BY talent`
	return countRows(ctx, s, "recommended openings", q, talents, l.args...)
}

// GapCourseFilter says whose gap to close, which courses the viewer may see, and the day
// (Today) the courses must not have started by.
type GapCourseFilter struct {
	Scope Scope
	Today time.Time
	// Talent is whose gap to close; nil for the opening's whole requirement.
	Talent *int64
	Limit  int
}

// GapCourse is a course closing part of an opening's missing requirement: the missing
// skills it teaches above the held level, with the level it teaches them to.
type GapCourse struct {
	OpeningID int64         `db:"opening_id"`
	CourseID  int64         `db:"course_id"`
	Coverage  float64       `db:"coverage"`
	Skills    pq.Int64Array `db:"skills"`
	Levels    pq.Int64Array `db:"levels"`
}

// GapCourses lists, for each opening, the courses not yet started with free seats,
// visible and in the opening's alliance, that teach missing skills; best coverage first, then by
// id. A required skill r is missing when held below r (held h, 0 without a talent); it
// weighs r, and a course teaching it at level L closes min(1, (min(L, r) - h) / (r - h))
// of it. Coverage is the weighted share closed of the whole missing requirement.
func (s *Store) GapCourses(ctx context.Context, openings []int64, f GapCourseFilter) (map[int64][]GapCourse, error) {
	if f.Today.IsZero() {
		return nil, errNoDay("list gap courses")
	}
	l := &list{args: []any{int64Array(openings)}}
	var talent any
	if f.Talent != nil {
		talent = *f.Talent
	}
	tp := l.arg(talent)
	visible(l, f.Scope)
	l.where("r.category = 'TRAINING_COURSE'")
	l.where("r.alliance_id IN (SELECT alliance_id FROM op)")
	l.where("r.seats > r.enrolled")
	today := l.day(f.Today)
	// A course not yet started has not ended either; the second condition says so to
	// the planner, for its index.
	l.where(notStarted("r", today))
	l.where("COALESCE(r.ends_on, 'infinity') >= " + today)
	// Courses not yet ended are a fraction of all (2,000 of 15,000 at scale 100) and an
	// index finds them: their skills are read once for the whole batch of openings, then
	// joined by hash to each opening's missing skills.
	q := fmt.Sprintf(`WITH op AS MATERIALIZED (SELECT o.id, o.alliance_id FROM resource o WHERE o.id = ANY($1)),
	missing AS MATERIALIZED (
		SELECT op.id AS opening, op.alliance_id, rs.skill_id, rs.level::int AS level, COALESCE(h.level, 0)::int AS held,
			sum(rs.level) OVER (PARTITION BY op.id) AS w
		FROM op JOIN resource_skill rs ON rs.resource_id = op.id
		LEFT JOIN talent_skill h ON h.talent_id = %[1]s::bigint AND h.skill_id = rs.skill_id
		WHERE COALESCE(h.level, 0) < rs.level
	),
	courses AS MATERIALIZED (
		SELECT r.id, r.alliance_id, t.skill_id, t.level FROM resource r
		CROSS JOIN LATERAL (SELECT t.skill_id, t.level::int AS level FROM resource_skill t WHERE t.resource_id = r.id OFFSET 0) t
		WHERE %[2]s
	),
	scored AS (
		SELECT m.opening, c.id AS course,
			sum(m.level * LEAST(1, (LEAST(c.level, m.level) - m.held)::float8 / (m.level - m.held))) / min(m.w) AS coverage,
			array_agg(c.skill_id ORDER BY c.level DESC, k.code) AS skills, array_agg(c.level ORDER BY c.level DESC, k.code) AS levels
		FROM missing m JOIN courses c ON c.skill_id = m.skill_id AND c.alliance_id = m.alliance_id AND c.level > m.held
		JOIN skill k ON k.id = c.skill_id
		GROUP BY 1, 2
	),
	ranked AS (SELECT scored.*, row_number() OVER (PARTITION BY opening ORDER BY coverage DESC, course) AS n FROM scored)
	SELECT opening AS opening_id, course AS course_id, coverage, skills, levels FROM ranked WHERE n <= %[3]d
	ORDER BY opening, n`, tp, joinAnd(l.conds), f.Limit)
	var rows []GapCourse
	if err := s.selectRows(ctx, &rows, q, l.args...); err != nil {
		return nil, fmt.Errorf("list gap courses of %d openings: %w", len(openings), err)
	}
	out := make(map[int64][]GapCourse, len(openings))
	for _, id := range openings {
		out[id] = nil
	}
	for _, r := range rows {
		out[r.OpeningID] = append(out[r.OpeningID], r)
	}
	return out, nil
}
