package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
)

// courseState is the SQL rendering of calendar.StateOf: the state of the course row alias
// on the day today (an SQL date expression). It is the rule's only rendering in SQL;
// every statement that asks where a course is in its life builds it here, and
// TestCourseStateSQLAgreesWithTheCalendar holds it to the Go rule day by day.
func courseState(alias, today string) string {
	return fmt.Sprintf(`(CASE WHEN %[1]s.ends_on < %[2]s THEN '%[3]s' WHEN %[1]s.starts_on <= %[2]s THEN '%[4]s'`+
		` WHEN %[1]s.starts_on > %[2]s + %[5]d THEN '%[6]s' ELSE '%[7]s' END)`,
		alias, today, calendar.Ended, calendar.Running, calendar.EnrolmentWindow, calendar.Upcoming, calendar.Enrolling)
}

// notStarted is the condition that the course alias has not begun on today, so that its
// free seats can still be taken.
func notStarted(alias, today string) string {
	var open []string
	for _, s := range calendar.CourseStates {
		if !s.Started() {
			open = append(open, "'"+string(s)+"'")
		}
	}
	return courseState(alias, today) + " IN (" + strings.Join(open, ", ") + ")"
}

// freeSeats is the seats of the course alias still to be taken on today: none once it
// has started.
func freeSeats(alias, today string) string {
	return "(CASE WHEN " + notStarted(alias, today) + " THEN " + alias + ".seats - " + alias + ".enrolled ELSE 0 END)"
}

// openOn is the condition that the job opening alias still takes applications on
// today by its closing date, whether or not the calendar job has closed it yet.
func openOn(alias, today string) string {
	return "(" + alias + ".closes_on IS NULL OR " + alias + ".closes_on >= " + today + ")"
}

// allianceDate is the alliance's day (calendar.Today) of the timestamptz expression ts.
// An interval names the offset: PostgreSQL reads a zone written as text such as '+08'
// the POSIX way, west of Greenwich.
func allianceDate(ts string) string {
	return fmt.Sprintf("(%s AT TIME ZONE INTERVAL '%+03d:00')::date", ts, int(calendar.UTCOffset/time.Hour))
}

// sqlDay is a day as a bind value for a date: its text, so that the session's time zone
// cannot move it.
func sqlDay(t time.Time) string { return t.Format(time.DateOnly) }

// day binds the day t and returns it as an SQL date expression.
func (l *list) day(t time.Time) string { return l.arg(sqlDay(t)) + "::date" }

// errNoDay reports a filter that names no day where the answer depends on one.
func errNoDay(what string) error {
	return fmt.Errorf("%s: the filter names no day (Today)", what)
}

// CourseMove is a course whose state the calendar moved, with the state last announced
// (nil if none was).
type CourseMove struct {
	Resource
	From *calendar.CourseState `db:"from_state"`
}

// CloseLapsedOpenings closes up to limit OPEN job openings whose closing date is before
// today and returns them as they are now. Each row is locked and checked again by the
// UPDATE itself, so when several servers run this at once, every opening is closed, and
// returned, by exactly one of them.
func (t *Tx) CloseLapsedOpenings(ctx context.Context, today time.Time, limit int) ([]Resource, error) {
	var rows []Resource
	err := t.selectRows(ctx, &rows, `
		WITH due AS (
			SELECT id FROM resource
			WHERE category = 'JOB_OPENING' AND opening_status = 'OPEN' AND closes_on < $1::date
			ORDER BY id LIMIT $2 FOR UPDATE
		)
		UPDATE resource r SET opening_status = 'CLOSED', version = r.version + 1
		FROM due WHERE r.id = due.id AND r.opening_status = 'OPEN' AND r.closes_on < $1::date
		RETURNING r.*`, sqlDay(today), limit)
	if err != nil {
		return nil, fmt.Errorf("close openings past their closing date on %s: %w", sqlDay(today), err)
	}
	return rows, nil
}

// MoveCourseStates sets, for up to limit courses (withdrawn ones aside) whose state on
// today differs from the one last announced, course_state to the state on today, and
// returns them with the state they had. The rows are locked and compared again under
// the lock, so that concurrent runs move each course once. The version stays: the state
// the API shows never came from the column.
func (t *Tx) MoveCourseStates(ctx context.Context, today time.Time, limit int) ([]CourseMove, error) {
	state := courseState("c", "$1::date")
	var rows []CourseMove
	err := t.selectRows(ctx, &rows, `
		WITH due AS (
			SELECT c.id, c.course_state AS from_state, `+state+` AS to_state FROM resource c
			WHERE c.category = 'TRAINING_COURSE' AND c.withdrawn_on IS NULL AND c.course_state IS DISTINCT FROM `+state+`
			ORDER BY c.id LIMIT $2 FOR UPDATE
		)
		UPDATE resource r SET course_state = due.to_state
		FROM due WHERE r.id = due.id
		RETURNING r.*, due.from_state`, sqlDay(today), limit)
	if err != nil {
		return nil, fmt.Errorf("move the states of courses on %s: %w", sqlDay(today), err)
	}
	return rows, nil
}
