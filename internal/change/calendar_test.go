package change

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// testClock is a clock tests move on.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// shenyang is an instant given as the wall time in Shenyang.
func shenyang(y int, m time.Month, d, hour, min, sec int) time.Time {
	return time.Date(y, m, d, hour, min, sec, 0, time.FixedZone("CST", 8*3600))
}

// world is an alliance with a company and a school on a database of its own, and a
// service on a clock the test moves.
type world struct {
	db              *sqlx.DB
	store           *store.Store
	clock           *testClock
	alliance        int64
	company, school int64
}

func newWorld(t *testing.T, now time.Time) *world {
	t.Helper()
	db := pgtest.New(t, "change").DB
	w := &world{db: db, store: store.New(db, nil), clock: &testClock{t: now}}
	w.get(t, &w.alliance, `INSERT INTO alliance (slug, name_en, name_zh, city, founded_on) VALUES ('test-alliance', 'A', '甲', 'Shenyang', '2024-08-17') RETURNING id`)
	w.get(t, &w.company, `INSERT INTO organization (kind, name_en, name_zh, industry) VALUES ('COMPANY', 'Co', '公司', 'ROBOTICS') RETURNING id`)
	w.get(t, &w.school, `INSERT INTO organization (kind, name_en, name_zh, school_level) VALUES ('SCHOOL', 'School', '学校', 'TECHNICIAN_COLLEGE') RETURNING id`)
	return w
}

func (w *world) service() *Service { return New(w.store, w.clock.now) }

func (w *world) get(t *testing.T, dest any, q string, args ...any) {
	t.Helper()
	if err := w.db.Get(dest, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// restrict shares resource r with the school alone.
func (w *world) restrict(t *testing.T, r int64) {
	t.Helper()
	if _, err := w.db.Exec(`UPDATE resource SET shared_with_all = false WHERE id = $1`, r); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Exec(`INSERT INTO resource_share (resource_id, organization_id) VALUES ($1, $2)`, r, w.school); err != nil {
		t.Fatal(err)
	}
}

func (w *world) opening(t *testing.T, closes any) int64 {
	t.Helper()
	var id int64
	w.get(t, &id, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, positions, filled, employment_type, opening_status, closes_on)
		VALUES ($1, $2, 'JOB_OPENING', 'Job', '岗位', '2026-01-01', 2, 0, 'FULL_TIME', 'OPEN', $3) RETURNING id`, w.alliance, w.company, closes)
	return id
}

func (w *world) course(t *testing.T, starts, ends, state any) int64 {
	t.Helper()
	var id int64
	w.get(t, &id, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, hours, seats, enrolled, starts_on, ends_on, course_state)
		VALUES ($1, $2, 'TRAINING_COURSE', 'Course', '课程', '2026-01-01', 40, 10, 0, $3, $4, $5) RETURNING id`, w.alliance, w.school, starts, ends, state)
	return id
}

// loggedEvent is an event as the tests check it.
type loggedEvent struct {
	ID         int64  `db:"id"`
	Kind       string `db:"kind"`
	SubjectID  string `db:"subject_id"`
	Actor      string `db:"actor"`
	ActorRole  string `db:"actor_role"`
	AllianceID *int64 `db:"alliance_id"`
	ResourceID *int64 `db:"resource_id"`
	Restricted bool   `db:"restricted"`
	Payload    string `db:"payload"`
}

func (w *world) events(t *testing.T, kind store.EventKind) []loggedEvent {
	t.Helper()
	var out []loggedEvent
	if err := w.db.Select(&out, `SELECT id, kind, subject_id, actor, actor_role, alliance_id, resource_id, restricted, payload::text AS payload
		FROM event WHERE kind = $1 ORDER BY id`, string(kind)); err != nil {
		t.Fatal(err)
	}
	return out
}

// race runs FollowCalendar from n services at once, as n replicas would, and sums
// what they moved.
func (w *world) race(t *testing.T, n int) CalendarMoves {
	t.Helper()
	var mu sync.Mutex
	var total CalendarMoves
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			moved, err := w.service().FollowCalendar(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total.OpeningsClosed += moved.OpeningsClosed
			total.CoursesMoved += moved.CoursesMoved
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}

func payload(t *testing.T, e loggedEvent) map[string]string {
	t.Helper()
	var p map[string]string
	if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
		t.Fatalf("payload %s: %v", e.Payload, err)
	}
	return p
}

func TestTheCalendarClosesOpeningsPastTheirClosingDateOnce(t *testing.T) {
	w := newWorld(t, shenyang(2026, 10, 15, 10, 0, 0))
	lapsed := w.opening(t, "2026-10-14")
	hidden := w.opening(t, "2026-10-01")
	w.restrict(t, hidden)
	closesToday := w.opening(t, "2026-10-15")
	never := w.opening(t, nil)

	if moved := w.race(t, 4); moved.OpeningsClosed != 2 {
		t.Errorf("four runs at once closed %d openings, want 2", moved.OpeningsClosed)
	}
	events := w.events(t, store.EventOpeningClosed)
	if len(events) != 2 {
		t.Fatalf("%d OPENING_CLOSED events, want one for each of the 2 lapsed openings: %+v", len(events), events)
	}
	want := map[int64]struct {
		restricted bool
		closes     string
	}{lapsed: {false, "2026-10-14"}, hidden: {true, "2026-10-01"}}
	for _, e := range events {
		w, ok := want[*e.ResourceID]
		if !ok {
			t.Errorf("event about resource %d, which was not due", *e.ResourceID)
			continue
		}
		delete(want, *e.ResourceID)
		if e.SubjectID != relay.ID(relay.TypeResource, *e.ResourceID) || e.Actor != "SYSTEM" || e.ActorRole != "SYSTEM" || e.AllianceID == nil || e.Restricted != w.restricted {
			t.Errorf("event %+v: want the opening as subject, SYSTEM as actor and role, its alliance, restricted %v", e, w.restricted)
		}
		if p := payload(t, e); p["closesOn"] != w.closes || p["category"] != "JOB_OPENING" {
			t.Errorf("payload %s, want category and closesOn %s", e.Payload, w.closes)
		}
	}
	status := func(id int64) (s string) {
		w.get(t, &s, `SELECT opening_status || ' v' || version FROM resource WHERE id = $1`, id)
		return s
	}
	for id, want := range map[int64]string{lapsed: "CLOSED v2", hidden: "CLOSED v2", closesToday: "OPEN v1", never: "OPEN v1"} {
		if got := status(id); got != want {
			t.Errorf("opening %d is %s, want %s", id, got, want)
		}
	}

	// The last second of the day changes nothing; the next day closes what closed today.
	w.clock.set(shenyang(2026, 10, 15, 23, 59, 59))
	if moved := w.race(t, 1); moved.OpeningsClosed != 0 {
		t.Errorf("at 23:59:59 the calendar closed %d openings", moved.OpeningsClosed)
	}
	w.clock.set(shenyang(2026, 10, 16, 0, 0, 0))
	if moved := w.race(t, 2); moved.OpeningsClosed != 1 || status(closesToday) != "CLOSED v2" {
		t.Errorf("at midnight the calendar closed %d openings (the one closing on the 15th is %s), want 1", moved.OpeningsClosed, status(closesToday))
	}
	if n := len(w.events(t, store.EventOpeningClosed)); n != 3 {
		t.Errorf("%d OPENING_CLOSED events after the second day, want 3", n)
	}
}

func TestTheCalendarMovesCoursesAndAnnouncesEachMoveOnce(t *testing.T) {
	w := newWorld(t, shenyang(2026, 10, 15, 9, 0, 0))
	starting := w.course(t, "2026-10-16", "2026-11-30", "ENROLLING")
	ending := w.course(t, "2026-09-01", "2026-10-15", "RUNNING")
	w.restrict(t, ending)
	opening := w.course(t, "2026-12-11", nil, "UPCOMING") // enrolment opens 56 days before: on 10-16
	unannounced := w.course(t, "2026-09-01", nil, nil)
	undated := w.course(t, nil, nil, "ENROLLING")

	// Today, only the course never announced takes its state, silently.
	if moved := w.race(t, 3); moved.CoursesMoved != 1 {
		t.Errorf("on the 15th the calendar moved %d courses, want the unannounced one only", moved.CoursesMoved)
	}
	if n := len(w.events(t, store.EventCourseStateChanged)); n != 0 {
		t.Errorf("%d COURSE_STATE_CHANGED events for a course never announced, want none", n)
	}

	w.clock.set(shenyang(2026, 10, 16, 0, 0, 1))
	if moved := w.race(t, 3); moved.CoursesMoved != 3 {
		t.Errorf("on the 16th three runs moved %d courses, want 3", moved.CoursesMoved)
	}
	want := map[int64][3]string{
		starting: {"ENROLLING", "RUNNING", "public"},
		ending:   {"RUNNING", "ENDED", "restricted"},
		opening:  {"UPCOMING", "ENROLLING", "public"},
	}
	events := w.events(t, store.EventCourseStateChanged)
	if len(events) != len(want) {
		t.Fatalf("%d COURSE_STATE_CHANGED events, want %d: %+v", len(events), len(want), events)
	}
	for _, e := range events {
		c, ok := want[*e.ResourceID]
		if !ok {
			t.Errorf("event about course %d, which did not move", *e.ResourceID)
			continue
		}
		delete(want, *e.ResourceID)
		p := payload(t, e)
		if p["from"] != c[0] || p["to"] != c[1] || len(p) != 2 || e.Restricted != (c[2] == "restricted") || e.ActorRole != "SYSTEM" {
			t.Errorf("event %+v, want %s -> %s, %s, by SYSTEM", e, c[0], c[1], c[2])
		}
	}
	var states []string
	if err := w.db.Select(&states, `SELECT course_state FROM resource WHERE id = ANY($1) ORDER BY id`,
		pqArray(starting, ending, opening, unannounced, undated)); err != nil {
		t.Fatal(err)
	}
	if got := states; len(got) != 5 || got[0] != "RUNNING" || got[1] != "ENDED" || got[2] != "ENROLLING" || got[3] != "RUNNING" || got[4] != "ENROLLING" {
		t.Errorf("states %v", got)
	}
	if moved := w.race(t, 1); moved != (CalendarMoves{}) {
		t.Errorf("a run on the same day moved %+v again", moved)
	}
}

func TestChangingACoursesDatesAnnouncesItsNewState(t *testing.T) {
	w := newWorld(t, shenyang(2026, 10, 15, 9, 0, 0))
	s := w.service()
	ctx := auth.WithViewer(context.Background(), auth.Viewer{Role: auth.RoleAdmin, Subject: "secretariat"})
	starts := calendar.Date(2027, 3, 1)
	c, err := s.ShareTrainingCourse(ctx, ShareTrainingCourseInput{
		AllianceID: relay.ID(relay.TypeAlliance, w.alliance), ProviderID: relay.ID(relay.TypeOrganization, w.school),
		Title: Bilingual{En: "CNC", Zh: "数控"}, Hours: 40, Seats: 10, StartsOn: &starts,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.CourseState == nil || *c.CourseState != calendar.Upcoming {
		t.Fatalf("a new course starting on %s has state %v, want UPCOMING", starts.Format(time.DateOnly), c.CourseState)
	}

	var talent int64
	w.get(t, &talent, `INSERT INTO talent (alliance_id, full_name, name_zh, status, registered_on, school_id) VALUES ($1, 'T', '人', 'STUDENT', '2026-01-01', $2) RETURNING id`, w.alliance, w.school)
	enrol := EnrollInCourseInput{CourseID: relay.ID(relay.TypeResource, c.ID), TalentID: relay.ID(relay.TypeTalent, talent)}
	before := len(w.events(t, store.EventTalentEnrolled))
	_, _, _, err = s.EnrollInCourse(ctx, enrol)
	var refused *Refused
	if !errors.As(err, &refused) || len(refused.Errors) != 1 || refused.Errors[0].Code != EnrolmentClosed ||
		refused.Errors[0].Field[1] != "courseId" || refused.Errors[0].Message != "enrolment opens on 2027-01-04, 56 days before the course starts on 2027-03-01" {
		t.Fatalf("enrolling on an upcoming course: %v, want ENROLMENT_CLOSED at courseId saying when it opens", err)
	}
	var enrolled int
	w.get(t, &enrolled, `SELECT enrolled + (SELECT count(*) FROM enrollment WHERE course_id = $1) FROM resource WHERE id = $1`, c.ID)
	if enrolled != 0 || len(w.events(t, store.EventTalentEnrolled)) != before {
		t.Errorf("a refused enrolment left %d seats or enrolments and %d events", enrolled, len(w.events(t, store.EventTalentEnrolled))-before)
	}

	// Moved to start tomorrow: enrolment opens, announced by the change itself.
	tomorrow := calendar.Date(2026, 10, 16)
	c, err = s.UpdateTrainingCourse(ctx, UpdateTrainingCourseInput{ID: relay.ID(relay.TypeResource, c.ID), Version: c.Version, StartsOn: &tomorrow})
	if err != nil {
		t.Fatal(err)
	}
	events := w.events(t, store.EventCourseStateChanged)
	if len(events) != 1 || payload(t, events[0])["from"] != "UPCOMING" || payload(t, events[0])["to"] != "ENROLLING" || events[0].Actor != "secretariat" {
		t.Fatalf("after moving the start: %+v, want one UPCOMING -> ENROLLING by the secretariat", events)
	}
	if moved := w.race(t, 1); moved != (CalendarMoves{}) {
		t.Errorf("the calendar moved %+v after the change had announced the state", moved)
	}
	if _, _, _, err := s.EnrollInCourse(ctx, enrol); err != nil {
		t.Fatalf("enrolling while enrolment is open: %v", err)
	}

	// The next day the course runs: the calendar says so, and enrolment is closed.
	w.clock.set(shenyang(2026, 10, 16, 8, 0, 0))
	if moved := w.race(t, 2); moved.CoursesMoved != 1 {
		t.Errorf("on its first day the calendar moved %d courses, want 1", moved.CoursesMoved)
	}
	var other int64
	w.get(t, &other, `INSERT INTO talent (alliance_id, full_name, name_zh, status, registered_on, school_id) VALUES ($1, 'U', '人', 'STUDENT', '2026-01-01', $2) RETURNING id`, w.alliance, w.school)
	_, _, _, err = s.EnrollInCourse(ctx, EnrollInCourseInput{CourseID: enrol.CourseID, TalentID: relay.ID(relay.TypeTalent, other)})
	if !errors.As(err, &refused) || refused.Errors[0].Code != EnrolmentClosed || refused.Errors[0].Message != "the course started on 2026-10-16; enrolment closed the day before" {
		t.Errorf("enrolling on a running course: %v, want ENROLMENT_CLOSED", err)
	}
}

func pqArray(ids ...int64) any { return pq.Int64Array(ids) }
