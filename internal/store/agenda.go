package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/booking"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/secondment"
)

// CalendarKind is what a calendar entry is, value for value the CalendarEntryKind enum of
// the GraphQL contract.
type CalendarKind string

// The kinds of calendar entry.
const (
	CalendarCourse       CalendarKind = "COURSE"
	CalendarClassMeeting CalendarKind = "CLASS_MEETING"
	CalendarBooking      CalendarKind = "FACILITY_BOOKING"
	CalendarCompetition  CalendarKind = "COMPETITION"
	CalendarSecondment   CalendarKind = "SECONDMENT"
	CalendarDeadline     CalendarKind = "REGISTRATION_DEADLINE"
)

// CalendarKinds lists every kind of entry, in the contract's order. An entry's id is its
// kind's place in this list above its row's id, so the list may only grow at its end.
var CalendarKinds = []CalendarKind{CalendarCourse, CalendarClassMeeting, CalendarBooking, CalendarCompetition, CalendarSecondment, CalendarDeadline}

// entryIDShift leaves rows' ids 48 bits: an entry id is unique across kinds, which the
// keyset of a list of entries needs.
const entryIDShift = 48

// CalendarEntry is one dated thing on the alliance's calendar: a course's days, a class
// meeting, a booking, a competition or its registration deadline, or a teacher's secondment. All-day entries run from midnight to midnight in
// Shenyang.
type CalendarEntry struct {
	Keyset
	EntryID int64        `db:"entry_id"`
	Kind    CalendarKind `db:"kind"`
	// SourceID is the id of the row the entry shows: the course, the booking, the
	// competition (for its deadline too) or the secondment.
	SourceID       int64     `db:"source_id"`
	TitleEn        string    `db:"title_en"`
	TitleZh        string    `db:"title_zh"`
	Start          time.Time `db:"starts_at"`
	End            time.Time `db:"ends_at"`
	AllDay         bool      `db:"all_day"`
	OrganizationID *int64    `db:"organization_id"`
	FacilityID     *int64    `db:"facility_id"`
	// CourseID is the course a class meeting belongs to.
	CourseID  *int64 `db:"course_id"`
	Cancelled bool   `db:"cancelled"`
	// Tentative entries await a decision: a requested secondment.
	Tentative bool `db:"tentative"`
	// Sequence counts the entry's changes since it was made, as iCalendar's SEQUENCE.
	Sequence int `db:"sequence"`
	// Modified is when the entry last changed, when that is known.
	Modified *time.Time `db:"modified_at"`
}

// CalendarFilter selects the entries that meet [From, To).
type CalendarFilter struct {
	From, To time.Time
	// Kinds keeps only these kinds; every kind when empty.
	Kinds []CalendarKind
	// Organization keeps the entries an organization holds or hosts: its courses, its
	// bookings and those of its facilities.
	Organization *int64
	// Cancelled keeps cancelled bookings and withdrawn courses too, marked as such.
	Cancelled  bool
	Visibility Visibility
}

var calendarOrders = map[string]sortKey{"START": {"e.starts_at", "timestamptz"}}

// shenyangMidnight is the SQL instant a DATE expression's day begins in Shenyang.
func shenyangMidnight(date string) string {
	return fmt.Sprintf("((%s)::timestamp - interval '%d hours') AT TIME ZONE 'UTC'", date, int(calendar.UTCOffset/time.Hour))
}

func entryID(k CalendarKind, id string) string {
	return fmt.Sprintf("((%d::bigint << %d) | %s)", slices.Index(CalendarKinds, k), entryIDShift, id)
}

// calendarList is the union of every kind's entries f asks for, each branch with its own
// conditions so that each reads its table by its indexes.
func calendarList(f CalendarFilter) *list {
	// A union of a branch per kind takes PostgreSQL longer to plan than to run (11 ms
	// against 6 for a member's month): planned once per session, its few shapes (kinds,
	// organization, visibility) are kept.
	l := &list{id: "e.entry_id", orders: calendarOrders, order: Order{Field: "START"}, cols: "e.*", prepared: true}
	wanted := func(k CalendarKind) bool { return len(f.Kinds) == 0 || slices.Contains(f.Kinds, k) }
	from, to := l.arg(f.From), l.arg(f.To)
	// A statement must use every argument it binds: those of the branches left out are
	// never bound.
	lazy := func(v any) func() string {
		var p string
		return func() string {
			if p == "" {
				p = l.arg(v)
			}
			return p
		}
	}
	// Days of the window in Shenyang, for the entries that last whole days.
	firstDay, lastDay := lazy(calendar.Today(f.From)), lazy(calendar.Today(f.To.Add(-time.Nanosecond)))
	org := func() string { return "" }
	if f.Organization != nil {
		org = lazy(*f.Organization)
	}
	var branches []string
	if wanted(CalendarCourse) {
		conds := []string{"r.category = '" + string(CategoryCourse) + "'", "r.starts_on IS NOT NULL",
			"r.starts_on <= " + lastDay() + "::date", "coalesce(r.ends_on, r.starts_on) >= " + firstDay() + "::date",
			f.Visibility.Resources.condition("r", l.arg)}
		if !f.Cancelled {
			conds = append(conds, "r.withdrawn_on IS NULL")
		}
		if f.Organization != nil {
			conds = append(conds, "r.provider_id = "+org())
		}
		branches = append(branches, "SELECT "+entryID(CalendarCourse, "r.id")+" AS entry_id, '"+string(CalendarCourse)+"'::text AS kind, r.id AS source_id, "+
			"r.title_en, r.title_zh, "+shenyangMidnight("r.starts_on")+" AS starts_at, "+shenyangMidnight("coalesce(r.ends_on, r.starts_on) + 1")+" AS ends_at, "+
			"true AS all_day, r.provider_id AS organization_id, r.facility_id, NULL::bigint AS course_id, r.withdrawn_on IS NOT NULL AS cancelled, false AS tentative, "+
			"r.version - 1 AS sequence, r.created_at AS modified_at FROM resource r WHERE "+strings.Join(conds, " AND "))
	}
	// Bookings are read only by viewers who may see who booked what, and only of
	// facilities their scope sees.
	for _, k := range []CalendarKind{CalendarClassMeeting, CalendarBooking} {
		if !wanted(k) || !f.Visibility.Bookings {
			continue
		}
		conds := []string{overlapping(from, to, f.Cancelled), f.Visibility.Resources.condition("r", l.arg)}
		title, course := "b.purpose AS title_en, b.purpose AS title_zh", ""
		if k == CalendarClassMeeting {
			conds = append(conds, "b.course_id IS NOT NULL")
			// A meeting bears its course's title only for viewers who may see the course.
			title = fmt.Sprintf("coalesce(c.title_en, '%s') AS title_en, coalesce(c.title_zh, '%s') AS title_zh", booking.ClassMeetingPurpose[0], booking.ClassMeetingPurpose[1])
			course = "LEFT JOIN resource c ON c.id = b.course_id AND " + f.Visibility.Resources.condition("c", l.arg)
		} else {
			conds = append(conds, "b.course_id IS NULL")
		}
		if f.Organization != nil {
			// The member's bookings and those of its facilities, each read by its index
			// (a condition on the joined facility's provider would read every booking of
			// the window: 5,096 for a month at 100 times the demo, 45 ms against 1.6).
			conds = append(conds, "(b.organization_id = "+org()+" OR b.facility_id = ANY(ARRAY(SELECT f.id FROM resource f WHERE f.provider_id = "+org()+
				" AND f.category = '"+string(CategoryFacility)+"')))")
		}
		branches = append(branches, "SELECT "+entryID(k, "b.id")+" AS entry_id, '"+string(k)+"'::text AS kind, b.id AS source_id, "+title+", "+
			"lower(b.period) AS starts_at, upper(b.period) AS ends_at, false AS all_day, b.organization_id, b.facility_id, b.course_id, "+
			"b.cancelled_at IS NOT NULL AS cancelled, false AS tentative, b.version - 1 AS sequence, coalesce(b.cancelled_at, b.booked_at) AS modified_at "+
			"FROM facility_booking b JOIN resource r ON r.id = b.facility_id "+course+" WHERE "+strings.Join(conds, " AND "))
	}
	// Competitions are the whole alliance's: an organization's calendar holds those it
	// organizes. An edition spans its contest days; its registration deadline is an entry
	// of its own, on the last day entries are taken.
	comp := func(k CalendarKind, title, first, last, window string) string {
		cond := window
		if f.Organization != nil {
			cond += " AND m.organizer_id = " + org()
		}
		return "SELECT " + entryID(k, "m.id") + " AS entry_id, '" + string(k) + "'::text AS kind, m.id AS source_id, " + title + ", " +
			shenyangMidnight(first) + " AS starts_at, " + shenyangMidnight(last+" + 1") + " AS ends_at, " +
			"true AS all_day, m.organizer_id AS organization_id, NULL::bigint AS facility_id, NULL::bigint AS course_id, false AS cancelled, false AS tentative, " +
			"m.version - 1 AS sequence, NULL::timestamptz AS modified_at FROM competition m WHERE " + cond
	}
	if wanted(CalendarCompetition) {
		branches = append(branches, comp(CalendarCompetition, "m.name_en AS title_en, m.name_zh AS title_zh", "m.starts_on", "m.held_on",
			"daterange(m.starts_on, m.held_on, '[]') && daterange("+firstDay()+"::date, "+lastDay()+"::date, '[]')"))
	}
	if wanted(CalendarDeadline) {
		branches = append(branches, comp(CalendarDeadline, "'Registration closes: ' || m.name_en AS title_en, m.name_zh || '报名截止' AS title_zh",
			"m.registration_deadline", "m.registration_deadline",
			"m.registration_deadline BETWEEN "+firstDay()+"::date AND "+lastDay()+"::date"))
	}
	// Secondments, like bookings, are read only by viewers who may see them, of teachers
	// their scope sees. A request awaiting its answer is tentative; a declined or
	// cancelled one is cancelled.
	if wanted(CalendarSecondment) && f.Visibility.Secondments {
		conds := []string{"s.period && daterange(" + firstDay() + "::date, " + lastDay() + "::date, '[]')", f.Visibility.Resources.condition("t", l.arg)}
		if !f.Cancelled {
			conds = append(conds, fmt.Sprintf("s.state IN ('%s', '%s')", secondment.Requested, secondment.Accepted))
		}
		if f.Organization != nil {
			conds = append(conds, "(s.requester_id = "+org()+" OR s.provider_id = "+org()+")")
		}
		branches = append(branches, "SELECT "+entryID(CalendarSecondment, "s.id")+" AS entry_id, '"+string(CalendarSecondment)+"'::text AS kind, s.id AS source_id, "+
			"'Secondment: ' || t.teacher_name AS title_en, '借调：' || t.teacher_name AS title_zh, "+
			shenyangMidnight("lower(s.period)")+" AS starts_at, "+shenyangMidnight("upper(s.period)")+" AS ends_at, true AS all_day, "+
			"s.requester_id AS organization_id, NULL::bigint AS facility_id, NULL::bigint AS course_id, "+
			fmt.Sprintf("s.state IN ('%s', '%s') AS cancelled, s.state = '%s' AS tentative, ", secondment.Declined, secondment.Cancelled, secondment.Requested)+
			"s.version - 1 AS sequence, coalesce(s.cancelled_at, s.decided_at, s.requested_at) AS modified_at "+
			"FROM secondment s JOIN resource t ON t.id = s.teacher_id WHERE "+strings.Join(conds, " AND "))
	}
	if len(branches) == 0 {
		branches = []string{"SELECT NULL::bigint AS entry_id, NULL::text AS kind, NULL::bigint AS source_id, NULL::text AS title_en, NULL::text AS title_zh, " +
			"NULL::timestamptz AS starts_at, NULL::timestamptz AS ends_at, NULL::boolean AS all_day, NULL::bigint AS organization_id, NULL::bigint AS facility_id, " +
			"NULL::bigint AS course_id, NULL::boolean AS cancelled, NULL::boolean AS tentative, NULL::int AS sequence, NULL::timestamptz AS modified_at WHERE false"}
	}
	l.from = "(" + strings.Join(branches, " UNION ALL ") + ") e"
	// An all-day entry's days meet the window, but its instants may lie just outside it.
	l.where("e.starts_at < " + to + " AND e.ends_at > " + from)
	return l
}

func calendarEntryID(e *CalendarEntry) int64 { return e.EntryID }

// Calendar pages the entries f selects, by their start.
func (s *Store) Calendar(ctx context.Context, f CalendarFilter, p Page) (Result[CalendarEntry], error) {
	return page(ctx, s, "calendar entries", calendarList(f), p, calendarEntryID)
}

// CountCalendar counts the entries f selects.
func (s *Store) CountCalendar(ctx context.Context, f CalendarFilter) (int, error) {
	return count(ctx, s, "calendar entries", calendarList(f))
}

// CalendarUID is an entry's identity in iCalendar: stable across reads and changes, so
// that a calendar application updates the event it already shows; the kind and the row
// make it unique, the domain part tells whose it is.
func CalendarUID(e *CalendarEntry) string {
	return strings.ToLower(strings.ReplaceAll(string(e.Kind), "_", "-")) + "-" + strconv.FormatInt(e.SourceID, 10) + "@alliance-graph"
}
