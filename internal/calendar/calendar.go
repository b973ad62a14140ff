// Package calendar is the alliance's calendar: which day it is, when the next one begins,
// and where a training course is in its life on a given day. The alliance lives in
// Shenyang, so its day is the date there, whatever the server's time zone; every rule
// that depends on the day (an opening past its closing date, a course that has started)
// asks this package.
package calendar

import (
	"fmt"
	"time"
)

// Clock tells the time. Servers take one so that tests can move time on.
type Clock func() time.Time

// UTCOffset is Shenyang's offset from UTC: China Standard Time, UTC+8 all year (China
// keeps no daylight saving time), so a fixed offset serves without the time zone
// database.
const UTCOffset = 8 * time.Hour

// Today is the alliance's date at now: the date in Shenyang, as midnight UTC, the form
// the store gives DATE columns.
func Today(now time.Time) time.Time {
	y, m, d := now.In(time.FixedZone("CST", int(UTCOffset/time.Second))).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// NextMidnight is the instant the alliance's next day begins after now: midnight in
// Shenyang, 16:00 UTC the day before.
func NextMidnight(now time.Time) time.Time {
	return Today(now).AddDate(0, 0, 1).Add(-UTCOffset)
}

// Date names a day in the form Today gives it.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// CourseState is where a training course is in its life on a given day, value for value
// the CourseState enum of the GraphQL contract.
type CourseState string

// The states of a course, in the order a course passes through them.
const (
	// Upcoming: the course starts more than EnrolmentWindow days ahead; enrolment has not
	// opened yet.
	Upcoming CourseState = "UPCOMING"
	// Enrolling: enrolment is open, from EnrolmentWindow days before the start until the
	// day before it; a course without a start date enrols until it is given one.
	Enrolling CourseState = "ENROLLING"
	// Running: the course has started and not ended (or has no end date).
	Running CourseState = "RUNNING"
	// Ended: the course's last day is past.
	Ended CourseState = "ENDED"
)

// CourseStates lists every state, in the contract's order.
var CourseStates = []CourseState{Upcoming, Enrolling, Running, Ended}

// EnrolmentWindow is how many days before its start a course opens for enrolment:
// eight weeks.
const EnrolmentWindow = 8 * 7

// StateOf is the state on today of a course that starts on startsOn and ends on endsOn
// (either may be unknown). Dates are compared as days, in the form Today gives them.
//
// The rule, in order: ENDED when endsOn < today; RUNNING when startsOn <= today;
// UPCOMING when startsOn > today + EnrolmentWindow; ENROLLING otherwise (which covers a
// course with no start date).
func StateOf(startsOn, endsOn *time.Time, today time.Time) CourseState {
	today = day(today)
	switch {
	case endsOn != nil && day(*endsOn).Before(today):
		return Ended
	case startsOn != nil && !day(*startsOn).After(today):
		return Running
	case startsOn != nil && day(*startsOn).After(today.AddDate(0, 0, EnrolmentWindow)):
		return Upcoming
	}
	return Enrolling
}

// Started reports whether a course in state s has begun: its seats can no longer be
// taken.
func (s CourseState) Started() bool { return s == Running || s == Ended }

// day drops the time of day of a date, so that dates read from the database in any
// location compare as days.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MaxEntriesWindow is the longest stretch of the calendar one read of its entries
// covers: a school year and its holidays, which bounds what a read costs.
const MaxEntriesWindow = 366 * 24 * time.Hour

// CheckEntriesWindow says what is wrong with [from, to) as a window of the calendar's
// entries, at the argument it concerns; ok when nothing is.
func CheckEntriesWindow(from, to time.Time) (field, message string, ok bool) {
	switch {
	case !to.After(from):
		return "to", fmt.Sprintf("%s is not after from, %s", to.UTC().Format(time.RFC3339), from.UTC().Format(time.RFC3339)), false
	case to.Sub(from) > MaxEntriesWindow:
		return "to", fmt.Sprintf("a window spans at most 366 days (this one %d days); read longer stretches window by window", int(to.Sub(from).Hours()/24)), false
	}
	return "", "", true
}
