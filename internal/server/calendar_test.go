package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/change"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// testClock is a clock a test moves on.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// ruleDay is two weeks after the demo's day (demoDay, on which test servers run unless
// told otherwise): by then some of its open openings are past their closing date, which
// the calendar job has not closed (it does not run over the demo databases), some courses
// have started since and others not, so the rules of the day all select something.
// Tests whose oracles state those rules run on it.
var ruleDay = demoDay.AddDate(0, 0, 14).Format(time.DateOnly)

func onRuleDay(c *server.Config) { c.Clock = noonOn(demoDay.AddDate(0, 0, 14)) }

// noonOn is a clock that always says noon in Shenyang on day.
func noonOn(day time.Time) calendar.Clock {
	y, m, d := day.Date()
	noon := time.Date(y, m, d, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))
	return func() time.Time { return noon }
}

// calendarServer is a server with its own event listener and calendar job on clock, over
// db, as cmd/alliance serve runs them; the job looks again every few milliseconds, so
// that a test moving the clock sees its effect at once.
func calendarServer(t *testing.T, db *pgtest.Database, clock calendar.Clock) *testServer {
	t.Helper()
	st := store.New(db.DB, nil)
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bus.New(ctx, db.URL, st, log, bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	busDone, calendarDone := make(chan struct{}), make(chan struct{})
	go func() { b.Run(ctx); close(busDone) }()
	go func() { change.New(st, clock).KeepCalendar(ctx, log, 20*time.Millisecond); close(calendarDone) }()
	ts := &testServer{auth: auth.New(auth.Config{Key: testKey}, st), db: db, bus: b}
	var open atomic.Int64
	ts.Server = httptest.NewServer(server.New(server.Config{Store: st, Auth: ts.auth, Bus: b, Logger: log, Clock: clock,
		InitTimeout: time.Second, KeepAlive: 200 * time.Millisecond, OpenStreams: &open, MaxWorkInFlight: -1, CostRate: -1}))
	t.Cleanup(func() {
		cancel()
		<-busDone
		<-calendarDone
		for wait := time.Now().Add(5 * time.Second); open.Load() > 0 && time.Now().Before(wait); {
			time.Sleep(5 * time.Millisecond)
		}
		ts.Close()
	})
	return ts
}

// calendarEvent is an event of the calendar as a subscriber receives it.
type calendarEvent struct {
	Kind, SubjectID, ActorRole string
	Payload                    map[string]string
}

func (c *wsClient) nextCalendarEvent(id string) calendarEvent {
	c.t.Helper()
	m, err := c.read(10 * time.Second)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var p struct {
		Data   struct{ Events struct{ Node calendarEvent } }
		Errors []gqlError
	}
	if m.Type != "next" || m.ID != id || json.Unmarshal(m.Payload, &p) != nil || len(p.Errors) > 0 {
		c.t.Fatalf("got %s for %q: %s, want an event of %q", m.Type, m.ID, m.Payload, id)
	}
	return p.Data.Events.Node
}

func TestTheClockClosesOpeningsAndMovesCoursesForSubscribers(t *testing.T) {
	db := pgtest.New(t, "servercal")
	var alliance, company, school int64
	for _, q := range []struct {
		dest *int64
		sql  string
	}{
		{&alliance, `INSERT INTO alliance (slug, name_en, name_zh, city, founded_on) VALUES ('shenyang', 'Alliance', '联盟', 'Shenyang', '2024-08-17') RETURNING id`},
		{&company, `INSERT INTO organization (kind, name_en, name_zh, industry) VALUES ('COMPANY', 'Robots Ltd', '机器人公司', 'ROBOTICS') RETURNING id`},
		{&school, `INSERT INTO organization (kind, name_en, name_zh, school_level) VALUES ('SCHOOL', 'Technician College', '技师学院', 'TECHNICIAN_COLLEGE') RETURNING id`},
	} {
		if err := db.DB.Get(q.dest, q.sql); err != nil {
			t.Fatal(err)
		}
	}
	opening := func(title string) int64 {
		var id int64
		if err := db.DB.Get(&id, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, positions, filled, employment_type, opening_status, closes_on)
			VALUES ($1, $2, 'JOB_OPENING', $3, $3, '2026-09-01', 3, 0, 'FULL_TIME', 'OPEN', '2026-10-20') RETURNING id`, alliance, company, title); err != nil {
			t.Fatal(err)
		}
		return id
	}
	public, private := opening("Robot technician"), opening("Robot engineer")
	if _, err := db.DB.Exec(`WITH narrowed AS (UPDATE resource SET shared_with_all = false WHERE id = $1 RETURNING id)
		INSERT INTO resource_share SELECT id, $2 FROM narrowed`, private, school); err != nil {
		t.Fatal(err)
	}
	var course int64
	if err := db.DB.Get(&course, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, hours, seats, enrolled, starts_on, ends_on, course_state)
		VALUES ($1, $2, 'TRAINING_COURSE', 'Robot maintenance', '机器人维护', '2026-08-01', 80, 10, 3, '2026-10-21', '2026-11-30', 'ENROLLING') RETURNING id`, alliance, school); err != nil {
		t.Fatal(err)
	}

	clock := &testClock{now: time.Date(2026, 10, 20, 23, 59, 0, 0, time.FixedZone("CST", 8*3600))}
	ts := calendarServer(t, db, clock.Now)
	subscribe := func(v auth.Viewer) *wsClient {
		init := map[string]any{}
		if !v.Anonymous() {
			init["Authorization"] = "Bearer " + ts.token(t, v)
		}
		c, err := dial(t, ts, init)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("cal", `subscription { events(kinds: [OPENING_CLOSED, COURSE_STATE_CHANGED]) { node { kind subjectId actorRole payload } } }`, nil)
		return c
	}
	anonymous, secretariat := subscribe(auth.Viewer{}), subscribe(admin)
	time.Sleep(150 * time.Millisecond)

	type courseView struct {
		State     string
		FreeSeats int
	}
	read := func() (status string, c courseView, free []string) {
		var out struct {
			Opening         struct{ Status string }
			Course          courseView
			TrainingCourses struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		ts.data(t, `query($o: ID!, $c: ID!) {
			opening: node(id: $o) { ... on JobOpening { status } }
			course: node(id: $c) { ... on TrainingCourse { state freeSeats } }
			trainingCourses(filter: {hasFreeSeats: true, states: [ENROLLING]}) { edges { node { id } } }
		}`, map[string]any{"o": relay.ID(relay.TypeResource, public), "c": relay.ID(relay.TypeResource, course)}, &out)
		for _, e := range out.TrainingCourses.Edges {
			free = append(free, e.Node.ID)
		}
		return out.Opening.Status, out.Course, free
	}
	courseID := relay.ID(relay.TypeResource, course)
	if status, c, free := read(); status != "OPEN" || c != (courseView{"ENROLLING", 7}) || len(free) != 1 || free[0] != courseID {
		t.Fatalf("on the closing day: opening %s, course %+v, enrolling with free seats %v; want OPEN, ENROLLING with 7, the course", status, c, free)
	}
	var talents []int64
	if err := db.DB.Select(&talents, `INSERT INTO talent (alliance_id, full_name, name_zh, status, registered_on, school_id)
		VALUES ($1, 'Li Lei', '李雷', 'STUDENT', '2026-01-01', $2), ($1, 'Han Meimei', '韩梅梅', 'STUDENT', '2026-01-01', $2) RETURNING id`, alliance, school); err != nil {
		t.Fatal(err)
	}
	enrol := func(talent int64) []userError {
		ue, errs := mutate(t, ts, memberOf(school), `mutation($input: EnrollInCourseInput!) { enrollInCourse(input: $input) { userErrors { field code message } } }`,
			map[string]any{"courseId": courseID, "talentId": relay.ID(relay.TypeTalent, talent)}, "enrollInCourse", nil)
		if len(errs) > 0 {
			t.Fatalf("enrol: %+v", errs)
		}
		return ue
	}
	if ue := enrol(talents[0]); len(ue) > 0 {
		t.Fatalf("enrolling the day before the course starts: %+v", ue)
	}

	// Midnight in Shenyang: the course has started, whether or not the job has run yet.
	clock.Set(time.Date(2026, 10, 20, 16, 0, 1, 0, time.UTC))
	if _, c, free := read(); c != (courseView{"RUNNING", 0}) || len(free) != 0 {
		t.Errorf("after midnight the course is %+v and listed with free seats %v; want RUNNING with none", c, free)
	}
	if ue := enrol(talents[1]); len(ue) != 1 || ue[0].Code != "ENROLMENT_CLOSED" || fmt.Sprint(ue[0].Field) != "[input courseId]" {
		t.Errorf("enrolling on the course's first day: %+v, want ENROLMENT_CLOSED at input.courseId", ue)
	}
	want := []calendarEvent{
		{Kind: "OPENING_CLOSED", SubjectID: relay.ID(relay.TypeResource, public), ActorRole: "SYSTEM", Payload: map[string]string{"category": "JOB_OPENING", "closesOn": "2026-10-20"}},
		{Kind: "COURSE_STATE_CHANGED", SubjectID: courseID, ActorRole: "SYSTEM", Payload: map[string]string{"from": "ENROLLING", "to": "RUNNING"}},
	}
	if got := anonymous.nextCalendarEvent("cal"); !sameEvent(got, want[0]) {
		t.Errorf("the anonymous subscriber first received %+v, want %+v", got, want[0])
	}
	if got := anonymous.nextCalendarEvent("cal"); !sameEvent(got, want[1]) {
		t.Errorf("the anonymous subscriber then received %+v, want %+v", got, want[1])
	}
	var adminGot []string
	for range 3 {
		e := secretariat.nextCalendarEvent("cal")
		adminGot = append(adminGot, e.Kind+" "+e.SubjectID)
	}
	if adminGot[0] != "OPENING_CLOSED "+relay.ID(relay.TypeResource, public) || adminGot[1] != "OPENING_CLOSED "+relay.ID(relay.TypeResource, private) ||
		adminGot[2] != "COURSE_STATE_CHANGED "+courseID {
		t.Errorf("the secretariat received %v, want both openings closed, then the course moved", adminGot)
	}
	if status, _, _ := read(); status != "CLOSED" {
		t.Errorf("the opening reads back %s, want CLOSED", status)
	}

	// Nothing more: the job runs every few milliseconds, and announces each change once.
	time.Sleep(200 * time.Millisecond)
	if m, err := anonymous.read(100 * time.Millisecond); err == nil {
		t.Errorf("after the day's changes the subscriber received %s: %s", m.Type, m.Payload)
	}
	var n int
	if err := db.DB.Get(&n, `SELECT count(*) FROM event`); err != nil || n != 4 {
		t.Errorf("the log holds %d events (%v), want the enrolment and the calendar's 3", n, err)
	}
}

func sameEvent(a, b calendarEvent) bool {
	if a.Kind != b.Kind || a.SubjectID != b.SubjectID || a.ActorRole != b.ActorRole || len(a.Payload) != len(b.Payload) {
		return false
	}
	for k, v := range b.Payload {
		if a.Payload[k] != v {
			return false
		}
	}
	return true
}

func TestCoursesSortByTheFreeSeatsOfTheDay(t *testing.T) {
	ts := startConfiguredServer(t, testDB, onRuleDay)
	// Most free seats first, then by ID: courses already started have none, whatever
	// their enrolment.
	var want []int64
	if err := testDB.DB.Select(&want, `SELECT id FROM resource WHERE category = 'TRAINING_COURSE' AND shared_with_all AND withdrawn_on IS NULL
		ORDER BY CASE WHEN COALESCE(starts_on, 'infinity') > $1::date AND COALESCE(ends_on, 'infinity') >= $1::date THEN seats - enrolled ELSE 0 END DESC, id DESC`, ruleDay); err != nil {
		t.Fatal(err)
	}
	var got []int64
	var free []int
	var after *string
	for page := 0; ; page++ {
		var out struct {
			TrainingCourses struct {
				Edges []struct {
					Node struct {
						ID        string
						FreeSeats int
						State     string
					}
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		ts.data(t, `query($after: String) { trainingCourses(first: 40, after: $after, orderBy: {field: FREE_SEATS, direction: DESC}) {
			edges { node { id freeSeats state } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after}, &out)
		for _, e := range out.TrainingCourses.Edges {
			got = append(got, keyOf(t, relay.TypeResource, e.Node.ID))
			free = append(free, e.Node.FreeSeats)
			if (e.Node.State == "RUNNING" || e.Node.State == "ENDED") && e.Node.FreeSeats != 0 {
				t.Errorf("course %s is %s with %d free seats", e.Node.ID, e.Node.State, e.Node.FreeSeats)
			}
		}
		if !out.TrainingCourses.PageInfo.HasNextPage {
			break
		}
		after = out.TrainingCourses.PageInfo.EndCursor
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("courses by free seats, descending:\n got %v\nwant %v", got, want)
	}
	if len(free) == 0 || free[0] == 0 || free[len(free)-1] != 0 {
		t.Errorf("free seats run %v: want some courses with free seats first and started ones last", free)
	}
}
