// Package booking holds the rules of facility bookings that need no database: how long
// a booking and a window of the calendar may be, and the free time a day's bookings
// leave. The store enforces the one rule these cannot, that bookings of one facility
// never overlap, with an exclusion constraint.
package booking

import (
	"fmt"
	"slices"
	"time"
)

const (
	// MinLength is the shortest booking: a quarter of an hour, so that a window of the
	// calendar holds a bounded number of them.
	MinLength = 15 * time.Minute
	// MaxLength is the longest booking: a month; longer use is a partnership, not a
	// booking.
	MaxLength = 31 * 24 * time.Hour
	// MaxAhead is how far ahead a booking may start: training offices plan a school year.
	MaxAhead = 366 * 24 * time.Hour
	// MaxWindow is the longest stretch of calendar one read of bookings or free time
	// covers, which bounds what a read costs.
	MaxWindow = 92 * 24 * time.Hour
	// DefaultMinimumFree is the shortest free slot worth listing unless asked otherwise.
	DefaultMinimumFree = 30 * time.Minute
	// grace lets a booking start a little before the request arrives, for clocks that
	// are slightly behind and forms filled in at the last minute.
	grace = 5 * time.Minute
)

// ClassMeetingPurpose is the purpose of the bookings a course makes for its class
// meetings, in English and Chinese. It does not name the course: anyone who sees a
// facility's bookings reads purposes, while a course may be shared with named members
// only; the booking's course, shown to those who may see it, says which.
var ClassMeetingPurpose = [2]string{"Class meeting", "课堂"}

// Period is a stretch of time, [Start, End).
type Period struct {
	Start time.Time
	End   time.Time
}

// Problem is why a period was refused, at the input field it concerns.
type Problem struct {
	Field   string
	Message string
}

// CheckBooking reports what is wrong with booking p at now; nil when nothing is.
func CheckBooking(p Period, now time.Time) []Problem {
	var out []Problem
	switch d := p.End.Sub(p.Start); {
	case d <= 0:
		return []Problem{{"end", fmt.Sprintf("%s is not after the start, %s", stamp(p.End), stamp(p.Start))}}
	case d < MinLength:
		out = append(out, Problem{"end", fmt.Sprintf("a booking lasts at least %s (this one %s)", MinLength, d)})
	case d > MaxLength:
		out = append(out, Problem{"end", fmt.Sprintf("a booking lasts at most 31 days (this one %s)", d.Round(time.Hour))})
	}
	if p.Start.Before(now.Add(-grace)) {
		out = append(out, Problem{"start", fmt.Sprintf("%s has passed", stamp(p.Start))})
	}
	if p.Start.After(now.Add(MaxAhead)) {
		out = append(out, Problem{"start", fmt.Sprintf("a booking starts at most 366 days ahead, by %s", stamp(now.Add(MaxAhead)))})
	}
	return out
}

// CheckWindow reports what is wrong with w as a window to read; nil when nothing is.
func CheckWindow(w Period) *Problem {
	switch {
	case !w.End.After(w.Start):
		return &Problem{"to", fmt.Sprintf("%s is not after from, %s", stamp(w.End), stamp(w.Start))}
	case w.End.Sub(w.Start) > MaxWindow:
		return &Problem{"to", fmt.Sprintf("a window spans at most 92 days (this one %s); read longer stretches window by window", w.End.Sub(w.Start).Round(time.Hour))}
	}
	return nil
}

// Free is the time within w that busy leaves free, in slots of at least minimum, in
// order. busy may overlap w only in part, come in any order and overlap itself.
func Free(w Period, busy []Period, minimum time.Duration) []Period {
	sorted := slices.Clone(busy)
	slices.SortFunc(sorted, func(a, b Period) int { return a.Start.Compare(b.Start) })
	var out []Period
	at := w.Start
	add := func(end time.Time) {
		if end.Sub(at) >= minimum && end.After(at) {
			out = append(out, Period{at, end})
		}
	}
	for _, b := range sorted {
		if !b.End.After(at) {
			continue
		}
		if !b.Start.Before(w.End) {
			break
		}
		if b.Start.After(at) {
			add(b.Start)
		}
		at = b.End
	}
	if at.Before(w.End) {
		add(w.End)
	}
	return out
}

func stamp(t time.Time) string { return t.Format(time.RFC3339) }
