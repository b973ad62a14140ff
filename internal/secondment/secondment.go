// Package secondment holds the rules of teacher secondments that need no database: the
// states a secondment moves through, and what a period of days and its teaching hours
// may be. The store enforces the one rule these cannot, that a teacher's accepted
// secondments never overlap, with an exclusion constraint.
package secondment

import (
	"fmt"
	"time"
)

// State is where a secondment stands.
type State string

// The states of a secondment, as in the GraphQL contract. A request waits REQUESTED
// until the teacher's organization answers ACCEPTED or DECLINED; either party may
// cancel one REQUESTED or ACCEPTED until its last day has passed.
const (
	Requested State = "REQUESTED"
	Accepted  State = "ACCEPTED"
	Declined  State = "DECLINED"
	Cancelled State = "CANCELLED"
)

// States lists every state, in the contract's order.
var States = []State{Requested, Accepted, Declined, Cancelled}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, x := range States {
		if s == x {
			return true
		}
	}
	return false
}

// Decidable reports whether a secondment in state s still waits for its answer.
func (s State) Decidable() bool { return s == Requested }

// Cancellable reports whether a secondment in state s may still be cancelled, before
// its last day has passed.
func (s State) Cancellable() bool { return s == Requested || s == Accepted }

const (
	// MaxHoursPerDay bounds the teaching hours asked for: a working day of teaching for
	// every day of the period.
	MaxHoursPerDay = 8
	// MaxDays is the longest secondment, a school year; a longer one is an employment.
	MaxDays = 366
	// MaxAhead is how many days ahead a secondment may start: schools plan a year.
	MaxAhead = 366
	// MaxWindow is the longest stretch of days a read of secondments filters on.
	MaxWindow = 3 * 366
)

// Period is a stretch of days, From and To both included, as dates at midnight UTC
// standing for days in Shenyang's calendar.
type Period struct {
	From time.Time
	To   time.Time
}

// Days is how many days the period holds.
func (p Period) Days() int { return int(p.To.Sub(p.From)/(24*time.Hour)) + 1 }

// Problem is why a request was refused, at the input field it concerns. OutOfOrder
// marks dates given the wrong way round, which clients tell apart.
type Problem struct {
	Field      string
	Message    string
	OutOfOrder bool
}

// CheckRequest reports what is wrong with asking for hours of teaching over p on the
// day today; nil when nothing is.
func CheckRequest(p Period, hours int, today time.Time) []Problem {
	if p.To.Before(p.From) {
		return []Problem{{Field: "to", Message: fmt.Sprintf("%s is before %s", day(p.To), day(p.From)), OutOfOrder: true}}
	}
	var out []Problem
	switch {
	case p.From.Before(today):
		out = append(out, Problem{Field: "from", Message: fmt.Sprintf("%s has passed: a secondment starts today (%s) or later", day(p.From), day(today))})
	case p.From.After(today.AddDate(0, 0, MaxAhead)):
		out = append(out, Problem{Field: "from", Message: fmt.Sprintf("is more than %d days ahead", MaxAhead)})
	}
	if p.Days() > MaxDays {
		out = append(out, Problem{Field: "to", Message: fmt.Sprintf("a secondment lasts at most %d days (this one %d)", MaxDays, p.Days())})
	}
	if most := MaxHoursPerDay * p.Days(); hours < 1 || hours > most {
		out = append(out, Problem{Field: "hours", Message: fmt.Sprintf("must be between 1 and %d, %d a day of the period (got %d)", most, MaxHoursPerDay, hours)})
	}
	return out
}

// CheckWindow reports what is wrong with reading secondments over the days of w.
func CheckWindow(w Period) *Problem {
	switch {
	case w.To.Before(w.From):
		return &Problem{Field: "to", Message: fmt.Sprintf("%s is before %s", day(w.To), day(w.From)), OutOfOrder: true}
	case w.Days() > MaxWindow:
		return &Problem{Field: "to", Message: fmt.Sprintf("a window covers at most %d days (this one %d)", MaxWindow, w.Days())}
	}
	return nil
}

// Ended reports whether p's last day is before today.
func (p Period) Ended(today time.Time) bool { return p.To.Before(today) }

func day(t time.Time) string { return t.Format(time.DateOnly) }
