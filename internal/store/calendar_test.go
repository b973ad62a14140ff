package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/enrolment"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
)

// TestCourseStateSQLAgreesWithTheCalendar compares the SQL rendering of the course rule
// with calendar.StateOf for every start and end around each boundary: the day before,
// on and after today, the enrolment window's last day, and no date at all.
func TestCourseStateSQLAgreesWithTheCalendar(t *testing.T) {
	ctx := context.Background()
	s := New(pgtest.New(t, "storecal").DB, nil)
	today := calendar.Date(2026, 10, 15)
	days := []*time.Time{nil}
	for _, offset := range []int{-30, -2, -1, 0, 1, 2, calendar.EnrolmentWindow - 1, calendar.EnrolmentWindow, calendar.EnrolmentWindow + 1, 400} {
		d := today.AddDate(0, 0, offset)
		days = append(days, &d)
	}
	var starts, ends []sql.NullString
	for _, start := range days {
		for _, end := range days {
			if start != nil && end != nil && end.Before(*start) {
				continue // the schema refuses such a course
			}
			starts, ends = append(starts, nullDay(start)), append(ends, nullDay(end))
		}
	}
	var got []string
	err := s.db.SelectContext(ctx, &got, `SELECT `+courseState("c", "$3::date")+`
		FROM unnest($1::date[], $2::date[]) WITH ORDINALITY AS c(starts_on, ends_on, n) ORDER BY n`,
		pq.Array(starts), pq.Array(ends), sqlDay(today))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(starts) {
		t.Fatalf("got %d states for %d courses", len(got), len(starts))
	}
	seen := map[calendar.CourseState]bool{}
	for i := range starts {
		want := calendar.StateOf(dayOf(starts[i]), dayOf(ends[i]), today)
		seen[want] = true
		if calendar.CourseState(got[i]) != want {
			t.Errorf("starts %v, ends %v on %s: SQL says %s, calendar.StateOf %s", starts[i].String, ends[i].String, sqlDay(today), got[i], want)
		}
	}
	if len(seen) != len(calendar.CourseStates) {
		t.Errorf("the cases reach only the states %v", seen)
	}
}

func nullDay(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: sqlDay(*t), Valid: true}
}

func dayOf(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	d, _ := time.Parse(time.DateOnly, s.String)
	return &d
}

// calendarFixture is an alliance with one company, on a database of its own.
type calendarFixture struct {
	s        *Store
	alliance int64
	company  int64
}

func newCalendarFixture(t *testing.T) *calendarFixture {
	t.Helper()
	f := &calendarFixture{s: New(pgtest.New(t, "storecal").DB, nil)}
	db := f.s.db
	if err := db.Get(&f.alliance, `INSERT INTO alliance (slug, name_en, name_zh, city, founded_on) VALUES ('test-alliance', 'A', '甲', 'Shenyang', '2024-08-17') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&f.company, `INSERT INTO organization (kind, name_en, name_zh, industry) VALUES ('COMPANY', 'Co', '公司', 'ROBOTICS') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	return f
}

// opening adds an OPEN opening closing on closes (none when empty).
func (f *calendarFixture) opening(t *testing.T, closes string) int64 {
	t.Helper()
	var id int64
	var c any
	if closes != "" {
		c = closes
	}
	if err := f.s.db.Get(&id, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, positions, filled, employment_type, opening_status, closes_on)
		VALUES ($1, $2, 'JOB_OPENING', 'Job', '岗位', '2026-01-01', 2, 0, 'FULL_TIME', 'OPEN', $3) RETURNING id`, f.alliance, f.company, c); err != nil {
		t.Fatal(err)
	}
	return id
}

// course adds a course with the given dates (none when empty) and announced state
// (none when empty).
func (f *calendarFixture) course(t *testing.T, starts, ends, state string) int64 {
	t.Helper()
	var id int64
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	if err := f.s.db.Get(&id, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, hours, seats, enrolled, starts_on, ends_on, course_state)
		VALUES ($1, $2, 'TRAINING_COURSE', 'Course', '课程', '2026-01-01', 40, 10, 0, $3, $4, $5) RETURNING id`, f.alliance, f.company, null(starts), null(ends), null(state)); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCloseLapsedOpeningsClosesEachOnceWhenRunsRace(t *testing.T) {
	ctx := context.Background()
	f := newCalendarFixture(t)
	today := calendar.Date(2026, 10, 15)
	var due []int64
	for i := 0; i < 25; i++ {
		due = append(due, f.opening(t, "2026-10-14"))
	}
	keep := []int64{f.opening(t, "2026-10-15"), f.opening(t, "2026-12-01"), f.opening(t, "")}

	// Four runs at once, in batches of 4: every lapsed opening is closed by exactly one.
	var mu sync.Mutex
	var closed []int64
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var batch []Resource
				err := f.s.InTx(ctx, func(tx *Tx) error {
					var err error
					batch, err = tx.CloseLapsedOpenings(ctx, today, 4)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, r := range batch {
					if *r.OpeningStatus != "CLOSED" || r.Version != 2 {
						t.Errorf("returned opening %d is %s at version %d", r.ID, *r.OpeningStatus, r.Version)
					}
					closed = append(closed, r.ID)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(closed, func(i, j int) bool { return closed[i] < closed[j] })
	if fmt.Sprint(closed) != fmt.Sprint(due) {
		t.Errorf("closed %v, want each of %v once", closed, due)
	}
	var open []int64
	if err := f.s.db.Select(&open, `SELECT id FROM resource WHERE opening_status = 'OPEN' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(open) != fmt.Sprint(keep) {
		t.Errorf("open after the runs: %v, want %v (closing today, later, never)", open, keep)
	}
}

func TestMoveCourseStatesMovesWhatDiffersOnce(t *testing.T) {
	ctx := context.Background()
	f := newCalendarFixture(t)
	today := calendar.Date(2026, 10, 15)
	type course struct {
		id         int64
		from, want string
	}
	courses := []course{
		{f.course(t, "2026-10-15", "2026-11-30", "ENROLLING"), "ENROLLING", "RUNNING"},
		{f.course(t, "2026-09-01", "2026-10-14", "RUNNING"), "RUNNING", "ENDED"},
		{f.course(t, "2026-12-10", "", "UPCOMING"), "UPCOMING", "ENROLLING"},
		{f.course(t, "2026-12-11", "", "UPCOMING"), "UPCOMING", ""}, // still upcoming
		{f.course(t, "2026-10-16", "", ""), "", "ENROLLING"},        // never announced
		{f.course(t, "", "", "ENROLLING"), "ENROLLING", ""},
	}
	withdrawn := f.course(t, "2026-09-01", "2026-10-01", "RUNNING")
	if _, err := f.s.db.Exec(`UPDATE resource SET withdrawn_on = '2026-09-15' WHERE id = $1`, withdrawn); err != nil {
		t.Fatal(err)
	}
	var moves []CourseMove
	var wg sync.WaitGroup
	var mu sync.Mutex
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.s.InTx(ctx, func(tx *Tx) error {
				m, err := tx.MoveCourseStates(ctx, today, 100)
				mu.Lock()
				moves = append(moves, m...)
				mu.Unlock()
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := map[int64]string{}
	for _, m := range moves {
		if _, twice := got[m.ID]; twice {
			t.Errorf("course %d moved twice", m.ID)
		}
		from := ""
		if m.From != nil {
			from = string(*m.From)
		}
		got[m.ID] = from + "->" + string(*m.CourseState)
	}
	for _, c := range courses {
		want := ""
		if c.want != "" {
			want = c.from + "->" + c.want
		}
		if got[c.id] != want {
			t.Errorf("course %d: moved %q, want %q", c.id, got[c.id], want)
		}
	}
	if len(got) != 4 {
		t.Errorf("moved %v, want 4 courses", got)
	}
	again, err := moveCourses(ctx, f.s, today)
	if err != nil || len(again) != 0 {
		t.Errorf("a second run moved %d courses (%v), want none", len(again), err)
	}
}

func moveCourses(ctx context.Context, s *Store, today time.Time) ([]CourseMove, error) {
	var m []CourseMove
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		m, err = tx.MoveCourseStates(ctx, today, 100)
		return err
	})
	return m, err
}

func TestEnrollOnlyWhileEnrolmentIsOpen(t *testing.T) {
	ctx := context.Background()
	f := newCalendarFixture(t)
	today := calendar.Date(2026, 10, 15)
	var talent int64
	if err := f.s.db.Get(&talent, `INSERT INTO talent (alliance_id, full_name, name_zh, status, registered_on) VALUES ($1, 'T', '人', 'JOB_SEEKING', '2026-01-01') RETURNING id`, f.alliance); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		starts, ends string
		want         error
	}{
		{"2026-10-16", "2026-11-30", nil},
		{"", "", nil},
		{"2026-10-15", "2026-11-30", ErrNotEnrolling},
		{"2026-09-01", "2026-10-14", ErrNotEnrolling},
		{"2026-12-11", "", ErrNotEnrolling},
	} {
		id := f.course(t, c.starts, c.ends, "")
		err := f.s.InTx(ctx, func(tx *Tx) error { _, err := tx.Enroll(ctx, id, talent, today); return err })
		if err != c.want {
			t.Errorf("enrolling on a course from %q to %q on %s: %v, want %v", c.starts, c.ends, sqlDay(today), err, c.want)
		}
	}
	full := f.course(t, "2026-11-01", "", "")
	if _, err := f.s.db.Exec(`UPDATE resource SET enrolled = seats WHERE id = $1`, full); err != nil {
		t.Fatal(err)
	}
	var e *Enrollment
	if err := f.s.InTx(ctx, func(tx *Tx) (err error) { e, err = tx.Enroll(ctx, full, talent, today); return err }); err != nil || e.State != enrolment.Waitlisted || e.SeatedOn != nil {
		t.Errorf("enrolling on a full course: %+v, %v; want a waitlisted enrolment without a seat", e, err)
	}
	if err := f.s.InTx(ctx, func(tx *Tx) error { _, err := tx.Enroll(ctx, full, talent, today); return err }); err != ErrDuplicate {
		t.Errorf("enrolling twice: %v, want ErrDuplicate", err)
	}
}
