package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const bookFacility = `mutation($input: BookFacilityInput!) {
	bookFacility(input: $input) {
		facilityBooking { id version start end purpose trainees cancelledAt organization { id } facility { id } }
		userErrors { field message code }
	}
}`

const cancelBooking = `mutation($input: CancelFacilityBookingInput!) {
	cancelFacilityBooking(input: $input) {
		facilityBooking { id version cancelledAt }
		userErrors { field message code }
	}
}`

type bookingPayload struct {
	FacilityBooking *struct {
		ID, Start, End, Purpose string
		Version                 int
		Trainees                *int
		CancelledAt             *string
	}
}

// bookingFixture is a park's facility shared with the alliance, and a school that is
// a member and may book it.
type bookingFixture struct {
	facility, school, park int64
	at                     time.Time // a free hour tomorrow or later, on the hour
}

func newBookingFixture(t *testing.T) bookingFixture {
	t.Helper()
	f := newAuthzFixtures(t)
	b := bookingFixture{school: f.org(t, "SCHOOL"), park: f.org(t, "INDUSTRIAL_PARK")}
	f.membership(t, b.school)
	b.facility = f.resource(t, "TRAINING_FACILITY", b.park)
	// The server's clock reads noon of the demo's day.
	b.at = noonOn(demoDay)().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	return b
}

func (b bookingFixture) input(from, to time.Time, extra map[string]any) map[string]any {
	in := map[string]any{"facilityId": relay.ID(relay.TypeResource, b.facility), "purpose": "CNC class",
		"start": from.Format(time.RFC3339), "end": to.Format(time.RFC3339)}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func TestBookingAFacilityRefusesAnOverlapNamingTheBookingInTheWay(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	school := memberOf(b.school)
	var first bookingPayload
	if errs, gqlErrs := mutate(t, ts, school, bookFacility, b.input(b.at, b.at.Add(2*time.Hour), nil), "bookFacility", &first); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("booking refused: %v %v", errs, gqlErrs)
	}
	if first.FacilityBooking == nil || first.FacilityBooking.Version != 1 {
		t.Fatalf("booking: %+v", first.FacilityBooking)
	}
	// Touching is not overlapping: [10, 12) and [12, 13) both stand.
	if errs, _ := mutate(t, ts, school, bookFacility, b.input(b.at.Add(2*time.Hour), b.at.Add(3*time.Hour), nil), "bookFacility", nil); len(errs) > 0 {
		t.Fatalf("a booking starting when another ends was refused: %v", errs)
	}
	errs, _ := mutate(t, ts, memberOf(b.park), bookFacility, b.input(b.at.Add(time.Hour), b.at.Add(90*time.Minute), nil), "bookFacility", nil)
	if len(errs) != 1 || errs[0].Code != "OVERLAP" || !strings.Contains(errs[0].Message, first.FacilityBooking.ID) || joinPath(errs[0].Field) != "input.start" {
		t.Fatalf("an overlapping booking: %+v, want one OVERLAP naming %s", errs, first.FacilityBooking.ID)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM facility_booking WHERE facility_id = $1`, b.facility); n != 2 {
		t.Errorf("%d bookings written, want 2", n)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = 'FACILITY_BOOKED' AND resource_id = $1`, b.facility); n != 2 {
		t.Errorf("%d FACILITY_BOOKED events, want 2", n)
	}
}

func TestFiftyConcurrentOverlappingBookingsLeaveExactlyOne(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	token := ts.token(t, memberOf(b.school))
	const n = 50
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each asks for a different stretch, all of them covering b.at + 1h.
			from := b.at.Add(time.Duration(i) * time.Minute)
			body, _ := json.Marshal(map[string]any{"query": bookFacility, "variables": map[string]any{"input": b.input(from, from.Add(2*time.Hour), nil)}})
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				codes[i] = err.Error()
				return
			}
			defer res.Body.Close()
			var r struct {
				Data struct {
					BookFacility struct {
						FacilityBooking *struct{ ID string }
						UserErrors      []userError
					}
				}
				Errors []gqlError
			}
			if err := json.NewDecoder(res.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
				codes[i] = fmt.Sprintf("%v %v", err, r.Errors)
				return
			}
			switch p := r.Data.BookFacility; {
			case p.FacilityBooking != nil:
				codes[i] = "BOOKED"
			case len(p.UserErrors) == 1:
				codes[i] = p.UserErrors[0].Code
			default:
				codes[i] = fmt.Sprint(p.UserErrors)
			}
		}()
	}
	wg.Wait()
	tally := map[string]int{}
	for _, c := range codes {
		tally[c]++
	}
	if tally["BOOKED"] != 1 || tally["OVERLAP"] != n-1 {
		t.Errorf("answers %v, want one BOOKED and %d OVERLAP", tally, n-1)
	}
	if got := sqlIntIn(t, writeDB, `SELECT count(*) FROM facility_booking WHERE facility_id = $1`, b.facility); got != 1 {
		t.Errorf("%d bookings stand, want 1", got)
	}
}

func TestARetriedBookingWithItsKeyReturnsTheSameBooking(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	school := memberOf(b.school)
	key := map[string]any{"idempotencyKey": "form-submit-42"}
	var first, again bookingPayload
	mutate(t, ts, school, bookFacility, b.input(b.at, b.at.Add(time.Hour), key), "bookFacility", &first)
	if errs, _ := mutate(t, ts, school, bookFacility, b.input(b.at, b.at.Add(time.Hour), key), "bookFacility", &again); len(errs) > 0 {
		t.Fatalf("the retry was refused: %v", errs)
	}
	if first.FacilityBooking == nil || again.FacilityBooking == nil || first.FacilityBooking.ID != again.FacilityBooking.ID {
		t.Fatalf("the retry made another booking: %+v then %+v", first.FacilityBooking, again.FacilityBooking)
	}
	errs, _ := mutate(t, ts, school, bookFacility, b.input(b.at.Add(3*time.Hour), b.at.Add(4*time.Hour), key), "bookFacility", nil)
	if len(errs) != 1 || errs[0].Code != "DUPLICATE" || joinPath(errs[0].Field) != "input.idempotencyKey" {
		t.Errorf("the key reused for another booking: %+v, want DUPLICATE at input.idempotencyKey", errs)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = 'FACILITY_BOOKED' AND resource_id = $1`, b.facility); n != 1 {
		t.Errorf("%d FACILITY_BOOKED events, want 1", n)
	}
}

func TestBookingInputIsCheckedIntoUserErrorsAndWritesNothing(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	f := newAuthzFixtures(t)
	outsider := f.org(t, "COMPANY") // not a member of the alliance
	hidden := f.resource(t, "TRAINING_FACILITY", b.park)
	authzExec(t, `UPDATE resource SET shared_with_all = false WHERE id = $1`, hidden)
	teacher := f.resource(t, "TEACHER", b.park)
	at := b.at
	cases := []struct {
		name     string
		viewer   auth.Viewer
		input    map[string]any
		field    string
		code     string
		topLevel bool
	}{
		{"end before start", memberOf(b.school), b.input(at, at.Add(-time.Hour), nil), "input.end", "OUT_OF_RANGE", false},
		{"shorter than a quarter of an hour", memberOf(b.school), b.input(at, at.Add(10*time.Minute), nil), "input.end", "OUT_OF_RANGE", false},
		{"in the past", memberOf(b.school), b.input(at.Add(-72*time.Hour), at.Add(-71*time.Hour), nil), "input.start", "OUT_OF_RANGE", false},
		{"no purpose", memberOf(b.school), b.input(at, at.Add(time.Hour), map[string]any{"purpose": "  "}), "input.purpose", "REQUIRED", false},
		{"more trainees than the facility holds", memberOf(b.school), b.input(at, at.Add(time.Hour), map[string]any{"trainees": 11}), "input.trainees", "FULL", false},
		{"a member the facility is not shared with", auth.Viewer{Role: auth.RoleAdmin, Subject: "admin"},
			b.input(at, at.Add(time.Hour), map[string]any{"organizationId": relay.ID(relay.TypeOrganization, outsider)}), "input.organizationId", "INVALID", false},
		{"a facility the member cannot see", memberOf(b.school),
			b.input(at, at.Add(time.Hour), map[string]any{"facilityId": relay.ID(relay.TypeResource, hidden)}), "input.facilityId", "NOT_FOUND", false},
		{"a resource that is no facility", memberOf(b.school),
			b.input(at, at.Add(time.Hour), map[string]any{"facilityId": relay.ID(relay.TypeResource, teacher)}), "input.facilityId", "INVALID", false},
		{"an ADMIN who names no member", auth.Viewer{Role: auth.RoleAdmin, Subject: "admin"}, b.input(at, at.Add(time.Hour), nil), "input.organizationId", "REQUIRED", false},
		{"another member's booking", memberOf(b.school),
			b.input(at, at.Add(time.Hour), map[string]any{"organizationId": relay.ID(relay.TypeOrganization, b.park)}), "", "FORBIDDEN", true},
		{"anonymous", auth.Viewer{}, b.input(at, at.Add(time.Hour), nil), "", "UNAUTHENTICATED", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs, gqlErrs := mutate(t, ts, c.viewer, bookFacility, c.input, "bookFacility", nil)
			if c.topLevel {
				if len(gqlErrs) != 1 || gqlErrs[0].Extensions["code"] != c.code {
					t.Errorf("errors %+v, want %s", gqlErrs, c.code)
				}
			} else if len(errs) != 1 || errs[0].Code != c.code || joinPath(errs[0].Field) != c.field {
				t.Errorf("user errors %+v (errors %+v), want %s at %s", errs, gqlErrs, c.code, c.field)
			}
		})
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM facility_booking WHERE facility_id = ANY($1)`, fmt.Sprintf("{%d,%d,%d}", b.facility, hidden, teacher)); n != 0 {
		t.Errorf("%d bookings written by refused requests", n)
	}
}

const facilityCalendar = `query($id: ID!, $from: DateTime!, $to: DateTime!) {
	node(id: $id) { ... on TrainingFacility {
		bookings(from: $from, to: $to) { totalCount edges { node { id purpose organization { id } } } }
		availability(from: $from, to: $to) { start end minutes }
	} }
}`

type calendarAnswer struct {
	Node struct {
		Bookings struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID, Purpose string } }
		}
		Availability []struct {
			Start, End string
			Minutes    int
		}
	}
}

func readCalendar(t *testing.T, ts *testServer, v auth.Viewer, b bookingFixture) calendarAnswer {
	t.Helper()
	r := ts.queryAs(t, v, facilityCalendar, map[string]any{"id": relay.ID(relay.TypeResource, b.facility),
		"from": b.at.Format(time.RFC3339), "to": b.at.Add(8 * time.Hour).Format(time.RFC3339)})
	if len(r.Errors) > 0 {
		t.Fatalf("calendar: %+v", r.Errors)
	}
	var out calendarAnswer
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAvailabilityIsPublicWhileBookingsAreForSignedInCallers(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	var made bookingPayload
	mutate(t, ts, memberOf(b.school), bookFacility, b.input(b.at.Add(2*time.Hour), b.at.Add(4*time.Hour), nil), "bookFacility", &made)
	if made.FacilityBooking == nil {
		t.Fatal("not booked")
	}
	wantFree := []int{120, 240} // 0–2h and 4–8h of the window
	for _, v := range []auth.Viewer{{}, memberOf(b.park), analyst} {
		cal := readCalendar(t, ts, v, b)
		var free []int
		for _, s := range cal.Node.Availability {
			free = append(free, s.Minutes)
		}
		if fmt.Sprint(free) != fmt.Sprint(wantFree) {
			t.Errorf("%s: free minutes %v, want %v", v.Role, free, wantFree)
		}
		wantBookings := 1
		if v.Anonymous() {
			wantBookings = 0
		}
		if cal.Node.Bookings.TotalCount != wantBookings || len(cal.Node.Bookings.Edges) != wantBookings {
			t.Errorf("%q sees %d bookings (%d edges), want %d", v.Role, cal.Node.Bookings.TotalCount, len(cal.Node.Bookings.Edges), wantBookings)
		}
	}
	// The booking by ID: hidden from anonymous callers as if it did not exist.
	node := `query($id: ID!) { node(id: $id) { id ... on FacilityBooking { purpose } } }`
	if r := ts.queryAs(t, auth.Viewer{}, node, map[string]any{"id": made.FacilityBooking.ID}); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
		t.Errorf("anonymous node(booking): %s %+v, want NOT_FOUND", r.Data, r.Errors)
	}
	if r := ts.queryAs(t, memberOf(b.park), node, map[string]any{"id": made.FacilityBooking.ID}); len(r.Errors) != 0 || !strings.Contains(string(r.Data), "CNC class") {
		t.Errorf("the provider's node(booking): %s %+v", r.Data, r.Errors)
	}
	// Cancelling frees the time.
	var cancelled bookingPayload
	if errs, gqlErrs := mutate(t, ts, memberOf(b.park), cancelBooking, map[string]any{"id": made.FacilityBooking.ID, "version": 1}, "cancelFacilityBooking", &cancelled); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("the provider could not cancel: %v %v", errs, gqlErrs)
	}
	if cal := readCalendar(t, ts, memberOf(b.school), b); len(cal.Node.Availability) != 1 || cal.Node.Availability[0].Minutes != 480 || cal.Node.Bookings.TotalCount != 0 {
		t.Errorf("after cancelling: %+v", cal.Node)
	}
	errs, _ := mutate(t, ts, memberOf(b.school), cancelBooking, map[string]any{"id": made.FacilityBooking.ID, "version": 2}, "cancelFacilityBooking", nil)
	if len(errs) != 1 || errs[0].Code != "INVALID_TRANSITION" {
		t.Errorf("cancelling twice: %+v, want INVALID_TRANSITION", errs)
	}
}

func TestACalendarWindowIsBounded(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	for _, days := range []int{0, 93} {
		r := ts.queryAs(t, memberOf(b.school), facilityCalendar, map[string]any{"id": relay.ID(relay.TypeResource, b.facility),
			"from": b.at.Format(time.RFC3339), "to": b.at.Add(time.Duration(days) * 24 * time.Hour).Format(time.RFC3339)})
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["argument"] != "to" {
			t.Errorf("a window of %d days: %+v, want BAD_USER_INPUT naming to", days, r.Errors)
		}
	}
}

func TestFacilityCalendarsTakeStatementsIndependentOfPageSize(t *testing.T) {
	ts := newServer(t)
	q := `query($n: Int!, $from: DateTime!, $to: DateTime!) { resources(first: $n, filter: {categories: [TRAINING_FACILITY]}) { edges { node {
		... on TrainingFacility { bookings(from: $from, to: $to, first: 50) { totalCount pageInfo { hasNextPage } edges { node { id start organization { id } } } }
			availability(from: $from, to: $to) { start end } } } } } }`
	// The demo's class meetings are booked over the four weeks after its day.
	from, to := demoDay.Format(time.RFC3339), demoDay.Add(30*24*time.Hour).Format(time.RFC3339)
	// The facilities' page, their bookings' pages, their counts, their busy time, and the
	// bookers: a bound that holds however many facilities and bookings there are.
	const bound = 5
	for _, n := range []int{2, 30} {
		if got := statementsAs(t, ts, analyst, q, map[string]any{"n": n, "from": from, "to": to}); got > bound {
			t.Errorf("%d facilities took %d statements, want at most %d", n, got, bound)
		}
	}
	if booked := sqlInt(t, `SELECT count(DISTINCT facility_id) FROM facility_booking WHERE period && tstzrange($1, $2)`, from, to); booked < 2 {
		t.Errorf("only %d facilities have bookings in the window: the query proves little", booked)
	}
}

// statementsAs runs a query as v that must succeed and returns how many SQL statements
// it took.
func statementsAs(t *testing.T, ts *testServer, v auth.Viewer, q string, vars map[string]any) int64 {
	t.Helper()
	before := ts.statements.Load()
	if r := ts.queryAs(t, v, q, vars); len(r.Errors) > 0 {
		t.Fatalf("query failed: %+v", r.Errors)
	}
	return ts.statements.Load() - before
}

const shareCourse = `mutation($input: ShareTrainingCourseInput!) {
	shareTrainingCourse(input: $input) { trainingCourse { id } userErrors { field message code } }
}`

func TestACourseHeldInAFacilityBooksItsClassMeetings(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	school := memberOf(b.school)
	day := b.at.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	course := func(title string, meetings ...time.Time) map[string]any {
		in := map[string]any{"allianceId": relay.ID(relay.TypeAlliance, int64(sqlIntIn(t, writeDB, "SELECT id FROM alliance ORDER BY id LIMIT 1"))),
			"providerId": relay.ID(relay.TypeOrganization, b.school), "title": map[string]any{"en": title, "zh": "机器人课程"},
			"hours": 24, "seats": 10, "startsOn": day, "endsOn": b.at.Add(14 * 24 * time.Hour).Format(time.DateOnly),
			"facilityId": relay.ID(relay.TypeResource, b.facility)}
		var ms []map[string]any
		for _, m := range meetings {
			ms = append(ms, map[string]any{"start": m.Format(time.RFC3339), "end": m.Add(3 * time.Hour).Format(time.RFC3339)})
		}
		in["meetings"] = ms
		return in
	}
	var out struct{ TrainingCourse *struct{ ID string } }
	if errs, gqlErrs := mutate(t, ts, school, shareCourse, course("Robot welding, weekly", b.at, b.at.Add(7*24*time.Hour)), "shareTrainingCourse", &out); len(errs)+len(gqlErrs) > 0 || out.TrainingCourse == nil {
		t.Fatalf("the course was refused: %v %v", errs, gqlErrs)
	}
	_, courseKey, _ := relay.ParseID(out.TrainingCourse.ID)
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM facility_booking WHERE facility_id = $1 AND course_id = $2 AND organization_id = $3 AND cancelled_at IS NULL`, b.facility, courseKey, b.school); n != 2 {
		t.Fatalf("%d class meetings booked, want 2", n)
	}
	// The booking leads back to its course.
	r := ts.queryAs(t, school, `query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on TrainingFacility {
		bookings(from: $from, to: $to) { edges { node { purpose course { id } } } } } } }`,
		map[string]any{"id": relay.ID(relay.TypeResource, b.facility), "from": b.at.Format(time.RFC3339), "to": b.at.Add(8 * 24 * time.Hour).Format(time.RFC3339)})
	if len(r.Errors) > 0 || strings.Count(string(r.Data), out.TrainingCourse.ID) != 2 || !strings.Contains(string(r.Data), `"purpose":"Class meeting"`) || strings.Contains(string(r.Data), "Robot welding") {
		t.Errorf("the facility's bookings: %s %+v", r.Data, r.Errors)
	}

	courses := sqlIntIn(t, writeDB, `SELECT count(*) FROM resource WHERE provider_id = $1`, b.school)
	cases := []struct {
		name, field, code string
		input             map[string]any
	}{
		{"a meeting overlapping another course's", "input.meetings.1.start", "OVERLAP", course("Robot welding, second group", b.at.Add(-5*time.Hour), b.at.Add(time.Hour))},
		{"a meeting before the course's first day", "input.meetings.0.start", "OUT_OF_RANGE", course("Robot welding, early", b.at.Add(-24*time.Hour))},
		{"meetings without a facility", "input.facilityId", "REQUIRED", func() map[string]any {
			in := course("Robot welding, nowhere", b.at.Add(48*time.Hour))
			delete(in, "facilityId")
			return in
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs, gqlErrs := mutate(t, ts, school, shareCourse, c.input, "shareTrainingCourse", nil)
			if len(errs) != 1 || errs[0].Code != c.code || joinPath(errs[0].Field) != c.field {
				t.Errorf("user errors %+v (errors %+v), want %s at %s", errs, gqlErrs, c.code, c.field)
			}
		})
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM resource WHERE provider_id = $1`, b.school); n != courses {
		t.Errorf("refused courses left %d resources behind", n-courses)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM facility_booking WHERE facility_id = $1`, b.facility); n != 2 {
		t.Errorf("%d bookings after the refusals, want the first course's 2", n)
	}
}

const updateCourse = `mutation($input: UpdateTrainingCourseInput!) {
	updateTrainingCourse(input: $input) { trainingCourse { id version } userErrors { field message code } }
}`

const withdraw = `mutation($input: WithdrawResourceInput!) {
	withdrawResource(input: $input) { resource { ... on TrainingCourse { withdrawnOn } ... on TrainingFacility { withdrawnOn } } userErrors { field message code } }
}`

// meetingsOf lists the starts of a course's standing class meetings, in order.
func meetingsOf(t *testing.T, course int64) []time.Time {
	t.Helper()
	var out []time.Time
	if err := writeDB.DB.Select(&out, `SELECT lower(period) FROM facility_booking WHERE course_id = $1 AND cancelled_at IS NULL ORDER BY 1`, course); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestACoursesMeetingsFollowItsChanges(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	school := memberOf(b.school)
	alliance := relay.ID(relay.TypeAlliance, int64(sqlIntIn(t, writeDB, "SELECT id FROM alliance ORDER BY id LIMIT 1")))
	shenyang := time.FixedZone("CST", 8*3600)
	day := func(t time.Time) string { return t.In(shenyang).Format(time.DateOnly) }
	// Three meetings, a day apart, over a week's course.
	m := []time.Time{b.at, b.at.Add(24 * time.Hour), b.at.Add(48 * time.Hour)}
	slots := func(starts ...time.Time) []map[string]any {
		out := []map[string]any{}
		for _, s := range starts {
			out = append(out, map[string]any{"start": s.Format(time.RFC3339), "end": s.Add(2 * time.Hour).Format(time.RFC3339)})
		}
		return out
	}
	var made struct{ TrainingCourse *struct{ ID string } }
	if errs, gqlErrs := mutate(t, ts, school, shareCourse, map[string]any{"allianceId": alliance, "providerId": relay.ID(relay.TypeOrganization, b.school),
		"title": map[string]any{"en": "Robot welding", "zh": "机器人焊接"}, "hours": 40, "seats": 12, "startsOn": day(b.at), "endsOn": day(b.at.Add(6 * 24 * time.Hour)),
		"facilityId": relay.ID(relay.TypeResource, b.facility), "meetings": slots(m...)}, "shareTrainingCourse", &made); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("share: %v %v", errs, gqlErrs)
	}
	_, course, _ := relay.ParseID(made.TrainingCourse.ID)
	cancelled := func() int {
		return sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = 'FACILITY_BOOKING_CANCELLED' AND payload->>'course' = $1`, made.TrainingCourse.ID)
	}
	version := 1
	update := func(in map[string]any) []userError {
		t.Helper()
		in["id"], in["version"] = made.TrainingCourse.ID, version
		errs, gqlErrs := mutate(t, ts, school, updateCourse, in, "updateTrainingCourse", nil)
		if len(gqlErrs) > 0 {
			t.Fatalf("update: %v", gqlErrs)
		}
		if len(errs) == 0 {
			version++
		}
		return errs
	}

	// New days that leave out the last meeting's cancel it, and only it.
	if errs := update(map[string]any{"endsOn": day(m[1])}); len(errs) > 0 {
		t.Fatalf("shortening: %+v", errs)
	}
	if got := meetingsOf(t, course); len(got) != 2 || !got[1].Equal(m[1]) || cancelled() != 1 {
		t.Errorf("after shortening to %s: meetings %v, %d cancellations announced", day(m[1]), got, cancelled())
	}
	// New meetings replace those yet to start.
	moved := []time.Time{b.at.Add(4 * time.Hour), b.at.Add(28 * time.Hour)}
	if errs := update(map[string]any{"meetings": slots(moved...)}); len(errs) > 0 {
		t.Fatalf("moving: %+v", errs)
	}
	if got := meetingsOf(t, course); len(got) != 2 || !got[0].Equal(moved[0]) || !got[1].Equal(moved[1]) || cancelled() != 3 {
		t.Errorf("after moving: meetings %v, want %v; %d cancellations announced, want 3", got, moved, cancelled())
	}
	// A replacement that clashes with another member's booking changes nothing.
	var other bookingPayload
	mutate(t, ts, memberOf(b.park), bookFacility, b.input(b.at.Add(30*time.Hour), b.at.Add(32*time.Hour), nil), "bookFacility", &other)
	if other.FacilityBooking == nil {
		t.Fatal("the park could not book")
	}
	if errs := update(map[string]any{"meetings": slots(b.at.Add(8*time.Hour), b.at.Add(29*time.Hour))}); len(errs) != 1 || errs[0].Code != "OVERLAP" || joinPath(errs[0].Field) != "input.meetings.1.start" {
		t.Errorf("a clashing replacement: %+v, want OVERLAP at input.meetings.1.start", errs)
	}
	if got := meetingsOf(t, course); len(got) != 2 || !got[0].Equal(moved[0]) || cancelled() != 3 {
		t.Errorf("a refused replacement changed the meetings: %v, %d cancellations", got, cancelled())
	}
	// Withdrawn, the course holds no more meetings; the park's booking stands.
	if errs, gqlErrs := mutate(t, ts, school, withdraw, map[string]any{"id": made.TrainingCourse.ID, "version": version}, "withdrawResource", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("withdraw: %v %v", errs, gqlErrs)
	}
	if got := meetingsOf(t, course); len(got) != 0 || cancelled() != 5 {
		t.Errorf("a withdrawn course keeps meetings %v (%d cancellations announced, want 5)", got, cancelled())
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM facility_booking WHERE facility_id = $1 AND course_id IS NULL AND cancelled_at IS NULL`, b.facility); n != 1 {
		t.Errorf("%d other bookings stand, want the park's 1", n)
	}
	// A withdrawn facility takes no more bookings: the park's is cancelled.
	facilityVersion := sqlIntIn(t, writeDB, `SELECT version FROM resource WHERE id = $1`, b.facility)
	if errs, gqlErrs := mutate(t, ts, memberOf(b.park), withdraw, map[string]any{"id": relay.ID(relay.TypeResource, b.facility), "version": facilityVersion}, "withdrawResource", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("withdraw the facility: %v %v", errs, gqlErrs)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM facility_booking WHERE facility_id = $1 AND cancelled_at IS NULL`, b.facility); n != 0 {
		t.Errorf("a withdrawn facility keeps %d bookings", n)
	}
}

const updateFacility = `mutation($input: UpdateTrainingFacilityInput!) {
	updateTrainingFacility(input: $input) {
		trainingFacility { version openingHours { day opens closes } }
		userErrors { field message code }
	}
}`

func TestOpeningHoursBoundBookingsAndFreeTime(t *testing.T) {
	ts := newWriteServer(t)
	b := newBookingFixture(t)
	park := memberOf(b.park)
	shenyang := time.FixedZone("CST", 8*3600)
	local := b.at.In(shenyang)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, shenyang)
	at := func(h, m int) time.Time {
		return midnight.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	day := strings.ToUpper(local.Weekday().String())
	version := func() int {
		return sqlIntIn(t, writeDB, `SELECT version FROM resource WHERE id = $1`, b.facility)
	}
	update := func(hours []map[string]any) ([]userError, json.RawMessage) {
		t.Helper()
		r := ts.queryAs(t, park, updateFacility, map[string]any{"input": map[string]any{"id": relay.ID(relay.TypeResource, b.facility), "version": version(), "openingHours": hours}})
		if len(r.Errors) > 0 {
			t.Fatalf("update: %+v", r.Errors)
		}
		var out struct {
			UpdateTrainingFacility struct {
				TrainingFacility json.RawMessage
				UserErrors       []userError
			}
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		return out.UpdateTrainingFacility.UserErrors, out.UpdateTrainingFacility.TrainingFacility
	}
	stretch := func(d, opens, closes string) map[string]any {
		return map[string]any{"day": d, "opens": opens, "closes": closes}
	}

	// Refused hours name the stretch and its field, and change nothing.
	before := version()
	for _, c := range []struct {
		name  string
		hours []map[string]any
		field string
		code  string
	}{
		{"not a time", []map[string]any{stretch(day, "9am", "12:00")}, "input.openingHours.0.opens", "INVALID"},
		{"closing first", []map[string]any{stretch(day, "12:00", "09:00")}, "input.openingHours.0.closes", "OUT_OF_RANGE"},
		{"overlapping", []map[string]any{stretch(day, "09:00", "12:00"), stretch(day, "11:00", "13:00")}, "input.openingHours.1.opens", "OUT_OF_RANGE"},
	} {
		errs, _ := update(c.hours)
		if len(errs) != 1 || errs[0].Code != c.code || joinPath(errs[0].Field) != c.field {
			t.Errorf("%s: %+v, want %s at %s", c.name, errs, c.code, c.field)
		}
	}
	if version() != before {
		t.Fatal("refused hours were written")
	}

	// Open 09:00–12:00 and 13:00–17:00 on the fixture's day.
	errs, facility := update([]map[string]any{stretch(day, "13:00", "17:00"), stretch(day, "09:00", "12:00")})
	if len(errs) > 0 {
		t.Fatalf("hours refused: %+v", errs)
	}
	if want := `"openingHours":[{"day":"` + day + `","opens":"09:00","closes":"12:00"},{"day":"` + day + `","opens":"13:00","closes":"17:00"}]`; !strings.Contains(string(facility), want) {
		t.Errorf("the facility reads %s, want %s", facility, want)
	}
	// Free time lies within the hours.
	r := ts.queryAs(t, park, facilityCalendar, map[string]any{"id": relay.ID(relay.TypeResource, b.facility),
		"from": at(0, 0).Format(time.RFC3339), "to": at(24, 0).Format(time.RFC3339)})
	var cal calendarAnswer
	if err := json.Unmarshal(r.Data, &cal); err != nil || len(r.Errors) > 0 {
		t.Fatalf("%v %+v", err, r.Errors)
	}
	var free []string
	for _, s := range cal.Node.Availability {
		free = append(free, s.Start+"/"+s.End)
	}
	utc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	if want := []string{utc(at(9, 0)) + "/" + utc(at(12, 0)), utc(at(13, 0)) + "/" + utc(at(17, 0))}; fmt.Sprint(free) != fmt.Sprint(want) {
		t.Errorf("free time %v, want %v", free, want)
	}
	// A booking over lunch is outside the hours; one in the morning fits.
	errs, _ = mutate(t, ts, memberOf(b.school), bookFacility, b.input(at(11, 30), at(13, 30), nil), "bookFacility", nil)
	if len(errs) != 1 || errs[0].Code != "OUT_OF_RANGE" || joinPath(errs[0].Field) != "input.start" || !strings.Contains(errs[0].Message, "opening hours") {
		t.Errorf("a booking over lunch: %+v, want OUT_OF_RANGE at input.start naming the opening hours", errs)
	}
	if errs, gqlErrs := mutate(t, ts, memberOf(b.school), bookFacility, b.input(at(9, 0), at(11, 0), nil), "bookFacility", nil); len(errs)+len(gqlErrs) > 0 {
		t.Errorf("a morning booking: %+v %+v", errs, gqlErrs)
	}
	// An empty week: always open again.
	if errs, facility := update([]map[string]any{}); len(errs) > 0 || !strings.Contains(string(facility), `"openingHours":[]`) {
		t.Errorf("clearing the hours: %+v %s", errs, facility)
	}
	if errs, gqlErrs := mutate(t, ts, memberOf(b.school), bookFacility, b.input(at(12, 0), at(13, 0), nil), "bookFacility", nil); len(errs)+len(gqlErrs) > 0 {
		t.Errorf("a lunchtime booking once always open: %+v %+v", errs, gqlErrs)
	}
}
