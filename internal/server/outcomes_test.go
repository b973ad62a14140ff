package server_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// outcomeWorld is what the employment outcomes are computed from, read straight from the
// tables, for the oracle below: it applies the definitions of the contract in Go, talent
// by talent, where the store applies them in one statement.
type outcomeWorld struct {
	alliance     int64
	talents      []oracleTalent
	courses      map[int64][]oracleCourse   // completed courses of the alliance, by talent
	hires        map[int64][]oracleHire     // by talent
	members      map[int64][]oracleMember   // memberships of the alliance, by organization
	industries   map[int64]string           // companies' industries
	partnerships []oraclePartnership        // the alliance's order classes and apprenticeships
	participants map[int64]map[int64]bool   // partnership -> organizations
	joinedLeft   map[string][][2]*time.Time // memberships by kind
}

type oracleTalent struct {
	ID             int64   `db:"id"`
	Status         string  `db:"status"`
	School         *int64  `db:"school_id"`
	Employer       *int64  `db:"employer_id"`
	GraduationYear *int    `db:"graduation_year"`
	Major          *string `db:"major"`
}

type oracleCourse struct {
	Talent int64     `db:"talent_id"`
	EndsOn time.Time `db:"ends_on"`
}

type oracleHire struct {
	ID       int64     `db:"id"`
	Talent   int64     `db:"talent_id"`
	HiredOn  time.Time `db:"hired_on"`
	Salary   *int      `db:"starting_salary"`
	Provider int64     `db:"provider_id"`
	Type     string    `db:"employment_type"`
}

type oracleMember struct {
	Org    int64      `db:"organization_id"`
	Kind   string     `db:"kind"`
	Joined time.Time  `db:"joined_on"`
	Left   *time.Time `db:"left_on"`
}

type oraclePartnership struct {
	ID     int64      `db:"id"`
	Kind   string     `db:"kind"`
	Signed *time.Time `db:"signed_on"`
	Ends   *time.Time `db:"ends_on"`
}

func readOutcomeWorld(t *testing.T, db *pgtest.Database) *outcomeWorld {
	t.Helper()
	w := &outcomeWorld{courses: map[int64][]oracleCourse{}, hires: map[int64][]oracleHire{}, members: map[int64][]oracleMember{},
		industries: map[int64]string{}, participants: map[int64]map[int64]bool{}, joinedLeft: map[string][][2]*time.Time{}}
	get := func(dest any, q string, args ...any) {
		if err := db.DB.Select(dest, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var alliances []int64
	get(&alliances, `SELECT id FROM alliance ORDER BY founded_on, id LIMIT 1`)
	w.alliance = alliances[0]
	get(&w.talents, `SELECT id, status, school_id, employer_id, graduation_year, major FROM talent WHERE alliance_id = $1`, w.alliance)
	var courses []oracleCourse
	get(&courses, `SELECT e.talent_id, r.ends_on FROM enrollment e JOIN resource r ON r.id = e.course_id
		WHERE e.completed AND r.category = 'TRAINING_COURSE' AND r.alliance_id = $1 AND r.ends_on IS NOT NULL`, w.alliance)
	for _, c := range courses {
		w.courses[c.Talent] = append(w.courses[c.Talent], c)
	}
	var hires []oracleHire
	get(&hires, `SELECT p.id, p.talent_id, p.hired_on, p.starting_salary, r.provider_id, r.employment_type
		FROM placement p JOIN resource r ON r.id = p.opening_id WHERE p.status = 'HIRED'`)
	for _, h := range hires {
		w.hires[h.Talent] = append(w.hires[h.Talent], h)
	}
	var members []oracleMember
	get(&members, `SELECT m.organization_id, o.kind, m.joined_on, m.left_on FROM membership m JOIN organization o ON o.id = m.organization_id
		WHERE m.alliance_id = $1`, w.alliance)
	for _, m := range members {
		w.members[m.Org] = append(w.members[m.Org], m)
		w.joinedLeft[m.Kind] = append(w.joinedLeft[m.Kind], [2]*time.Time{&m.Joined, m.Left})
	}
	var companies []struct {
		ID       int64  `db:"id"`
		Industry string `db:"industry"`
	}
	get(&companies, `SELECT id, industry FROM organization WHERE industry IS NOT NULL`)
	for _, c := range companies {
		w.industries[c.ID] = c.Industry
	}
	get(&w.partnerships, `SELECT id, kind, signed_on, ends_on FROM partnership WHERE alliance_id = $1 AND kind IN ('ORDER_CLASS', 'APPRENTICESHIP')`, w.alliance)
	var parts []struct {
		P   int64 `db:"partnership_id"`
		Org int64 `db:"organization_id"`
	}
	get(&parts, `SELECT partnership_id, organization_id FROM partnership_participant`)
	for _, p := range parts {
		if w.participants[p.P] == nil {
			w.participants[p.P] = map[int64]bool{}
		}
		w.participants[p.P][p.Org] = true
	}
	return w
}

// oracleGroup is one group's figures, as the oracle computes them and as the API returns them.
type oracleGroup struct {
	Key                                                       string
	Cohort, Graduates, Trainees, Employed, EmployedInAlliance int
	Hires, OrderClass, Apprenticeship                         int
	EmploymentRate                                            float64
	MedianStartingSalary                                      *int
	MedianDaysToHire                                          *float64
	salaries                                                  []int
	days                                                      []int
}

func within(d time.Time, from, to *time.Time) bool {
	return (from == nil || !d.Before(*from)) && (to == nil || !d.After(*to))
}

func median(v []int) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return float64(v[n/2])
	}
	return float64(v[n/2-1]+v[n/2]) / 2
}

// outcomes computes every group of a grouping ("" for none) for the period, as of today.
func (w *outcomeWorld) outcomes(grouping string, from, to *time.Time, today time.Time) map[string]*oracleGroup {
	groups := map[string]*oracleGroup{}
	if grouping == "" {
		groups["none"] = &oracleGroup{Key: "none"}
	}
	for _, t := range w.talents {
		var entry time.Time
		graduate := false
		if t.School != nil && t.GraduationYear != nil {
			g := time.Date(*t.GraduationYear, 6, 30, 0, 0, 0, 0, time.UTC)
			if within(g, from, to) && !g.After(today) {
				entry, graduate = g, true
			}
		}
		if !graduate {
			for _, c := range w.courses[t.ID] {
				if within(c.EndsOn, from, to) && !c.EndsOn.After(today) && c.EndsOn.After(entry) {
					entry = c.EndsOn
				}
			}
			if entry.IsZero() {
				continue
			}
			if t.School != nil && t.GraduationYear != nil && time.Date(*t.GraduationYear, 6, 30, 0, 0, 0, 0, time.UTC).After(entry) {
				continue // still at school: counted when it graduates
			}
		}
		var hire *oracleHire
		for i, h := range w.hires[t.ID] {
			if h.Type == "INTERNSHIP" || h.HiredOn.Before(entry.AddDate(0, 0, -180)) || h.HiredOn.After(today) {
				continue
			}
			if hire == nil || h.HiredOn.Before(hire.HiredOn) || (h.HiredOn.Equal(hire.HiredOn) && h.ID < hire.ID) {
				hire = &w.hires[t.ID][i]
			}
		}
		employed := hire != nil || t.Status == "EMPLOYED"
		var employer *int64
		day := today
		if hire != nil {
			employer, day = &hire.Provider, hire.HiredOn
		} else if t.Status == "EMPLOYED" {
			employer = t.Employer
		}
		inAlliance := false
		if employer != nil {
			for _, m := range w.members[*employer] {
				if !m.Joined.After(day) && (m.Left == nil || !m.Left.Before(day)) {
					inAlliance = true
				}
			}
		}
		var through *oraclePartnership
		if hire != nil && t.School != nil {
			for i, p := range w.partnerships {
				if p.Signed == nil || p.Signed.After(hire.HiredOn) || (p.Ends != nil && p.Ends.Before(hire.HiredOn)) ||
					!w.participants[p.ID][hire.Provider] || !w.participants[p.ID][*t.School] {
					continue
				}
				if through == nil || p.Signed.After(*through.Signed) || (p.Signed.Equal(*through.Signed) && p.ID < through.ID) {
					through = &w.partnerships[i]
				}
			}
		}
		key := "none"
		switch grouping {
		case "SCHOOL":
			if t.School != nil {
				key = fmt.Sprint("school ", *t.School)
			}
		case "MAJOR":
			if t.Major != nil {
				key = "major " + *t.Major
			}
		case "PARTNERSHIP":
			if through != nil {
				key = fmt.Sprint("partnership ", through.ID)
			}
		case "INDUSTRY":
			if employer != nil && w.industries[*employer] != "" {
				key = "industry " + w.industries[*employer]
			}
		case "YEAR":
			key = fmt.Sprint("year ", entry.Year())
		}
		g := groups[key]
		if g == nil {
			g = &oracleGroup{Key: key}
			groups[key] = g
		}
		g.Cohort++
		if graduate {
			g.Graduates++
		} else {
			g.Trainees++
		}
		if employed {
			g.Employed++
			if inAlliance {
				g.EmployedInAlliance++
			}
		}
		if hire != nil {
			g.Hires++
			if hire.Salary != nil {
				g.salaries = append(g.salaries, *hire.Salary)
			}
			g.days = append(g.days, max(0, int(hire.HiredOn.Sub(entry).Hours()/24)))
		}
		if through != nil && through.Kind == "ORDER_CLASS" {
			g.OrderClass++
		}
		if through != nil && through.Kind == "APPRENTICESHIP" {
			g.Apprenticeship++
		}
	}
	for _, g := range groups {
		if g.Cohort > 0 {
			g.EmploymentRate = float64(g.Employed) / float64(g.Cohort)
		}
		if len(g.salaries) >= policy.MinHiresForMedian {
			m := int(math.Round(median(g.salaries)))
			g.MedianStartingSalary = &m
		}
		if len(g.days) >= policy.MinHiresForMedian {
			m := median(g.days)
			g.MedianDaysToHire = &m
		}
	}
	return groups
}

const outcomesQuery = `query($period: DateRange, $groupBy: OutcomeGrouping, $order: EmploymentOutcomeOrder, $first: Int, $after: String) {
	employmentOutcomes(period: $period, groupBy: $groupBy, orderBy: $order, first: $first, after: $after) {
		totalCount
		pageInfo { hasNextPage endCursor }
		edges { cursor node {
			key { school { id } partnership { id kind } major industry year }
			cohort graduates trainees employed employmentRate employedInAlliance hires
			hiredThroughPartnership hiredThroughOrderClass hiredThroughApprenticeship medianStartingSalary medianDaysToHire
		} }
	}
}`

type apiOutcomes struct {
	EmploymentOutcomes struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Node struct {
				Key struct {
					School      *struct{ ID string }
					Partnership *struct{ ID, Kind string }
					Major       *string
					Industry    *string
					Year        *int
				}
				Cohort, Graduates, Trainees, Employed, EmployedInAlliance, Hires            int
				HiredThroughPartnership, HiredThroughOrderClass, HiredThroughApprenticeship int
				EmploymentRate                                                              float64
				MedianStartingSalary                                                        *int
				MedianDaysToHire                                                            *float64
			}
		}
	}
}

// dataAs runs a query as v that must succeed and decodes its data into out. Outcomes
// past the kept first page are an analyst's question at the default limits.
func (ts *testServer) dataAs(t *testing.T, v auth.Viewer, q string, vars map[string]any, out any) {
	t.Helper()
	r := ts.queryAs(t, v, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("query failed: %+v\nquery: %s\nvariables: %v", r.Errors, q, vars)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// allOutcomes pages through a grouping's outcomes, size a page, and returns the groups in
// order, keyed as the oracle keys them, and the totalCount of each page.
func allOutcomes(t *testing.T, ts *testServer, vars map[string]any, size int) ([]*oracleGroup, []int) {
	t.Helper()
	var out []*oracleGroup
	var totals []int
	vars["first"] = size
	for range 200 {
		var r apiOutcomes
		ts.dataAs(t, analyst, outcomesQuery, vars, &r)
		totals = append(totals, r.EmploymentOutcomes.TotalCount)
		for _, e := range r.EmploymentOutcomes.Edges {
			n := e.Node
			key := "none"
			switch k := n.Key; {
			case k.School != nil:
				_, id, _ := relay.ParseID(k.School.ID)
				key = fmt.Sprint("school ", id)
			case k.Partnership != nil:
				_, id, _ := relay.ParseID(k.Partnership.ID)
				key = fmt.Sprint("partnership ", id)
			case k.Major != nil:
				key = "major " + *k.Major
			case k.Industry != nil:
				key = "industry " + *k.Industry
			case k.Year != nil:
				key = fmt.Sprint("year ", *k.Year)
			}
			if n.HiredThroughPartnership != n.HiredThroughOrderClass+n.HiredThroughApprenticeship {
				t.Errorf("%s: %d hired through a partnership, %d + %d by kind", key, n.HiredThroughPartnership, n.HiredThroughOrderClass, n.HiredThroughApprenticeship)
			}
			if k := n.Key.Partnership; k != nil && (k.Kind == "ORDER_CLASS") != (n.HiredThroughOrderClass == n.Cohort) {
				t.Errorf("%s, an %s, hired %d of %d through an order class", key, k.Kind, n.HiredThroughOrderClass, n.Cohort)
			}
			out = append(out, &oracleGroup{Key: key, Cohort: n.Cohort, Graduates: n.Graduates, Trainees: n.Trainees, Employed: n.Employed,
				EmployedInAlliance: n.EmployedInAlliance, Hires: n.Hires, OrderClass: n.HiredThroughOrderClass, Apprenticeship: n.HiredThroughApprenticeship,
				EmploymentRate: n.EmploymentRate, MedianStartingSalary: n.MedianStartingSalary, MedianDaysToHire: n.MedianDaysToHire})
		}
		if !r.EmploymentOutcomes.PageInfo.HasNextPage {
			return out, totals
		}
		vars["after"] = *r.EmploymentOutcomes.PageInfo.EndCursor
	}
	t.Fatal("paging does not end")
	return nil, nil
}

func TestEmploymentOutcomesAnswerAsTheirDefinitionsSay(t *testing.T) {
	ts := newServer(t)
	w := readOutcomeWorld(t, testDB)
	today := demoDay // the test servers' day
	d := func(s string) *time.Time { v, _ := time.Parse(time.DateOnly, s); return &v }
	var founded time.Time
	if err := testDB.DB.Get(&founded, "SELECT founded_on FROM alliance ORDER BY id LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	periods := []struct {
		name     string
		from, to *time.Time
	}{
		{"ever", nil, nil},
		{"an academic year", d("2025-07-01"), d("2026-06-30")},
		{"since a day", d("2025-06-30"), nil},
		{"until a day", nil, d("2025-06-30")},
	}
	groupings := []string{"", "SCHOOL", "MAJOR", "PARTNERSHIP", "INDUSTRY", "YEAR"}
	orders := map[string]func(a, b *oracleGroup) int{
		"COHORT":          func(a, b *oracleGroup) int { return cmp.Compare(a.Cohort, b.Cohort) },
		"EMPLOYED":        func(a, b *oracleGroup) int { return cmp.Compare(a.Employed, b.Employed) },
		"EMPLOYMENT_RATE": func(a, b *oracleGroup) int { return cmp.Compare(a.EmploymentRate, b.EmploymentRate) },
		"MEDIAN_STARTING_SALARY": func(a, b *oracleGroup) int {
			s := func(g *oracleGroup) int {
				if g.MedianStartingSalary == nil {
					return -1
				}
				return *g.MedianStartingSalary
			}
			return cmp.Compare(s(a), s(b))
		},
	}
	fields := []string{"COHORT", "EMPLOYED", "EMPLOYMENT_RATE", "MEDIAN_STARTING_SALARY"}
	nonEmpty := 0
	for i, p := range periods {
		for j, g := range groupings {
			field := fields[(i+j)%len(fields)]
			dir := []string{"DESC", "ASC"}[(i+j)%2]
			t.Run(fmt.Sprintf("%s by %q, %s %s", p.name, g, field, dir), func(t *testing.T) {
				from := p.from
				if from == nil {
					from = &founded // an open start is the alliance's founding
				}
				want := w.outcomes(g, from, p.to, today)
				vars := map[string]any{"order": map[string]any{"field": field, "direction": dir}}
				period := map[string]any{}
				if p.from != nil {
					period["from"] = p.from.Format(time.DateOnly)
				}
				if p.to != nil {
					period["to"] = p.to.Format(time.DateOnly)
				}
				vars["period"] = period
				if g != "" {
					vars["groupBy"] = g
				}
				got, totals := allOutcomes(t, ts, vars, 7)
				for _, n := range totals {
					if n != len(want) {
						t.Errorf("totalCount %d, want %d", n, len(want))
					}
				}
				byKey := map[string]*oracleGroup{}
				for _, o := range got {
					if byKey[o.Key] != nil {
						t.Errorf("group %s twice", o.Key)
					}
					byKey[o.Key] = o
					if o.Hires < policy.MinHiresForMedian && (o.MedianStartingSalary != nil || o.MedianDaysToHire != nil) {
						t.Errorf("group %s publishes medians of %d hires", o.Key, o.Hires)
					}
				}
				if diff := gocmp.Diff(want, byKey, cmpopts.IgnoreUnexported(oracleGroup{}), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
					t.Errorf("groups (-oracle +API):\n%s", diff)
				}
				less := orders[field]
				for k := 1; k < len(got); k++ {
					c := less(got[k-1], got[k])
					if (dir == "DESC" && c < 0) || (dir == "ASC" && c > 0) {
						t.Errorf("%s before %s, sorted by %s %s", got[k-1].Key, got[k].Key, field, dir)
					}
				}
				if want["none"] != nil && want["none"].Cohort > 0 || len(want) > 1 {
					nonEmpty++
				}
			})
		}
	}
	if nonEmpty < len(periods)*len(groupings)/2 {
		t.Errorf("only %d of the cases had a cohort: the demo proves little", nonEmpty)
	}
}

func TestEmploymentOutcomeArgumentsAreChecked(t *testing.T) {
	ts := newServer(t)
	var first apiOutcomes
	ts.data(t, outcomesQuery, map[string]any{"groupBy": "SCHOOL", "first": 1}, &first)
	cursor := first.EmploymentOutcomes.PageInfo.EndCursor
	if cursor == nil {
		t.Fatal("no school has a cohort")
	}
	for _, tt := range []struct {
		name string
		vars map[string]any
		arg  string
	}{
		{"a period ending before it starts", map[string]any{"period": map[string]any{"from": "2026-01-02", "to": "2026-01-01"}}, "period"},
		{"a cursor of another grouping", map[string]any{"groupBy": "MAJOR", "after": *cursor}, "after"},
		{"a cursor of another order", map[string]any{"groupBy": "SCHOOL", "order": map[string]any{"field": "KEY"}, "after": *cursor}, "after"},
		{"a page too large", map[string]any{"first": 101}, "first"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.queryAs(t, analyst, outcomesQuery, tt.vars)
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["argument"] != tt.arg {
				t.Errorf("errors %+v, want BAD_USER_INPUT naming %s", r.Errors, tt.arg)
			}
		})
	}
	r := ts.query(t, `{ membershipGrowth(interval: MONTH, period: { from: "1990-01-01", to: "2026-01-01" }) { from } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["argument"] != "period" {
		t.Errorf("433 months: errors %+v, want BAD_USER_INPUT naming the period", r.Errors)
	}
}

// The key objects of a page of groups come through the loaders, one statement for all of
// them, whatever the page size: a page of 5 groups (fewer when the demo has few) takes as
// many statements as a page of 50.
func TestEmploymentOutcomeKeysAreLoadedInBatches(t *testing.T) {
	ts := newServerWith(t, loader.DefaultTiming)
	for _, g := range []string{"SCHOOL", "PARTNERSHIP"} {
		// Counted apart, and every request with a period (an empty one: the whole
		// history) so that none is served by the kept first page of another.
		var r apiOutcomes
		ts.dataAs(t, analyst, fmt.Sprintf(`{ employmentOutcomes(groupBy: %s, period: {}, first: 1) { totalCount } }`, g), nil, &r)
		groups := min(r.EmploymentOutcomes.TotalCount, 50)
		if groups < 3 {
			t.Fatalf("by %s: %d groups, too few to tell pages apart", g, groups)
		}
		small := min(5, groups-1)
		q := fmt.Sprintf(`query($n: Int!) { employmentOutcomes(groupBy: %s, period: {}, first: $n) { edges { node { cohort
			key { school { name { en } level } partnership { title { en } kind } } } } } }`, g)
		counts := map[int]int64{}
		for _, n := range []int{small, 50} {
			before := ts.statements.Load()
			var out any
			ts.dataAs(t, analyst, q, map[string]any{"n": n}, &out)
			counts[n] = ts.statements.Load() - before
		}
		if counts[small] != counts[50] {
			t.Errorf("by %s: a page of %d took %d statements, of 50 (%d groups) %d", g, small, counts[small], groups, counts[50])
		}
		// The first alliance, the event log's position, the page, the keys.
		if counts[50] > 4 {
			t.Errorf("by %s: %d statements, want at most 4", g, counts[50])
		}
	}
}

func TestMembershipGrowthAddsUpTheMemberships(t *testing.T) {
	ts := newServer(t)
	w := readOutcomeWorld(t, testDB)
	type kindGrowth struct {
		Kind                 string
		Joined, Left, Active int
	}
	type step struct {
		From, To             string
		Joined, Left, Active int
		ByKind               []kindGrowth
	}
	kinds := []string{"SCHOOL", "COMPANY", "GOVERNMENT_AGENCY", "INDUSTRIAL_PARK"}
	months := map[string]int{"MONTH": 1, "QUARTER": 3, "YEAR": 12}
	for _, tt := range []struct {
		interval string
		from, to string
	}{{"MONTH", "2024-08-17", "2025-02-10"}, {"QUARTER", "2024-01-01", "2026-06-30"}, {"YEAR", "2025-03-15", "2026-11-30"}} {
		t.Run(tt.interval, func(t *testing.T) {
			from, _ := time.Parse(time.DateOnly, tt.from)
			to, _ := time.Parse(time.DateOnly, tt.to)
			var want []step
			m := months[tt.interval]
			for start := time.Date(from.Year(), time.Month((int(from.Month())-1)/m*m+1), 1, 0, 0, 0, 0, time.UTC); !start.After(to); start = start.AddDate(0, m, 0) {
				s, e := start, start.AddDate(0, m, -1)
				if s.Before(from) {
					s = from
				}
				if e.After(to) {
					e = to
				}
				st := step{From: s.Format(time.DateOnly), To: e.Format(time.DateOnly)}
				for _, k := range kinds {
					kg := kindGrowth{Kind: k}
					for _, jl := range w.joinedLeft[k] {
						if within(*jl[0], &s, &e) {
							kg.Joined++
						}
						if jl[1] != nil && within(*jl[1], &s, &e) {
							kg.Left++
						}
						if !jl[0].After(e) && (jl[1] == nil || jl[1].After(e)) {
							kg.Active++
						}
					}
					st.Joined, st.Left, st.Active = st.Joined+kg.Joined, st.Left+kg.Left, st.Active+kg.Active
					st.ByKind = append(st.ByKind, kg)
				}
				want = append(want, st)
			}
			var got struct{ MembershipGrowth []step }
			ts.data(t, fmt.Sprintf(`{ membershipGrowth(interval: %s, period: { from: %q, to: %q }) {
				from to joined left active byKind { kind joined left active } } }`, tt.interval, tt.from, tt.to), nil, &got)
			if diff := gocmp.Diff(want, got.MembershipGrowth); diff != "" {
				t.Errorf("growth (-oracle +API):\n%s", diff)
			}
			joined := 0
			for _, s := range got.MembershipGrowth {
				joined += s.Joined
			}
			if joined == 0 {
				t.Error("nobody joined: the demo proves little")
			}
		})
	}
	// Without a period: from the founding until today.
	var got struct {
		MembershipGrowth []struct{ From, To string }
		Alliances        struct {
			Edges []struct{ Node struct{ FoundedOn string } }
		}
	}
	ts.data(t, `{ membershipGrowth { from to } alliances(first: 1) { edges { node { foundedOn } } } }`, nil, &got)
	steps := got.MembershipGrowth
	if len(steps) == 0 || steps[0].From != got.Alliances.Edges[0].Node.FoundedOn || steps[len(steps)-1].To != demoDay.Format(time.DateOnly) {
		t.Errorf("by default %v, want quarters from the founding (%s) until today", steps, got.Alliances.Edges[0].Node.FoundedOn)
	}
	for i := 1; i < len(steps); i++ {
		if steps[i].From <= steps[i-1].To {
			t.Errorf("step %v does not follow %v", steps[i], steps[i-1])
		}
	}
}

// A talent's major is one of its school's, kept when the school changes only if the new
// school teaches it; a starting salary agreed at hire is read only by those who may see
// the talent's personal data and by the hiring provider.
func TestMajorsFollowTheSchoolAndSalariesStayPersonal(t *testing.T) {
	ts := newWriteServer(t)
	var schools []struct {
		ID     int64          `db:"id"`
		Majors pq.StringArray `db:"majors"`
	}
	if err := writeDB.DB.Select(&schools, `SELECT a.id, a.majors FROM organization a WHERE a.kind = 'SCHOOL' AND cardinality(a.majors) > 0
		AND EXISTS (SELECT 1 FROM organization b WHERE b.kind = 'SCHOOL' AND b.id <> a.id AND NOT b.majors @> ARRAY[a.majors[1]])
		ORDER BY a.id LIMIT 2`); err != nil || len(schools) < 2 {
		t.Fatalf("two schools with majors: %v", err)
	}
	var other int64 // a school that does not teach the first school's first major
	if err := writeDB.DB.Get(&other, `SELECT id FROM organization WHERE kind = 'SCHOOL' AND id <> $1 AND NOT majors @> ARRAY[$2] ORDER BY id LIMIT 1`,
		schools[0].ID, schools[0].Majors[0]); err != nil {
		t.Fatal(err)
	}
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	school := relay.ID(relay.TypeOrganization, schools[0].ID)
	major := schools[0].Majors[0]
	var reg struct {
		Talent struct {
			ID      string
			Version int
			Major   *string
		}
	}
	const talentFields = `talent { id version major } userErrors { field code message }`
	if ue, errs := mutate(t, ts, memberOf(schools[0].ID), `mutation($input: RegisterTalentInput!) { registerTalent(input: $input) { `+talentFields+` } }`,
		map[string]any{"allianceId": alliance, "fullName": "Zhao Lei", "status": "STUDENT", "schoolId": school, "major": major, "graduationYear": 2026},
		"registerTalent", &reg); len(ue)+len(errs) > 0 {
		t.Fatalf("register: %+v %+v", ue, errs)
	}
	if reg.Talent.Major == nil || *reg.Talent.Major != major {
		t.Fatalf("registered with major %v, want %q", reg.Talent.Major, major)
	}
	update := `mutation($input: UpdateTalentInput!) { updateTalent(input: $input) { ` + talentFields + ` } }`
	ue, errs := mutate(t, ts, admin, update, map[string]any{"id": reg.Talent.ID, "version": reg.Talent.Version,
		"schoolId": relay.ID(relay.TypeOrganization, other)}, "updateTalent", nil)
	if len(errs) > 0 || len(ue) != 1 || joinPath(ue[0].Field) != "input.major" || ue[0].Code != "INVALID" {
		t.Errorf("moving to a school without the major: %+v %+v, want INVALID at input.major", ue, errs)
	}
	var upd struct {
		Talent struct {
			Version int
			Major   *string
		}
	}
	if ue, errs := mutate(t, ts, admin, update, map[string]any{"id": reg.Talent.ID, "version": reg.Talent.Version,
		"schoolId": relay.ID(relay.TypeOrganization, other), "major": ""}, "updateTalent", &upd); len(ue)+len(errs) > 0 || upd.Talent.Major != nil {
		t.Errorf("moving and removing the major: %+v %+v, major %v", ue, errs, upd.Talent.Major)
	}

	// A hire with its salary, decided by the opening's provider.
	var pl struct {
		ID, Talent, School, Provider int64
		Version                      int
	}
	if err := writeDB.DB.QueryRow(`SELECT p.id, p.version, p.talent_id, t.school_id, r.provider_id FROM placement p
		JOIN resource r ON r.id = p.opening_id JOIN talent t ON t.id = p.talent_id
		WHERE p.status = 'APPLIED' AND r.shared_with_all AND r.positions > r.filled AND t.school_id IS NOT NULL AND t.employer_id IS NULL
		ORDER BY p.id LIMIT 1`).Scan(&pl.ID, &pl.Version, &pl.Talent, &pl.School, &pl.Provider); err != nil {
		t.Fatal(err)
	}
	id := relay.ID(relay.TypePlacement, pl.ID)
	var hired struct {
		Placement struct {
			Status         string
			StartingSalary *int
		}
	}
	if ue, errs := mutate(t, ts, memberOf(pl.Provider), `mutation($input: UpdatePlacementStatusInput!) { updatePlacementStatus(input: $input) {
		placement { status startingSalary } userErrors { field code message } } }`,
		map[string]any{"id": id, "version": pl.Version, "status": "HIRED", "startingSalary": 6800}, "updatePlacementStatus", &hired); len(ue)+len(errs) > 0 {
		t.Fatalf("hire: %+v %+v", ue, errs)
	}
	if hired.Placement.StartingSalary == nil || *hired.Placement.StartingSalary != 6800 {
		t.Errorf("the provider reads the salary it agreed as %v", hired.Placement.StartingSalary)
	}
	var unrelated int64
	if err := writeDB.DB.Get(&unrelated, `SELECT id FROM organization WHERE id NOT IN ($1, $2) ORDER BY id LIMIT 1`, pl.School, pl.Provider); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		v    auth.Viewer
		sees bool
	}{
		{"the secretariat", admin, true}, {"the provider", memberOf(pl.Provider), true}, {"the talent's school", memberOf(pl.School), true},
		{"an analyst", analyst, false}, {"another member", memberOf(unrelated), false}, {"anonymous", auth.Viewer{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.queryAs(t, tt.v, `query($id: ID!) { node(id: $id) { ... on Placement { status startingSalary } } }`, map[string]any{"id": id})
			var out struct {
				Node struct {
					Status         string
					StartingSalary *int
				}
			}
			if err := json.Unmarshal(r.Data, &out); err != nil {
				t.Fatal(err)
			}
			if out.Node.Status != "HIRED" {
				t.Fatalf("the hire reads %+v, errors %+v", out.Node, r.Errors)
			}
			switch {
			case tt.sees && (out.Node.StartingSalary == nil || *out.Node.StartingSalary != 6800 || len(r.Errors) > 0):
				t.Errorf("reads the salary as %v, errors %+v", out.Node.StartingSalary, r.Errors)
			case !tt.sees && (out.Node.StartingSalary != nil || len(r.Errors) != 1 || (r.Errors[0].Extensions["code"] != "FORBIDDEN" && r.Errors[0].Extensions["code"] != "UNAUTHENTICATED")):
				t.Errorf("reads the salary as %v, errors %+v; want null and FORBIDDEN or UNAUTHENTICATED", out.Node.StartingSalary, r.Errors)
			}
		})
	}
}

// Placement.hiredThrough names the partnership hire_partnership finds, and null for hires
// that came through none.
func TestHiresNameTheOrderClassOrApprenticeshipTheyCameThrough(t *testing.T) {
	ts := newServer(t)
	var rows []struct {
		Placement   int64  `db:"placement"`
		Partnership *int64 `db:"partnership"`
	}
	if err := testDB.DB.Select(&rows, `SELECT pl.id AS placement, hp.partnership_id AS partnership
		FROM placement pl JOIN resource r ON r.id = pl.opening_id JOIN talent t ON t.id = pl.talent_id
		LEFT JOIN LATERAL hire_partnership(r.provider_id, t.school_id, r.alliance_id, pl.hired_on) hp ON true
		WHERE pl.status = 'HIRED' AND r.shared_with_all ORDER BY hp.partnership_id IS NULL, pl.id LIMIT 40`); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || rows[0].Partnership == nil {
		t.Fatal("no hire of the demo came through an order class or apprenticeship")
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = relay.ID(relay.TypePlacement, r.Placement)
	}
	var out struct {
		Nodes []struct {
			HiredThrough *struct {
				ID   string
				Kind string
			}
		}
	}
	ts.data(t, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Placement { hiredThrough { id kind } } } }`, map[string]any{"ids": ids}, &out)
	for i, r := range rows {
		got := out.Nodes[i].HiredThrough
		switch {
		case r.Partnership == nil && got != nil:
			t.Errorf("placement %d came through %s, want none", r.Placement, got.ID)
		case r.Partnership != nil && (got == nil || got.ID != relay.ID(relay.TypePartnership, *r.Partnership) || (got.Kind != "ORDER_CLASS" && got.Kind != "APPRENTICESHIP")):
			t.Errorf("placement %d came through %+v, want partnership %d", r.Placement, got, *r.Partnership)
		}
	}
}

// Without a period, order or cursor, every request for at most 20 groups of a grouping
// reads one kept page: the server computes each grouping at most once per change, which
// is what lets the cost model price them as kept. The pages are cut to what was asked.
func TestTheWholeHistorysFirstGroupsShareOneKeptAnswer(t *testing.T) {
	ts := newServer(t)
	q := `query($n: Int) { employmentOutcomes(groupBy: SCHOOL, first: $n) { pageInfo { hasNextPage endCursor } edges { node { cohort key { school { id } } } } } }`
	first := statementsFor(t, ts, q, map[string]any{"n": 3})
	var pages [3]apiOutcomes
	for i, n := range []any{3, 20, nil} {
		before := ts.statements.Load()
		ts.data(t, q, map[string]any{"n": n}, &pages[i])
		// The alliance, the event log's position and, for the larger pages, the keys not
		// loaded before: no outcomes.
		if got := ts.statements.Load() - before; got > 3 {
			t.Errorf("first %v: %d statements after the first request's %d; the kept page was computed again", n, got, first)
		}
	}
	if len(pages[0].EmploymentOutcomes.Edges) != 3 || !pages[0].EmploymentOutcomes.PageInfo.HasNextPage ||
		len(pages[1].EmploymentOutcomes.Edges) != 20 || len(pages[2].EmploymentOutcomes.Edges) != 20 {
		t.Fatalf("pages of %d (more: %v), %d and %d groups", len(pages[0].EmploymentOutcomes.Edges), pages[0].EmploymentOutcomes.PageInfo.HasNextPage,
			len(pages[1].EmploymentOutcomes.Edges), len(pages[2].EmploymentOutcomes.Edges))
	}
	school := func(r apiOutcomes, i int) string {
		if s := r.EmploymentOutcomes.Edges[i].Node.Key.School; s != nil {
			return s.ID
		}
		return "none"
	}
	for i := range 3 {
		if school(pages[0], i) != school(pages[1], i) {
			t.Errorf("group %d differs between a page of 3 and one of 20", i)
		}
	}
	// The cut page's cursor leads on to the fourth group: a page further on is computed,
	// and priced so, past an anonymous caller's budget.
	var next apiOutcomes
	r := ts.queryAs(t, analyst, `query($after: String) { employmentOutcomes(groupBy: SCHOOL, first: 1, after: $after) { edges { node { key { school { id } } } } } }`,
		map[string]any{"after": *pages[0].EmploymentOutcomes.PageInfo.EndCursor})
	if err := json.Unmarshal(r.Data, &next); err != nil || len(r.Errors) > 0 {
		t.Fatalf("the next page: %v %+v", err, r.Errors)
	}
	if len(next.EmploymentOutcomes.Edges) != 1 || school(next, 0) != school(pages[1], 3) {
		t.Errorf("after the page of 3: %+v, want the fourth group", next.EmploymentOutcomes.Edges)
	}
}
