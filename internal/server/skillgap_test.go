package server_test

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// gapRow is one skill's figures, as the oracle computes them and as the API returns them.
type gapRow struct {
	Code          string  `db:"code"`
	Category      string  `db:"category"`
	ID            int64   `db:"id"`
	Demand        float64 `db:"demand"`
	OpenPositions int     `db:"open_positions"`
	Openings      int     `db:"openings"`
	CourseSeats   int     `db:"course_seats"`
	FreeSeats     int     `db:"free_seats"`
	Courses       int     `db:"courses"`
	CourseSupply  float64 `db:"course_supply"`
	Talents       int     `db:"talents"`
	TalentSupply  float64 `db:"talent_supply"`
	Supply        float64
	Gap           float64
}

func (g gapRow) String() string {
	return fmt.Sprintf("%s demand %v (%d positions, %d openings) supply %v (%d seats, %d free, %d courses, %d talents) gap %v",
		g.Code, g.Demand, g.OpenPositions, g.Openings, g.Supply, g.CourseSeats, g.FreeSeats, g.Courses, g.Talents, g.Gap)
}

// gapOracle computes every skill's demand and supply on the day today straight from the
// tables: open openings (posted in the period) not past their closing date, courses
// overlapping the period (not ended without one), of which only those not yet started
// have free seats, talents available for work holding the skill, read from talent_skill
// itself. Only resources shared with all count unless seeAll.
func gapOracle(t *testing.T, db *pgtest.Database, from, to *string, seeAll bool, today string) []gapRow {
	t.Helper()
	var rows []gapRow
	if err := db.DB.Select(&rows, `
		SELECT k.code, k.category, k.id,
			COALESCE((SELECT sum((r.positions - r.filled) * rs.level) FROM resource r JOIN resource_skill rs ON rs.resource_id = r.id
				WHERE rs.skill_id = k.id AND r.category = 'JOB_OPENING' AND r.opening_status = 'OPEN' AND r.withdrawn_on IS NULL
				AND ($3 OR r.shared_with_all) AND r.shared_on >= COALESCE($1::date, '-infinity') AND r.shared_on <= COALESCE($2::date, 'infinity')
				AND COALESCE(r.closes_on, 'infinity') >= $4::date), 0) AS demand,
			COALESCE((SELECT sum(r.positions - r.filled) FROM resource r JOIN resource_skill rs ON rs.resource_id = r.id
				WHERE rs.skill_id = k.id AND r.category = 'JOB_OPENING' AND r.opening_status = 'OPEN' AND r.withdrawn_on IS NULL
				AND ($3 OR r.shared_with_all) AND r.shared_on >= COALESCE($1::date, '-infinity') AND r.shared_on <= COALESCE($2::date, 'infinity')
				AND COALESCE(r.closes_on, 'infinity') >= $4::date), 0) AS open_positions,
			(SELECT count(*) FROM resource r JOIN resource_skill rs ON rs.resource_id = r.id
				WHERE rs.skill_id = k.id AND r.category = 'JOB_OPENING' AND r.opening_status = 'OPEN' AND r.withdrawn_on IS NULL
				AND ($3 OR r.shared_with_all) AND r.shared_on >= COALESCE($1::date, '-infinity') AND r.shared_on <= COALESCE($2::date, 'infinity')
				AND COALESCE(r.closes_on, 'infinity') >= $4::date) AS openings,
			COALESCE(c.seats, 0) AS course_seats, COALESCE(c.free, 0) AS free_seats, COALESCE(c.n, 0) AS courses, COALESCE(c.supply, 0) AS course_supply,
			(SELECT count(*) FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
				WHERE ts.skill_id = k.id AND t.status IN ('STUDENT', 'TRAINEE', 'JOB_SEEKING')) AS talents,
			COALESCE((SELECT sum(ts.level) FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
				WHERE ts.skill_id = k.id AND t.status IN ('STUDENT', 'TRAINEE', 'JOB_SEEKING')), 0) AS talent_supply
		FROM skill k LEFT JOIN LATERAL (
			SELECT sum(r.seats) AS seats, count(*) AS n, sum(r.seats * rs.level) AS supply,
				sum(CASE WHEN COALESCE(r.starts_on, 'infinity') > $4::date AND COALESCE(r.ends_on, 'infinity') >= $4::date THEN r.seats - r.enrolled ELSE 0 END) AS free
			FROM resource r JOIN resource_skill rs ON rs.resource_id = r.id
			WHERE rs.skill_id = k.id AND r.category = 'TRAINING_COURSE' AND r.withdrawn_on IS NULL AND ($3 OR r.shared_with_all)
				AND CASE WHEN $1::date IS NULL AND $2::date IS NULL THEN COALESCE(r.ends_on, 'infinity') >= $4::date
					ELSE COALESCE(r.ends_on, 'infinity') >= COALESCE($1::date, '-infinity') AND COALESCE(r.starts_on, '-infinity') <= COALESCE($2::date, 'infinity') END
		) c ON true`, from, to, seeAll, today); err != nil {
		t.Fatalf("gap oracle: %v", err)
	}
	for i := range rows {
		r := &rows[i]
		r.Supply = r.CourseSupply + r.TalentSupply
		if r.Demand+r.Supply > 0 {
			r.Gap = (r.Demand - r.Supply) / (r.Demand + r.Supply)
		}
	}
	return rows
}

func TestSkillGapComparesDemandWithSupplyPerSkill(t *testing.T) {
	ts := startConfiguredServer(t, testDB, onRuleDay)
	from, to := "2026-10-01", "2026-11-30" // the two months before demoDay: openings posted then are still open
	byField := map[string]func(g gapRow) float64{
		"GAP": func(g gapRow) float64 { return g.Gap }, "DEMAND": func(g gapRow) float64 { return g.Demand },
		"SUPPLY": func(g gapRow) float64 { return g.Supply }, "SHORTFALL": func(g gapRow) float64 { return g.Demand - g.Supply },
	}
	tests := []struct {
		name       string
		viewer     auth.Viewer
		from, to   *string
		field, dir string
		categories []string
		codes      []string
		minGap     *float64
		pageSize   int
		minDemand  *float64
	}{
		{"by gap, biggest first, by default, now", auth.Viewer{}, nil, nil, "", "", nil, nil, nil, 7, nil},
		{"over a period", auth.Viewer{}, &from, &to, "GAP", "DESC", nil, nil, nil, 5, nil},
		{"from a date on", admin, &from, nil, "DEMAND", "ASC", nil, nil, nil, 9, nil},
		{"by supply for an administrator", admin, nil, nil, "SUPPLY", "DESC", nil, nil, nil, 10, nil},
		{"by shortfall, with a minimum gap", auth.Viewer{}, &from, &to, "SHORTFALL", "DESC", nil, nil, ptrTo(-0.9), 4, nil},
		{"by code in some categories", auth.Viewer{}, nil, nil, "CODE", "ASC", []string{"MANUFACTURING", "DIGITAL"}, nil, nil, 3, nil},
		{"some skills by code", auth.Viewer{}, &from, &to, "GAP", "ASC", nil, []string{"MFG.WELD", "GEN.SAFE", "AUT.ELEC", "NOPE"}, nil, 2, nil},
		{"only skills in demand, by gap", auth.Viewer{}, nil, nil, "GAP", "DESC", nil, nil, nil, 6, ptrTo(1.0)},
		{"skills with much demand over a period", admin, &from, &to, "SUPPLY", "ASC", nil, nil, nil, 4, ptrTo(20.0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := gapOracle(t, testDB, tt.from, tt.to, tt.viewer.Role == auth.RoleAdmin, ruleDay)
			var want []gapRow
			for _, g := range all {
				if (tt.categories == nil || slices.Contains(tt.categories, g.Category)) &&
					(tt.codes == nil || slices.Contains(tt.codes, g.Code)) && (tt.minGap == nil || g.Gap >= *tt.minGap) &&
					(tt.minDemand == nil || g.Demand >= *tt.minDemand) {
					want = append(want, g)
				}
			}
			field, desc := tt.field, tt.dir != "ASC"
			if field == "" {
				field = "GAP"
			}
			slices.SortFunc(want, func(a, b gapRow) int {
				c := 0
				if field == "CODE" {
					c = strings.Compare(a.Code, b.Code)
				} else {
					c = cmp.Compare(byField[field](a), byField[field](b))
				}
				if c == 0 {
					c = cmp.Compare(a.ID, b.ID)
				}
				if desc {
					return -c
				}
				return c
			})
			if !slices.ContainsFunc(want, func(g gapRow) bool { return g.Demand > 0 }) || !slices.ContainsFunc(want, func(g gapRow) bool { return g.Supply > 0 }) {
				t.Fatal("the oracle finds no demand or no supply; the case tests little")
			}

			filter := map[string]any{}
			if tt.from != nil || tt.to != nil {
				filter["period"] = map[string]any{"from": tt.from, "to": tt.to}
			}
			if tt.categories != nil {
				filter["categories"] = tt.categories
			}
			if tt.codes != nil {
				filter["codes"] = tt.codes
			}
			if tt.minGap != nil {
				filter["minGap"] = *tt.minGap
			}
			if tt.minDemand != nil {
				filter["minDemand"] = *tt.minDemand
				if len(want) == len(all) {
					t.Fatal("the minimum demand leaves out no skill; the case tests little")
				}
			}
			vars := map[string]any{"filter": filter, "n": tt.pageSize}
			if tt.field != "" {
				vars["order"] = map[string]any{"field": tt.field, "direction": tt.dir}
			}
			var got []gapRow
			total := -1
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("paging does not end")
				}
				var out struct {
					SkillGap struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								Skill                                                             struct{ Code string }
								Demand, Supply, Gap                                               float64
								OpenPositions, Openings, CourseSeats, FreeSeats, Courses, Talents int
							}
						}
						PageInfo struct {
							HasNextPage bool
							EndCursor   *string
						}
					}
				}
				dataAs(t, ts, tt.viewer, `query($filter: SkillGapFilter, $order: SkillGapOrder, $n: Int, $after: String) {
					skillGap(filter: $filter, orderBy: $order, first: $n, after: $after) {
						totalCount
						edges { node { skill { code } demand openPositions openings supply courseSeats freeSeats courses talents gap } }
						pageInfo { hasNextPage endCursor } } }`, vars, &out)
				if total < 0 {
					total = out.SkillGap.TotalCount
				}
				for _, e := range out.SkillGap.Edges {
					n := e.Node
					got = append(got, gapRow{Code: n.Skill.Code, Demand: n.Demand, OpenPositions: n.OpenPositions, Openings: n.Openings,
						Supply: n.Supply, CourseSeats: n.CourseSeats, FreeSeats: n.FreeSeats, Courses: n.Courses, Talents: n.Talents, Gap: n.Gap})
				}
				if !out.SkillGap.PageInfo.HasNextPage {
					break
				}
				vars["after"] = out.SkillGap.PageInfo.EndCursor
			}
			if total != len(want) {
				t.Errorf("totalCount = %d, want %d", total, len(want))
			}
			if len(got) != len(want) {
				t.Fatalf("got %d skills, want %d", len(got), len(want))
			}
			for i := range want {
				w := want[i]
				w.ID, w.Category, w.CourseSupply, w.TalentSupply = 0, "", 0, 0
				if got[i].String() != w.String() || math.Abs(got[i].Gap-w.Gap) > 1e-12 {
					t.Errorf("skill %d:\n got %s\nwant %s", i, got[i], w)
				}
			}
		})
	}
}

func TestSkillGapTalentSupplyFollowsTalentChanges(t *testing.T) {
	db := writeDB
	check := func(when string) {
		t.Helper()
		n := sqlIntIn(t, db, `SELECT count(*) FROM (
			SELECT t.alliance_id, ts.skill_id, count(*) AS talents, sum(ts.level) AS levels
			FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
			WHERE t.status IN ('STUDENT', 'TRAINEE', 'JOB_SEEKING') GROUP BY 1, 2
			EXCEPT SELECT alliance_id, skill_id, talents, levels FROM skill_talent_supply WHERE talents > 0) d`)
		m := sqlIntIn(t, db, `SELECT count(*) FROM skill_talent_supply s WHERE talents <> (
			SELECT count(*) FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
			WHERE t.status IN ('STUDENT', 'TRAINEE', 'JOB_SEEKING') AND ts.skill_id = s.skill_id AND t.alliance_id = s.alliance_id)`)
		if n != 0 || m != 0 {
			t.Errorf("%s: the talent supply differs from talent_skill for %d and %d skills", when, n, m)
		}
	}
	check("as loaded")
	var student, employed int64
	if err := db.DB.Get(&student, `SELECT t.id FROM talent t WHERE status = 'STUDENT' AND EXISTS (SELECT 1 FROM talent_skill WHERE talent_id = t.id) ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := db.DB.Get(&employed, `SELECT t.id FROM talent t WHERE status = 'EMPLOYED' AND EXISTS (SELECT 1 FROM talent_skill WHERE talent_id = t.id) ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	unheld := int64(sqlIntIn(t, db, `SELECT id FROM skill WHERE id NOT IN (SELECT skill_id FROM talent_skill WHERE talent_id = $1) ORDER BY id LIMIT 1`, student))
	held := int64(sqlIntIn(t, db, `SELECT skill_id FROM talent_skill WHERE talent_id = $1 ORDER BY skill_id LIMIT 1`, student))
	heldLevel := sqlIntIn(t, db, `SELECT level FROM talent_skill WHERE talent_id = $1 AND skill_id = $2`, student, held)
	t.Cleanup(func() {
		mustExec(t, db, `UPDATE talent SET status = 'STUDENT' WHERE id = $1`, student)
		mustExec(t, db, `UPDATE talent SET status = 'EMPLOYED' WHERE id = $1`, employed)
		mustExec(t, db, `DELETE FROM talent_skill WHERE talent_id = $1 AND skill_id = $2`, student, unheld)
		mustExec(t, db, `UPDATE talent_skill SET level = $3 WHERE talent_id = $1 AND skill_id = $2`, student, held, heldLevel)
		check("after restoring")
	})
	mustExec(t, db, `INSERT INTO talent_skill (talent_id, skill_id, level) VALUES ($1, $2, 3)`, student, unheld)
	check("after a skill was added")
	mustExec(t, db, `UPDATE talent_skill SET level = 5 WHERE talent_id = $1 AND skill_id = $2`, student, held)
	check("after a level changed")
	mustExec(t, db, `UPDATE talent SET status = 'EMPLOYED' WHERE id = $1`, student)
	check("after a student found work")
	mustExec(t, db, `UPDATE talent SET status = 'JOB_SEEKING' WHERE id = $1`, employed)
	check("after an employee started looking")
	mustExec(t, db, `UPDATE talent SET status = 'STUDENT' WHERE id = $1`, student)
	mustExec(t, db, `DELETE FROM talent_skill WHERE talent_id = $1 AND skill_id = $2`, student, unheld)
	check("after a skill was removed")
}

func TestSkillGapRejectsBadArguments(t *testing.T) {
	ts := newServer(t)
	var page struct {
		SkillGap struct{ Edges []struct{ Cursor string } }
	}
	ts.data(t, `{ skillGap(first: 1) { edges { cursor } } }`, nil, &page)
	if len(page.SkillGap.Edges) == 0 {
		t.Fatal("no skill gap to take a cursor from")
	}
	tests := []struct {
		name, query string
		vars        map[string]any
		argument    string
		contains    string
	}{
		{"gap below -1", `{ skillGap(filter: {minGap: -1.5}) { totalCount } }`, nil, "filter.minGap", "between -1 and 1"},
		{"negative demand", `{ skillGap(filter: {minDemand: -1}) { totalCount } }`, nil, "filter.minDemand", "0 or more"},
		{"reversed period", `{ skillGap(filter: {period: {from: "2026-06-01", to: "2026-01-01"}}) { totalCount } }`, nil, "filter.period", "ends"},
		{"page too large", `{ skillGap(first: 500) { totalCount } }`, nil, "first", "at most 100"},
		{"cursor of another order", `query($c: String) { skillGap(after: $c, orderBy: {field: DEMAND}) { totalCount } }`, map[string]any{"c": page.SkillGap.Edges[0].Cursor}, "after", "sorted by GAP:DESC"},
		{"not an alliance", `{ skillGap(alliance: "xyz") { totalCount } }`, nil, "alliance", "not the ID of an alliance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.query(t, tt.query, tt.vars)
			if len(r.Errors) != 1 {
				t.Fatalf("got errors %+v, want 1", r.Errors)
			}
			e := r.Errors[0]
			if e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["argument"] != tt.argument {
				t.Errorf("got code %v argument %v, want BAD_USER_INPUT %s (%s)", e.Extensions["code"], e.Extensions["argument"], tt.argument, e.Message)
			}
			if !strings.Contains(e.Message, tt.contains) {
				t.Errorf("message %q does not contain %q", e.Message, tt.contains)
			}
		})
	}
}

// The skill gap is kept between requests (analysts' dashboards ask for the same ranking
// again and again), but never past a change: the next request after a new opening
// counts it.
func TestSkillGapIsKeptUntilTheNextChange(t *testing.T) {
	ts := newWriteServer(t)
	var skill struct {
		ID   int64  `db:"id"`
		Code string `db:"code"`
	}
	if err := ts.db.DB.Get(&skill, "SELECT id, code FROM skill ORDER BY id LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	const q = `query($codes: [String!]) { skillGap(filter: {codes: $codes}) { edges { node { openings openPositions } } } }`
	vars := map[string]any{"codes": []string{skill.Code}}
	demand := func() (openings, positions int) {
		t.Helper()
		var got struct {
			SkillGap struct {
				Edges []struct {
					Node struct{ Openings, OpenPositions int }
				}
			}
		}
		ts.data(t, q, vars, &got)
		if len(got.SkillGap.Edges) != 1 {
			t.Fatalf("%d gaps for one code", len(got.SkillGap.Edges))
		}
		return got.SkillGap.Edges[0].Node.Openings, got.SkillGap.Edges[0].Node.OpenPositions
	}
	openings, positions := demand()
	var (
		mu   sync.Mutex
		sent []string
	)
	trace := func(q string, _ []any) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, q)
	}
	ts.trace.Store(&trace)
	demand()
	ts.trace.Store(nil)
	mu.Lock()
	defer mu.Unlock()
	for _, stmt := range sent {
		if strings.Contains(stmt, "skill_talent_supply") {
			t.Errorf("asking again computed the gap again: %.80s…", stmt)
		}
	}
	if len(sent) != 2 {
		t.Errorf("asking again took %d statements; want 2 (the alliance and the event log's position)", len(sent))
	}
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY founded_on, id LIMIT 1")
	company := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 1")
	if ue, errs := mutate(t, ts, admin, postOpening, map[string]any{"allianceId": alliance, "providerId": company,
		"title": map[string]any{"en": "Skill gap probe", "zh": "技能缺口探针"}, "positions": 3, "employmentType": "FULL_TIME",
		"requiredSkills": []map[string]any{{"skillId": relay.ID(relay.TypeSkill, skill.ID), "level": 2}}}, "postJobOpening", nil); len(ue)+len(errs) > 0 {
		t.Fatalf("post opening: %+v %+v", ue, errs)
	}
	if o, p := demand(); o != openings+1 || p != positions+3 {
		t.Errorf("after a new opening of 3 positions: %d openings, %d positions; want %d and %d", o, p, openings+1, positions+3)
	}
}
