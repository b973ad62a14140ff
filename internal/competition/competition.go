// Package competition holds the rules of skills-competition editions that need no
// database: the days an edition runs, when members may register talents for it, and
// the states of an entry.
package competition

import (
	"fmt"
	"slices"
	"time"
)

// State is where a talent's entry in an edition stands.
type State string

// The states of an entry, as in the GraphQL contract: a member enters a talent
// REGISTERED and may withdraw it, WITHDRAWN, before the contest starts; a withdrawn
// entry may be renewed while registration is open.
const (
	Registered State = "REGISTERED"
	Withdrawn  State = "WITHDRAWN"
)

// States lists every state, in the contract's order.
var States = []State{Registered, Withdrawn}

// Valid reports whether s is one of States.
func (s State) Valid() bool { return slices.Contains(States, s) }

const (
	// MaxDays is the longest contest: the national competitions run over weeks of
	// events, none over two months.
	MaxDays = 61
	// MaxAhead is how far ahead an edition may be scheduled: the alliance plans two
	// school years of competitions.
	MaxAhead = 2 * 366
)

// Days are an edition's contest days, First and Last both included, as dates at
// midnight UTC standing for days in Shenyang's calendar; Deadline, when set, is the
// last day members may register talents.
type Days struct {
	First, Last time.Time
	Deadline    *time.Time
}

// Problem is why an edition's days were refused, at the input field they concern.
// OutOfOrder marks dates given the wrong way round, which clients tell apart.
type Problem struct {
	Field      string
	Message    string
	OutOfOrder bool
}

// Check reports what is wrong with scheduling d on the day today: the contest starts
// today or later, within MaxAhead, lasts at most MaxDays, and takes registrations
// until a day before it starts. Changing an edition checks the same, except that a
// contest already under way keeps its first day (changed says which days were given).
func Check(d Days, today time.Time, changed func(field string) bool) []Problem {
	if d.Last.Before(d.First) {
		return []Problem{{Field: "endsOn", Message: fmt.Sprintf("%s is before %s", day(d.Last), day(d.First)), OutOfOrder: true}}
	}
	var out []Problem
	switch {
	case changed("startsOn") && d.First.Before(today):
		out = append(out, Problem{Field: "startsOn", Message: fmt.Sprintf("%s has passed: an edition starts today (%s) or later", day(d.First), day(today))})
	case d.First.After(today.AddDate(0, 0, MaxAhead)):
		out = append(out, Problem{Field: "startsOn", Message: fmt.Sprintf("is more than %d days ahead", MaxAhead)})
	}
	if n := int(d.Last.Sub(d.First)/(24*time.Hour)) + 1; n > MaxDays {
		out = append(out, Problem{Field: "endsOn", Message: fmt.Sprintf("an edition runs at most %d days (this one %d)", MaxDays, n)})
	}
	// A deadline kept while the first day moves must still precede it: the problem is
	// then the first day's.
	if d.Deadline != nil && (changed("registrationDeadline") || changed("startsOn")) {
		switch {
		case !d.Deadline.Before(d.First) && changed("registrationDeadline"):
			out = append(out, Problem{Field: "registrationDeadline", Message: fmt.Sprintf("%s is not before the first day, %s", day(*d.Deadline), day(d.First)), OutOfOrder: true})
		case !d.Deadline.Before(d.First):
			if slices.ContainsFunc(out, func(p Problem) bool { return p.Field == "startsOn" }) {
				break // one problem per field: the first day's own comes first
			}
			out = append(out, Problem{Field: "startsOn", Message: fmt.Sprintf("%s is not after the registration deadline, %s", day(d.First), day(*d.Deadline)), OutOfOrder: true})
		case changed("registrationDeadline") && d.Deadline.Before(today):
			out = append(out, Problem{Field: "registrationDeadline", Message: fmt.Sprintf("%s has passed", day(*d.Deadline))})
		}
	}
	return out
}

// Open reports whether members may register talents on the day today: the edition
// takes registrations, its deadline has not passed and its contest has not started.
func (d Days) Open(today time.Time) bool {
	return d.Deadline != nil && !today.After(*d.Deadline) && today.Before(d.First)
}

// Upcoming reports whether the edition's results are still to come on the day today.
func (d Days) Upcoming(today time.Time) bool { return d.Last.After(today) }

func day(t time.Time) string { return t.Format(time.DateOnly) }
