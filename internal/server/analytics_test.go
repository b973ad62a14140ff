package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const analyticsQuery = `query($a: ID, $p: DateRange) {
	analytics(alliance: $a, period: $p) {
		alliance { id }
		period { from to }
		membersByKind { kind count }
		membersBySchoolLevel { level count }
		membersByIndustry { industry count }
		partnershipsByKind { kind count }
		partnershipsByStatus { status count }
		partnershipsByMonth { month count }
		resourcesByCategory { category count }
		jobsByMonth { month openings positions applications placements }
		competitionResultsByLevel { level results gold silver bronze }
	}
}`

// group is one row of a grouped count: its key (a value or a month) and its figures.
type group struct {
	Key string
	N   []int
}

// countRow decodes a group of any of the analytics' lists.
type countRow struct {
	Kind, Level, Industry, Status, Category, Month       string
	Count, Openings, Positions, Applications, Placements int
	Results, Gold, Silver, Bronze                        int
}

type analyticsAnswer struct {
	Analytics struct {
		Alliance struct{ ID string }
		Period   struct{ From, To *string }

		MembersByKind, MembersBySchoolLevel, MembersByIndustry        []countRow
		PartnershipsByKind, PartnershipsByStatus, PartnershipsByMonth []countRow
		ResourcesByCategory, JobsByMonth, CompetitionResultsByLevel   []countRow
	}
}

// groups flattens the answer into named lists of groups, in the order the API gave.
func (a analyticsAnswer) groups() map[string][]group {
	x := a.Analytics
	lists := map[string][]countRow{
		"membersByKind": x.MembersByKind, "membersBySchoolLevel": x.MembersBySchoolLevel,
		"membersByIndustry": x.MembersByIndustry, "partnershipsByKind": x.PartnershipsByKind,
		"partnershipsByStatus": x.PartnershipsByStatus, "partnershipsByMonth": x.PartnershipsByMonth,
		"resourcesByCategory": x.ResourcesByCategory, "jobsByMonth": x.JobsByMonth,
		"competitionResultsByLevel": x.CompetitionResultsByLevel,
	}
	out := map[string][]group{}
	for name, rows := range lists {
		for _, r := range rows {
			g := group{Key: r.Kind + r.Level + r.Industry + r.Status + r.Category + r.Month, N: []int{r.Count}}
			switch name {
			case "jobsByMonth":
				g.N = []int{r.Openings, r.Positions, r.Applications, r.Placements}
			case "competitionResultsByLevel":
				g.N = []int{r.Results, r.Gold, r.Silver, r.Bronze}
			}
			out[name] = append(out[name], g)
		}
	}
	return out
}

// analyticsOracles are the expected groups, straight from SQL written independently of
// the store: periods as Postgres dateranges (overlap && for what lasts, containment @>
// for what happens on a day), months as to_char text. $1 is the alliance, $2 and $3 the
// period's ends (NULL when open). Each query yields key, figures...
var analyticsOracles = map[string]string{
	"membersByKind": `SELECT o.kind, count(*) FROM membership m, organization o
		WHERE o.id = m.organization_id AND m.alliance_id = $1
		AND daterange(m.joined_on, m.left_on, '[]') && daterange($2::date, $3::date, '[]') GROUP BY 1`,
	"membersBySchoolLevel": `SELECT o.school_level, count(*) FROM membership m, organization o
		WHERE o.id = m.organization_id AND m.alliance_id = $1 AND o.school_level IS NOT NULL
		AND daterange(m.joined_on, m.left_on, '[]') && daterange($2::date, $3::date, '[]') GROUP BY 1`,
	"membersByIndustry": `SELECT o.industry, count(*) FROM membership m, organization o
		WHERE o.id = m.organization_id AND m.alliance_id = $1 AND o.industry IS NOT NULL
		AND daterange(m.joined_on, m.left_on, '[]') && daterange($2::date, $3::date, '[]') GROUP BY 1`,
	"partnershipsByKind": `SELECT kind, count(*) FROM partnership WHERE alliance_id = $1
		AND daterange($2::date, $3::date, '[]') @> CASE WHEN signed_on IS NULL THEN (created_at AT TIME ZONE INTERVAL '+08:00')::date ELSE signed_on END
		GROUP BY 1`,
	"partnershipsByStatus": `SELECT status, count(*) FROM partnership WHERE alliance_id = $1
		AND daterange($2::date, $3::date, '[]') @> CASE WHEN signed_on IS NULL THEN (created_at AT TIME ZONE INTERVAL '+08:00')::date ELSE signed_on END
		GROUP BY 1`,
	"partnershipsByMonth": `SELECT to_char(signed_on, 'YYYY-MM') || '-01', count(*) FROM partnership
		WHERE alliance_id = $1 AND daterange($2::date, $3::date, '[]') @> signed_on GROUP BY 1`,
	"resourcesByCategory": `SELECT category, count(*) FROM resource WHERE alliance_id = $1
		AND daterange(shared_on, withdrawn_on, '[]') && daterange($2::date, $3::date, '[]') GROUP BY 1`,
	"jobsByMonth": `SELECT month, sum(o)::int, sum(pos)::int, sum(a)::int, sum(h)::int FROM (
			SELECT to_char(shared_on, 'YYYY-MM') || '-01' AS month, 1 AS o, positions AS pos, 0 AS a, 0 AS h
			FROM resource WHERE alliance_id = $1 AND category = 'JOB_OPENING' AND daterange($2::date, $3::date, '[]') @> shared_on
			UNION ALL
			SELECT to_char(p.applied_on, 'YYYY-MM') || '-01', 0, 0, 1, 0 FROM placement p JOIN resource r ON r.id = p.opening_id
			WHERE r.alliance_id = $1 AND daterange($2::date, $3::date, '[]') @> p.applied_on
			UNION ALL
			SELECT to_char(p.hired_on, 'YYYY-MM') || '-01', 0, 0, 0, 1 FROM placement p JOIN resource r ON r.id = p.opening_id
			WHERE r.alliance_id = $1 AND daterange($2::date, $3::date, '[]') @> p.hired_on
		) x GROUP BY month`,
	"competitionResultsByLevel": `SELECT competition_level, count(*),
			sum(CASE award WHEN 'GOLD' THEN 1 ELSE 0 END), sum(CASE award WHEN 'SILVER' THEN 1 ELSE 0 END),
			sum(CASE award WHEN 'BRONZE' THEN 1 ELSE 0 END)
		FROM resource WHERE alliance_id = $1 AND category = 'COMPETITION_RESULT'
		AND daterange($2::date, $3::date, '[]') @> awarded_on GROUP BY 1`,
}

// oracleGroups runs one oracle and returns its groups keyed by their key.
func oracleGroups(t *testing.T, db *pgtest.Database, q string, alliance int64, from, to *string) map[string][]int {
	t.Helper()
	rows, err := db.DB.Query(q, alliance, from, to)
	if err != nil {
		t.Fatalf("oracle %q: %v", q, err)
	}
	defer rows.Close()
	out := map[string][]int{}
	for rows.Next() {
		cols, _ := rows.Columns()
		var key string
		n := make([]int, len(cols)-1)
		dest := []any{&key}
		for i := range n {
			dest = append(dest, &n[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out[key] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAnalytics compares every group of an answer with its oracle, and its order with
// the documented one: months in calendar order, other groups from the largest count down,
// ties by key.
func checkAnalytics(t *testing.T, db *pgtest.Database, got analyticsAnswer, alliance int64, from, to *string) (total int) {
	t.Helper()
	groups := got.groups()
	for name, q := range analyticsOracles {
		want := oracleGroups(t, db, q, alliance, from, to)
		have := map[string][]int{}
		for _, g := range groups[name] {
			if _, dup := have[g.Key]; dup {
				t.Errorf("%s: %s appears twice", name, g.Key)
			}
			have[g.Key] = g.N
		}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("%s differs from SQL (-want +got):\n%s", name, diff)
		}
		total += len(want)
		ordered := slices.IsSortedFunc(groups[name], func(a, b group) int {
			if name == "partnershipsByMonth" || name == "jobsByMonth" {
				return cmpString(a.Key, b.Key)
			}
			if a.N[0] != b.N[0] {
				return b.N[0] - a.N[0]
			}
			return cmpString(a.Key, b.Key)
		})
		if !ordered {
			t.Errorf("%s is not in the documented order: %v", name, groups[name])
		}
	}
	return total
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ptr[T any](v T) *T { return &v }

func TestAnalyticsGroupsMatchSQLForEveryKindOfPeriod(t *testing.T) {
	ts := newServer(t)
	alliance := int64(sqlInt(t, "SELECT id FROM alliance ORDER BY founded_on, id LIMIT 1"))
	// Unsigned proposals are dated by their creation, which the demo leaves to now(), on
	// the alliance's day.
	today := calendar.Today(time.Now()).Format(time.DateOnly)
	tests := []struct {
		name     string
		period   map[string]any // nil: no period argument
		from, to *string
		empty    bool // nothing happened in the period
	}{
		{name: "no period"},
		{name: "period without ends", period: map[string]any{}},
		{name: "only from", period: map[string]any{"from": "2025-07-01"}, from: ptr("2025-07-01")},
		{name: "only to", period: map[string]any{"to": "2025-06-30"}, to: ptr("2025-06-30")},
		{name: "both ends", period: map[string]any{"from": "2025-03-01", "to": "2026-02-28"}, from: ptr("2025-03-01"), to: ptr("2026-02-28")},
		{name: "from today, where only proposals are new", period: map[string]any{"from": today}, from: &today},
		{name: "one day", period: map[string]any{"from": "2024-08-17", "to": "2024-08-17"}, from: ptr("2024-08-17"), to: ptr("2024-08-17")},
		{name: "before the alliance", period: map[string]any{"from": "2000-01-01", "to": "2000-12-31"}, from: ptr("2000-01-01"), to: ptr("2000-12-31"), empty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{}
			if tt.period != nil {
				vars["p"] = tt.period
			}
			var got analyticsAnswer
			ts.data(t, analyticsQuery, vars, &got)
			if got.Analytics.Alliance.ID != relay.ID(relay.TypeAlliance, alliance) {
				t.Errorf("alliance = %s, want the first alliance", got.Analytics.Alliance.ID)
			}
			if !cmp.Equal(got.Analytics.Period.From, tt.from) || !cmp.Equal(got.Analytics.Period.To, tt.to) {
				t.Errorf("period = %v..%v, want it as given", got.Analytics.Period.From, got.Analytics.Period.To)
			}
			total := checkAnalytics(t, testDB, got, alliance, tt.from, tt.to)
			if tt.empty != (total == 0) {
				t.Errorf("%d groups in all, want empty = %v", total, tt.empty)
			}
		})
	}
}

// The oracles above would agree with an implementation that ignored periods if the demo
// data did not vary over time; these figures show that each period actually filters.
func TestAnalyticsPeriodsSelectDifferentRows(t *testing.T) {
	ts := newServer(t)
	sum := func(period map[string]any, field, figure string) int {
		var got struct{ Analytics map[string][]map[string]any }
		ts.data(t, fmt.Sprintf(`query($p: DateRange) { analytics(period: $p) { %s { %s } } }`, field, figure), map[string]any{"p": period}, &got)
		n := 0
		for _, g := range got.Analytics[field] {
			n += int(g[figure].(float64))
		}
		return n
	}
	early := map[string]any{"to": "2025-03-31"}
	for _, f := range []struct{ field, figure string }{
		{"membersByKind", "count"}, {"partnershipsByKind", "count"}, {"partnershipsByMonth", "count"},
		{"resourcesByCategory", "count"}, {"jobsByMonth", "openings"}, {"jobsByMonth", "applications"},
		{"jobsByMonth", "placements"}, {"competitionResultsByLevel", "results"},
	} {
		all, part := sum(nil, f.field, f.figure), sum(early, f.field, f.figure)
		if part <= 0 || part >= all {
			t.Errorf("%s.%s: %d up to 2025-03-31 of %d in all; want some but not all", f.field, f.figure, part, all)
		}
	}
}

// Withdrawals change what was on offer: a resource withdrawn on a day counts in periods
// up to that day, not in periods starting after it. The demo withdraws nothing, so this
// withdraws one resource in the database tests may change.
func TestAnalyticsLeaveOutResourcesWithdrawnBeforeThePeriod(t *testing.T) {
	ts := newWriteServer(t)
	var id int64
	var category string
	if err := writeDB.DB.QueryRow(`SELECT id, category FROM resource WHERE withdrawn_on IS NULL AND shared_on < '2025-06-01' ORDER BY id LIMIT 1`).Scan(&id, &category); err != nil {
		t.Fatal(err)
	}
	if _, err := writeDB.DB.Exec(`UPDATE resource SET withdrawn_on = '2025-06-30' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { writeDB.DB.Exec(`UPDATE resource SET withdrawn_on = NULL WHERE id = $1`, id) })
	alliance := int64(ts.sqlInt(t, "SELECT alliance_id FROM resource WHERE id = $1", id))

	counted := map[string]int{}
	for _, from := range []string{"2025-06-30", "2025-07-01"} {
		var got analyticsAnswer
		ts.data(t, analyticsQuery, map[string]any{"a": relay.ID(relay.TypeAlliance, alliance), "p": map[string]any{"from": from}}, &got)
		checkAnalytics(t, writeDB, got, alliance, &from, nil)
		for _, g := range got.Analytics.ResourcesByCategory {
			if g.Category == category {
				counted[from] = g.Count
			}
		}
	}
	if counted["2025-06-30"]-counted["2025-07-01"] != 1 {
		t.Errorf("%s counted %d from its withdrawal day and %d from the day after; want exactly the withdrawn one fewer",
			category, counted["2025-06-30"], counted["2025-07-01"])
	}
}

func TestAnalyticsRejectBadArguments(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name     string
		vars     map[string]any
		code     string
		argument string
	}{
		{"period ending before it starts", map[string]any{"p": map[string]any{"from": "2025-02-01", "to": "2025-01-31"}}, "BAD_USER_INPUT", "period"},
		{"unknown alliance", map[string]any{"a": relay.ID(relay.TypeAlliance, 987654321)}, "NOT_FOUND", ""},
		{"ID of another type", map[string]any{"a": relay.ID(relay.TypeOrganization, 1)}, "BAD_USER_INPUT", "alliance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.query(t, `query($a: ID, $p: DateRange) { analytics(alliance: $a, period: $p) { membersByKind { kind count } } }`, tt.vars)
			if len(r.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", r.Errors)
			}
			e := r.Errors[0]
			if e.Extensions["code"] != tt.code {
				t.Errorf("code = %v, want %s (%s)", e.Extensions["code"], tt.code, e.Message)
			}
			if tt.argument != "" && e.Extensions["argument"] != tt.argument {
				t.Errorf("argument = %v, want %s", e.Extensions["argument"], tt.argument)
			}
			if string(r.Data) != "null" {
				t.Errorf("data = %s, want null", r.Data)
			}
		})
	}
}

// Each group is one statement, sent only when asked for: finding the alliance costs one
// (the first alliance is looked up by date, and then loaded again by id if the query asks
// for it), reading the event log's position one, and every group one more, however many
// groups, months or periods there are; groups asked for again before any change cost none.
func TestAnalyticsIssueOneStatementPerGroupAskedFor(t *testing.T) {
	ts := newServer(t)
	alliance := relay.ID(relay.TypeAlliance, int64(sqlInt(t, "SELECT id FROM alliance ORDER BY founded_on, id LIMIT 1")))
	tests := []struct {
		name   string
		query  string
		vars   map[string]any
		expect int64
	}{
		{"every group, first alliance", analyticsQuery, nil, 1 + 1 + 1 + 9},
		{"every group, named alliance and period", analyticsQuery, map[string]any{"a": alliance, "p": map[string]any{"from": "2025-01-01", "to": "2025-12-31"}}, 1 + 1 + 9},
		{"every group again", analyticsQuery, map[string]any{"a": alliance, "p": map[string]any{"from": "2025-01-01", "to": "2025-12-31"}}, 1 + 1},
		{"one group", `{ analytics(period: {from: "2024-01-01"}) { jobsByMonth { month openings } } }`, nil, 1 + 1 + 1},
		{"no group", `query($a: ID) { analytics(alliance: $a) { period { from } alliance { id } } }`, map[string]any{"a": alliance}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := statementsFor(t, ts, tt.query, tt.vars); n != tt.expect {
				t.Errorf("%d statements, want %d", n, tt.expect)
			}
		})
	}
	if n := statementsFor(t, ts, `{ organizations(first: 1) { totalCount } }`, nil); n == 0 {
		t.Fatal("the statement counter counts nothing")
	}
}

// Every figure belongs to one alliance: a second alliance with its own opening and
// placements (to talents of the first, as a placement allows) changes neither the first
// alliance's figures nor borrows from them.
func TestAnalyticsCountOnlyTheirAlliance(t *testing.T) {
	ts := newWriteServer(t)
	db := writeDB.DB
	var second, company, opening int64
	steps := []struct {
		q    string
		args []any
		into *int64
	}{
		{`INSERT INTO alliance (slug, name_en, name_zh, city, founded_on) VALUES ('analytics-second', 'Second', '第二', 'Dalian', '2030-01-01') RETURNING id`, nil, &second},
		{`INSERT INTO organization (kind, name_en, name_zh, industry) VALUES ('COMPANY', 'Second Co', '第二公司', 'ROBOTICS') RETURNING id`, nil, &company},
		{`INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, positions, filled, opening_status, employment_type)
			VALUES ($1, $2, 'JOB_OPENING', 'Welder', '焊工', '2025-03-01', 4, 1, 'OPEN', 'FULL_TIME') RETURNING id`, []any{&second, &company}, &opening},
	}
	t.Cleanup(func() {
		db.Exec(`DELETE FROM placement WHERE opening_id = $1`, opening)
		db.Exec(`DELETE FROM resource WHERE id = $1`, opening)
		db.Exec(`DELETE FROM organization WHERE id = $1`, company)
		db.Exec(`DELETE FROM alliance WHERE id = $1`, second)
	})
	for _, s := range steps {
		args := make([]any, len(s.args))
		for i, a := range s.args {
			args[i] = *(a.(*int64))
		}
		if err := db.QueryRow(s.q, args...).Scan(s.into); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	if _, err := db.Exec(`INSERT INTO placement (opening_id, talent_id, status, applied_on, hired_on)
		SELECT $1, id, CASE WHEN n = 1 THEN 'HIRED' ELSE 'APPLIED' END, '2025-03-10', CASE WHEN n = 1 THEN date '2025-04-02' END
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM talent ORDER BY id LIMIT 3) x`, opening); err != nil {
		t.Fatal(err)
	}
	first := int64(ts.sqlInt(t, "SELECT id FROM alliance ORDER BY founded_on, id LIMIT 1"))

	for _, alliance := range []int64{first, second} {
		for _, p := range []struct{ from, to *string }{{nil, nil}, {ptr("2025-03-01"), ptr("2025-03-31")}} {
			vars := map[string]any{"a": relay.ID(relay.TypeAlliance, alliance), "p": map[string]any{"from": p.from, "to": p.to}}
			var got analyticsAnswer
			ts.data(t, analyticsQuery, vars, &got)
			checkAnalytics(t, writeDB, got, alliance, p.from, p.to)
			if alliance == second && p.to == nil {
				want := []countRow{{Month: "2025-03-01", Openings: 1, Positions: 4, Applications: 3}, {Month: "2025-04-01", Placements: 1}}
				if diff := cmp.Diff(want, got.Analytics.JobsByMonth); diff != "" {
					t.Errorf("second alliance's jobs (-want +got):\n%s", diff)
				}
			}
		}
	}
}

// Figures are kept between requests, but never past a change: the next request after a
// mutation counts again.
func TestAnalyticsFollowEveryChange(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY founded_on, id LIMIT 1")
	var orgs []int64
	if err := ts.db.DB.Select(&orgs, "SELECT organization_id FROM membership WHERE left_on IS NULL ORDER BY organization_id LIMIT 2"); err != nil || len(orgs) < 2 {
		t.Fatalf("two members: %v %v", orgs, err)
	}
	const q = `{ analytics { partnershipsByKind { kind count } } }`
	total := func() int {
		var got struct {
			Analytics struct {
				PartnershipsByKind []struct{ Count int }
			}
		}
		ts.data(t, q, nil, &got)
		n := 0
		for _, g := range got.Analytics.PartnershipsByKind {
			n += g.Count
		}
		return n
	}
	before := total()
	if n := statementsFor(t, ts, q, nil); n != 2 {
		t.Errorf("asking again took %d statements; want 2 (the alliance and the event log's position)", n)
	}
	ue, errs := mutate(t, ts, memberOf(orgs[0]), `mutation($input: ProposePartnershipInput!) { proposePartnership(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"allianceId": alliance, "title": map[string]any{"en": "Robotics maintenance class", "zh": "机器人维护班"}, "kind": "ORDER_CLASS",
			"participants": []map[string]any{{"organizationId": orgID(orgs[0]), "role": "LEAD"}, {"organizationId": orgID(orgs[1]), "role": "PARTNER"}}},
		"proposePartnership", &partnershipPayload{})
	if len(ue)+len(errs) > 0 {
		t.Fatalf("propose: %+v %+v", ue, errs)
	}
	if after := total(); after != before+1 {
		t.Errorf("after a proposal, %d partnerships; want %d", after, before+1)
	}
}

// job_day (migration 00010) holds, per alliance and day, the applications and hires the
// placements hold: every kind of write keeps it so within its own transaction, and a
// rollback takes the change back with the write.
func TestJobDaysFollowEveryPlacementWrite(t *testing.T) {
	tx, err := writeDB.DB.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// Rows where job_day and the placements disagree, in either direction; days counted
	// down to nothing may stay as zeros.
	const differ = `WITH truth AS (
			SELECT r.alliance_id, d.day, count(*) FILTER (WHERE d.hire = 0) AS applications, count(*) FILTER (WHERE d.hire = 1) AS placements
			FROM (SELECT opening_id, applied_on AS day, 0 AS hire FROM placement
				UNION ALL SELECT opening_id, hired_on, 1 FROM placement WHERE hired_on IS NOT NULL) d
			JOIN resource r ON r.id = d.opening_id GROUP BY 1, 2),
		kept AS (SELECT alliance_id, day, applications::bigint, placements::bigint FROM job_day WHERE applications <> 0 OR placements <> 0)
		SELECT (SELECT count(*) FROM ((TABLE truth EXCEPT TABLE kept) UNION ALL (TABLE kept EXCEPT TABLE truth)) x)
			+ (SELECT count(*) FROM job_day WHERE applications < 0 OR placements < 0)`
	check := func(q sqlRunner, when string) {
		t.Helper()
		var n int
		if err := q.Get(&n, differ); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if n != 0 {
			t.Errorf("%s: job_day differs from the placements on %d days", when, n)
		}
	}
	check(writeDB.DB, "as loaded")
	var second, opening, first int64
	for _, s := range []struct {
		q    string
		into *int64
	}{
		{`INSERT INTO alliance (slug, name_en, name_zh, city, founded_on) VALUES ('job-days', 'Jobs', '工作', 'Dalian', '2030-01-01') RETURNING id`, &second},
		{`INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, positions, filled, opening_status, employment_type)
			SELECT a.id, (SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 1), 'JOB_OPENING', 'Fitter', '钳工', '2025-03-01', 4, 0, 'OPEN', 'FULL_TIME'
			FROM alliance a WHERE a.slug = 'job-days' RETURNING id`, &opening},
		{`SELECT r.id FROM resource r WHERE r.category = 'JOB_OPENING' AND r.alliance_id <> (SELECT id FROM alliance WHERE slug = 'job-days') ORDER BY r.id LIMIT 1`, &first},
	} {
		if err := tx.Get(s.into, s.q); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	both := []any{opening, first}
	steps := []struct {
		name string
		q    string
		args []any
	}{
		{"applications to two alliances' openings in one statement", `INSERT INTO placement (opening_id, talent_id, status, applied_on)
			SELECT CASE WHEN n % 2 = 0 THEN $1 ELSE $2 END, x.id, 'APPLIED', date '2025-03-10' + (n % 3)::int
			FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM talent t
				WHERE NOT EXISTS (SELECT 1 FROM placement p WHERE p.talent_id = t.id AND p.opening_id IN ($1, $2)) ORDER BY id LIMIT 8) x`, both},
		{"hires", `UPDATE placement SET status = 'HIRED', hired_on = applied_on + 20 WHERE opening_id IN ($1, $2)
			AND id IN (SELECT id FROM placement WHERE opening_id IN ($1, $2) ORDER BY id DESC LIMIT 3)`, both},
		{"a withdrawal, which moves no day", `UPDATE placement SET status = 'WITHDRAWN'
			WHERE id = (SELECT min(id) FROM placement WHERE opening_id = $1 AND status = 'APPLIED')`, []any{opening}},
		{"a hire taken back", `UPDATE placement SET status = 'REJECTED', hired_on = NULL, starting_salary = NULL
			WHERE id = (SELECT min(id) FROM placement WHERE opening_id IN ($1, $2) AND status = 'HIRED')`, both},
		{"an application moved to another day", `UPDATE placement SET applied_on = applied_on - 40
			WHERE id = (SELECT max(id) FROM placement WHERE opening_id IN ($1, $2) AND status = 'APPLIED')`, both},
		{"applications moved to the other alliance's opening", `UPDATE placement SET opening_id = $2
			WHERE opening_id = $1 AND talent_id NOT IN (SELECT talent_id FROM placement WHERE opening_id = $2)`, both},
		{"deletions", `DELETE FROM placement WHERE opening_id IN ($1, $2) AND status <> 'HIRED'`, both},
		{"placements truncated", `TRUNCATE placement`, nil},
		{"an application after the truncation", `INSERT INTO placement (opening_id, talent_id, status, applied_on)
			SELECT $1, min(id), 'APPLIED', '2025-05-01' FROM talent`, []any{opening}},
		{"every placement deleted", `DELETE FROM placement`, nil},
	}
	for _, s := range steps {
		res, err := tx.Exec(s.q, s.args...)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 && !strings.Contains(s.q, "TRUNCATE") {
			t.Fatalf("%s changed no placement: the step tests nothing", s.name)
		}
		check(tx, "after "+s.name)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	check(writeDB.DB, "after the rollback")
}

// sqlRunner is a database or a transaction.
type sqlRunner interface {
	Get(dest any, query string, args ...any) error
}
