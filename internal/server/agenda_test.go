package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const calendarQuery = `query($from: DateTime!, $to: DateTime!, $kinds: [CalendarEntryKind!], $org: ID, $cancelled: Boolean, $first: Int, $after: String) {
	calendar(from: $from, to: $to, kinds: $kinds, organization: $org, includeCancelled: $cancelled, first: $first, after: $after) {
		totalCount pageInfo { hasNextPage endCursor }
		edges { node { uid kind title { en zh } start end allDay cancelled tentative sequence
			organization { id } facility { id provider { id } } course { id } booking { id } competition { heldOn } secondment { state provider { id } } } }
	}
}`

type calendarEntry struct {
	UID, Kind, Start, End string
	Title                 struct{ En, Zh string }
	AllDay, Cancelled     bool
	Tentative             bool
	Sequence              int
	Organization          *struct{ ID string }
	Facility              *struct {
		ID       string
		Provider struct{ ID string }
	}
	Course, Booking *struct{ ID string }
	Competition     *struct{ HeldOn string }
	Secondment      *struct {
		State    string
		Provider struct{ ID string }
	}
}

type calendarPage struct {
	Calendar struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct{ Node calendarEntry }
	}
}

func readCalendarPage(t *testing.T, ts *testServer, v auth.Viewer, vars map[string]any) calendarPage {
	t.Helper()
	r := ts.queryAs(t, v, calendarQuery, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("calendar: %+v", r.Errors)
	}
	var out calendarPage
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// allEntries walks a calendar window page by page.
func allEntries(t *testing.T, ts *testServer, v auth.Viewer, vars map[string]any, size int) (entries []calendarEntry, total int) {
	t.Helper()
	vars["first"] = size
	for {
		p := readCalendarPage(t, ts, v, vars)
		total = p.Calendar.TotalCount
		for _, e := range p.Calendar.Edges {
			entries = append(entries, e.Node)
		}
		if !p.Calendar.PageInfo.HasNextPage {
			return entries, total
		}
		vars["after"] = *p.Calendar.PageInfo.EndCursor
	}
}

// demoWeeks is the window of the demo's class meetings: the four weeks after its day.
func demoWeeks() map[string]any {
	return map[string]any{"from": demoDay.Format(time.RFC3339), "to": demoDay.Add(28 * 24 * time.Hour).Format(time.RFC3339)}
}

func kindsOf(entries []calendarEntry) map[string]int {
	n := map[string]int{}
	for _, e := range entries {
		n[e.Kind]++
	}
	return n
}

func TestTheCalendarListsCoursesMeetingsAndCompetitionsInOrder(t *testing.T) {
	ts := newServer(t)
	entries, total := allEntries(t, ts, analyst, demoWeeks(), 37)
	if len(entries) != total || total == 0 {
		t.Fatalf("walked %d entries of %d", len(entries), total)
	}
	kinds := kindsOf(entries)
	if kinds["COURSE"] == 0 || kinds["CLASS_MEETING"] == 0 || kinds["SECONDMENT"] == 0 {
		t.Errorf("the demo's weeks hold %v: want courses, class meetings and secondments", kinds)
	}
	seen := map[string]bool{}
	for i, e := range entries {
		if seen[e.UID] {
			t.Errorf("%s listed twice", e.UID)
		}
		seen[e.UID] = true
		if i > 0 && e.Start < entries[i-1].Start {
			t.Errorf("%s starts at %s, before the entry ahead of it (%s)", e.UID, e.Start, entries[i-1].Start)
		}
		if e.End <= demoWeeks()["from"].(string) || e.Start >= demoWeeks()["to"].(string) {
			t.Errorf("%s (%s to %s) is outside the window", e.UID, e.Start, e.End)
		}
		switch e.Kind {
		case "CLASS_MEETING":
			if e.Booking == nil || e.Facility == nil || e.Organization == nil || e.AllDay {
				t.Errorf("a class meeting names its booking, facility and member, at a time of day: %+v", e)
			}
			// A course shared with named members only is not the analyst's to see: nor
			// is its title.
			if e.Course == nil && e.Title.En != "Class meeting" {
				t.Errorf("a meeting of a course the caller may not see bears a title: %+v", e)
			}
		case "SECONDMENT":
			if e.Secondment == nil || e.Organization == nil || !e.AllDay || e.Tentative != (e.Secondment.State == "REQUESTED") {
				t.Errorf("a secondment names its secondment and requester, for whole days, tentative while requested: %+v", e)
			}
		case "COURSE":
			if e.Course == nil || e.Organization == nil || !e.AllDay || e.Booking != nil {
				t.Errorf("a course entry names the course and its provider, for whole days: %+v", e)
			}
		}
		if e.Cancelled {
			t.Errorf("%s is cancelled, but cancelled entries were not asked for", e.UID)
		}
	}
	// An administrator sees every course, and every meeting's title.
	admin := auth.Viewer{Role: auth.RoleAdmin, Subject: "admin"}
	all, _ := allEntries(t, ts, admin, demoWeeks(), 100)
	hiddenFromAnalyst := 0
	for _, e := range entries {
		if e.Kind == "CLASS_MEETING" && e.Course == nil {
			hiddenFromAnalyst++
		}
	}
	for _, e := range all {
		if e.Kind == "CLASS_MEETING" && (e.Course == nil || e.Title.En == "Class meeting") {
			t.Errorf("an administrator does not see a meeting's course: %+v", e)
		}
	}
	if hiddenFromAnalyst == 0 {
		t.Error("every meeting's course is the analyst's to see: the demo proves nothing of hidden titles")
	}

	// Competitions: the demo's year holds editions held and to come.
	year := map[string]any{"from": "2026-01-01T00:00:00+08:00", "to": "2026-12-31T00:00:00+08:00", "kinds": []string{"COMPETITION"}}
	comps, _ := allEntries(t, ts, auth.Viewer{}, year, 100)
	if len(comps) == 0 {
		t.Fatal("no competitions in the demo's year")
	}
	for _, c := range comps {
		if c.Competition == nil || !c.AllDay || c.Title.Zh == "" || !strings.HasPrefix(c.Start, c.Competition.HeldOn[:4]) {
			t.Errorf("a competition entry: %+v", c)
		}
	}
}

func TestBookingsOnTheCalendarAreForSignedInCallers(t *testing.T) {
	ts := newServer(t)
	anonymous, _ := allEntries(t, ts, auth.Viewer{}, demoWeeks(), 100)
	signedIn, _ := allEntries(t, ts, analyst, demoWeeks(), 100)
	if k := kindsOf(anonymous); k["CLASS_MEETING"]+k["FACILITY_BOOKING"]+k["SECONDMENT"] != 0 || k["COURSE"] == 0 {
		t.Errorf("anonymous callers see %v: courses, no bookings nor secondments", k)
	}
	if k := kindsOf(signedIn); k["CLASS_MEETING"] == 0 || k["SECONDMENT"] == 0 {
		t.Errorf("an analyst sees %v: want class meetings and secondments", k)
	}
}

func TestAnOrganizationsCalendarHoldsOnlyWhatItHoldsOrHosts(t *testing.T) {
	ts := newServer(t)
	all, _ := allEntries(t, ts, analyst, demoWeeks(), 100)
	var org string
	for _, e := range all {
		if e.Kind == "CLASS_MEETING" {
			org = e.Organization.ID
			break
		}
	}
	if org == "" {
		t.Fatal("no class meeting in the demo's weeks")
	}
	vars := demoWeeks()
	vars["org"] = org
	mine, total := allEntries(t, ts, analyst, vars, 100)
	if total == 0 || total >= len(all) {
		t.Fatalf("the member's calendar holds %d of %d entries", total, len(all))
	}
	for _, e := range mine {
		hosts := e.Facility != nil && e.Facility.Provider.ID == org || e.Secondment != nil && e.Secondment.Provider.ID == org
		if (e.Organization == nil || e.Organization.ID != org) && !hosts {
			t.Errorf("%s is neither held nor hosted by %s: %+v", e.UID, org, e)
		}
	}
	if k := kindsOf(mine); k["COMPETITION"] != 0 {
		t.Errorf("a member that organizes no competition holds competitions: %v", k)
	}
}

func TestACalendarsWindowAndArgumentsAreChecked(t *testing.T) {
	ts := newServer(t)
	at := demoDay.Format(time.RFC3339)
	for _, c := range []struct {
		vars     map[string]any
		argument string
	}{
		{map[string]any{"from": at, "to": at}, "to"},
		{map[string]any{"from": at, "to": demoDay.Add(367 * 24 * time.Hour).Format(time.RFC3339)}, "to"},
		{map[string]any{"from": at, "to": demoDay.Add(24 * time.Hour).Format(time.RFC3339), "org": relay.ID(relay.TypeSkill, 1)}, "organization"},
	} {
		r := ts.queryAs(t, analyst, calendarQuery, c.vars)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["argument"] != c.argument {
			t.Errorf("%v: %+v, want BAD_USER_INPUT naming %s", c.vars, r.Errors, c.argument)
		}
	}
}

func TestTheCalendarTakesStatementsIndependentOfPageSize(t *testing.T) {
	ts := newServer(t)
	q := `query($first: Int!, $from: DateTime!, $to: DateTime!) { calendar(from: $from, to: $to, first: $first) { totalCount pageInfo { hasNextPage }
		edges { cursor node { uid title { en } organization { id } facility { id } course { id } booking { id purpose } competition { level }
			secondment { id state } } } } }`
	year := map[string]any{"from": demoDay.Add(-300 * 24 * time.Hour).Format(time.RFC3339), "to": demoDay.Add(28 * 24 * time.Hour).Format(time.RFC3339)}
	// The page, its count, then one batch each of organizations, resources (facilities
	// and courses), bookings, competitions and secondments.
	const bound = 7
	for _, n := range []int{3, 100} {
		year["first"] = n
		if got := statementsAs(t, ts, analyst, q, year); got > bound {
			t.Errorf("a page of %d entries took %d statements, want at most %d", n, got, bound)
		}
	}
	if k := kindsOf(func() []calendarEntry {
		e, _ := allEntries(t, ts, analyst, map[string]any{"from": year["from"], "to": year["to"]}, 100)
		return e
	}()); k["COMPETITION"] == 0 || k["CLASS_MEETING"] == 0 || k["COURSE"] == 0 || k["SECONDMENT"] == 0 {
		t.Errorf("the window holds %v: the count proves little without every kind", k)
	}
}

// getCalendar fetches /calendar.ics with query parameters and parses it with a
// maintained iCalendar reader.
func getCalendar(t *testing.T, ts *testServer, params url.Values) (*http.Response, *goical.Calendar) {
	t.Helper()
	resp, err := http.Get(ts.URL + "/calendar.ics?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Logf("%s: %d %s", params.Encode(), resp.StatusCode, body)
		return resp, nil
	}
	if !strings.HasSuffix(string(body), "END:VCALENDAR\r\n") {
		t.Errorf("the feed does not end with END:VCALENDAR and CRLF")
	}
	cal, err := goical.NewDecoder(strings.NewReader(string(body))).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v", err)
	}
	return resp, cal
}

func uidsOf(t *testing.T, cal *goical.Calendar) []string {
	var out []string
	for _, ev := range cal.Events() {
		uid, err := ev.Props.Text("UID")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, uid)
	}
	slices.Sort(out)
	return out
}

func TestTheICalendarFeedServesTheCalendarsEntries(t *testing.T) {
	ts := newServer(t)
	window := url.Values{"from": {demoDay.Format(time.RFC3339)}, "to": {demoDay.Add(14 * 24 * time.Hour).Format(time.RFC3339)}}
	for _, v := range []auth.Viewer{{}, analyst} {
		params := url.Values{"from": window["from"], "to": window["to"]}
		if !v.Anonymous() {
			params.Set("token", ts.token(t, v))
		}
		resp, cal := getCalendar(t, ts, params)
		if resp.StatusCode != http.StatusOK || cal == nil {
			t.Fatalf("%q: status %d", v.Role, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		// The same entries as the GraphQL calendar, under the same UIDs (cancelled ones
		// too: the feed lists them so that applications remove them).
		entries, _ := allEntries(t, ts, v, map[string]any{"from": window.Get("from"), "to": window.Get("to"), "cancelled": true}, 100)
		var want []string
		for _, e := range entries {
			want = append(want, e.UID)
		}
		slices.Sort(want)
		if got := uidsOf(t, cal); !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("%q: the feed's UIDs (%d) differ from the calendar's (%d)", v.Role, len(got), len(want))
		}
	}
	// In Chinese, one kind.
	params := url.Values{"from": window["from"], "to": window["to"], "kinds": {"COURSE"}, "lang": {"zh"}}
	_, cal := getCalendar(t, ts, params)
	if cal == nil || len(cal.Events()) == 0 {
		t.Fatal("no courses in Chinese")
	}
	for _, ev := range cal.Events() {
		summary, _ := ev.Props.Text("SUMMARY")
		if cat, _ := ev.Props.Text("CATEGORIES"); cat != "COURSE" || !strings.ContainsRune(summary, '培') && !strings.ContainsFunc(summary, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("a Chinese course feed holds %q (%s)", summary, cat)
		}
	}
}

func TestTheICalendarFeedRefusesBadParametersAsJSON(t *testing.T) {
	ts := newServer(t)
	for _, c := range []struct {
		params url.Values
		status int
		code   string
	}{
		{url.Values{"kinds": {"COURSE,PARTY"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{url.Values{"from": {"yesterday"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{url.Values{"from": {"2026-01-01"}, "to": {"2027-06-01"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{url.Values{"organization": {"nope"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{url.Values{"lang": {"fr"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{url.Values{"token": {"not-a-token"}}, http.StatusUnauthorized, "UNAUTHENTICATED"},
	} {
		resp, err := http.Get(ts.URL + "/calendar.ics?" + c.params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Errors []gqlError
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != c.status || err != nil || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != c.code {
			t.Errorf("%s: %d %+v (%v), want %d %s", c.params.Encode(), resp.StatusCode, body.Errors, err, c.status, c.code)
		}
	}
	if strings.Contains(ts.logText(), "not-a-token") {
		t.Error("the request log holds the token")
	}
}

func TestAFeedUpdatesACancelledBookingUnderItsUID(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	var made bookingPayload
	mutate(t, ts, memberOf(b.school), bookFacility, b.input(b.at, b.at.Add(2*time.Hour), nil), "bookFacility", &made)
	if made.FacilityBooking == nil {
		t.Fatal("not booked")
	}
	params := url.Values{"from": {b.at.Add(-time.Hour).Format(time.RFC3339)}, "to": {b.at.Add(3 * time.Hour).Format(time.RFC3339)},
		"kinds": {"FACILITY_BOOKING"}, "token": {ts.token(t, memberOf(b.school))}}
	event := func() (uid, status string, sequence int) {
		t.Helper()
		_, cal := getCalendar(t, ts, params)
		if cal == nil || len(cal.Events()) != 1 {
			t.Fatalf("want the one booking in the feed")
		}
		ev := cal.Events()[0]
		uid, _ = ev.Props.Text("UID")
		status, _ = ev.Props.Text("STATUS")
		sequence, _ = ev.Props.Get("SEQUENCE").Int()
		return uid, status, sequence
	}
	uid, status, seq := event()
	if status != "CONFIRMED" || seq != 0 {
		t.Errorf("the new booking: %s %s %d", uid, status, seq)
	}
	if errs, gqlErrs := mutate(t, ts, memberOf(b.school), cancelBooking, map[string]any{"id": made.FacilityBooking.ID, "version": 1}, "cancelFacilityBooking", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("cancel: %v %v", errs, gqlErrs)
	}
	again, status, seq := event()
	if again != uid || status != "CANCELLED" || seq != 1 {
		t.Errorf("after cancelling: %s %s %d, want %s CANCELLED 1", again, status, seq, uid)
	}
	// The GraphQL calendar lists it only when cancelled entries are asked for.
	vars := map[string]any{"from": params.Get("from"), "to": params.Get("to"), "kinds": []string{"FACILITY_BOOKING"}}
	if p := readCalendarPage(t, ts, memberOf(b.school), vars); p.Calendar.TotalCount != 0 {
		t.Errorf("a cancelled booking is listed without includeCancelled")
	}
	vars["cancelled"] = true
	if p := readCalendarPage(t, ts, memberOf(b.school), vars); p.Calendar.TotalCount != 1 || !p.Calendar.Edges[0].Node.Cancelled || p.Calendar.Edges[0].Node.UID != uid {
		t.Errorf("with includeCancelled: %+v", p.Calendar)
	}
}

func TestACompetitionSpansItsDaysAndItsDeadlineIsAnEntryOfItsOwn(t *testing.T) {
	ts := newServer(t)
	const q = `query($from: DateTime!, $to: DateTime!, $org: ID) {
		calendar(from: $from, to: $to, kinds: [COMPETITION, REGISTRATION_DEADLINE], organization: $org, first: 100) {
			totalCount
			edges { node { uid kind title { en zh } start end allDay organization { id }
				competition { id startsOn endsOn registrationDeadline organizer { id } } } }
		}
	}`
	type entry struct {
		UID, Kind, Start, End string
		Title                 struct{ En, Zh string }
		AllDay                bool
		Organization          *struct{ ID string }
		Competition           *struct {
			ID, StartsOn, EndsOn string
			RegistrationDeadline *string
			Organizer            *struct{ ID string }
		}
	}
	read := func(vars map[string]any) []entry {
		t.Helper()
		r := ts.queryAs(t, auth.Viewer{}, q, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("calendar: %+v", r.Errors)
		}
		var out struct {
			Calendar struct {
				TotalCount int
				Edges      []struct{ Node entry }
			}
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		if out.Calendar.TotalCount != len(out.Calendar.Edges) {
			t.Fatalf("%d entries of %d", len(out.Calendar.Edges), out.Calendar.TotalCount)
		}
		entries := make([]entry, len(out.Calendar.Edges))
		for i, e := range out.Calendar.Edges {
			entries[i] = e.Node
		}
		return entries
	}
	midnight := func(day string, plus int) string {
		d, err := time.ParseInLocation(time.DateOnly, day, time.FixedZone("CST", 8*3600))
		if err != nil {
			t.Fatal(err)
		}
		return d.AddDate(0, 0, plus).UTC().Format(time.RFC3339)
	}
	year := map[string]any{"from": demoDay.Format(time.RFC3339), "to": demoDay.Add(365 * 24 * time.Hour).Format(time.RFC3339)}
	entries := read(year)
	kinds, multiDay := map[string]int{}, 0
	for _, e := range entries {
		kinds[e.Kind]++
		c := e.Competition
		if c == nil || !e.AllDay {
			t.Fatalf("%s names no competition or is not whole days: %+v", e.UID, e)
		}
		switch e.Kind {
		case "COMPETITION":
			if e.Start != midnight(c.StartsOn, 0) || e.End != midnight(c.EndsOn, 1) {
				t.Errorf("%s runs %s to %s, want its days %s to %s", e.UID, e.Start, e.End, c.StartsOn, c.EndsOn)
			}
			if c.StartsOn != c.EndsOn {
				multiDay++
			}
		case "REGISTRATION_DEADLINE":
			if c.RegistrationDeadline == nil || e.Start != midnight(*c.RegistrationDeadline, 0) || e.End != midnight(*c.RegistrationDeadline, 1) {
				t.Errorf("%s is not the day of its edition's deadline: %+v", e.UID, e)
			}
			if !strings.Contains(e.Title.Zh, "报名截止") || !strings.HasPrefix(e.Title.En, "Registration closes") {
				t.Errorf("%s reads %+v", e.UID, e.Title)
			}
		}
		if (c.Organizer == nil) != (e.Organization == nil) || c.Organizer != nil && c.Organizer.ID != e.Organization.ID {
			t.Errorf("%s's organization is not its edition's organizer: %+v", e.UID, e)
		}
	}
	if kinds["COMPETITION"] == 0 || kinds["REGISTRATION_DEADLINE"] == 0 || multiDay == 0 {
		t.Fatalf("the demo's coming year holds %v (%d over several days): want editions over their days and their deadlines", kinds, multiDay)
	}

	// The city's bureau organizes the city competition: its calendar holds the edition and
	// its deadline, and nothing it does not organize.
	hrss := orgNamed(t, "Shenyang Human Resources and Social Security Bureau")
	year["org"] = hrss
	mine := read(year)
	got := map[string]int{}
	for _, e := range mine {
		got[e.Kind]++
		if e.Organization == nil || e.Organization.ID != hrss {
			t.Errorf("%s is on the bureau's calendar but not organized by it: %+v", e.UID, e)
		}
	}
	if got["COMPETITION"] == 0 || got["REGISTRATION_DEADLINE"] == 0 {
		t.Errorf("the bureau's calendar holds %v: want the city competition and its deadline", got)
	}
}
