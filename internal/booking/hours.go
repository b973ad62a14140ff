package booking

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Opening is one stretch of a weekday during which a facility is open, in Shenyang's
// time: from Opens to Closes, in minutes after midnight. Stretches end the day they
// begin: a facility open past midnight has a stretch on each of the two days.
type Opening struct {
	Day    time.Weekday `json:"day"`
	Opens  int          `json:"opens"`
	Closes int          `json:"closes"`
}

// Hours are a facility's weekly opening hours. None: the facility is always open.
type Hours []Opening

// MaxOpenings bounds a week's stretches: three a day.
const MaxOpenings = 21

// shenyang is the zone opening hours are kept in: UTC+8 all year.
var shenyang = time.FixedZone("CST", 8*3600)

// Open lists the stretches of w during which the facility is open, in order; all of w
// when it has no hours.
func (h Hours) Open(w Period) []Period {
	if len(h) == 0 {
		return []Period{w}
	}
	var out []Period
	start := w.Start.In(shenyang)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, shenyang)
	for ; day.Before(w.End); day = day.AddDate(0, 0, 1) {
		for _, o := range h {
			if o.Day != day.Weekday() {
				continue
			}
			p := Period{day.Add(time.Duration(o.Opens) * time.Minute), day.Add(time.Duration(o.Closes) * time.Minute)}
			p.Start, p.End = later(p.Start, w.Start), earlier(p.End, w.End)
			if p.End.After(p.Start) {
				out = append(out, Period{p.Start.UTC(), p.End.UTC()})
			}
		}
	}
	slices.SortFunc(out, func(a, b Period) int { return a.Start.Compare(b.Start) })
	return out
}

// Within reports whether p lies in one stretch the facility is open.
func (h Hours) Within(p Period) bool {
	open := h.Open(p)
	return len(open) == 1 && open[0].Start.Equal(p.Start) && open[0].End.Equal(p.End)
}

// Sorted is the week in a timetable's order: Monday first, each day's stretches by
// their opening.
func (h Hours) Sorted() Hours {
	sorted := slices.Clone(h)
	slices.SortFunc(sorted, func(a, b Opening) int {
		if d := weekdayIndex(a.Day) - weekdayIndex(b.Day); d != 0 {
			return d
		}
		return a.Opens - b.Opens
	})
	return sorted
}

// String reads the hours as a week's timetable, for messages: "Mon 08:00–12:00, 13:00–18:00; Tue ...".
func (h Hours) String() string {
	sorted := h.Sorted()
	var days []string
	for i, o := range sorted {
		stretch := Clock(o.Opens) + "–" + Clock(o.Closes)
		if i > 0 && sorted[i-1].Day == o.Day {
			days[len(days)-1] += ", " + stretch
			continue
		}
		days = append(days, o.Day.String()[:3]+" "+stretch)
	}
	return strings.Join(days, "; ")
}

// FreeWithin is the free time Free finds in each stretch of open, in order.
func FreeWithin(open, busy []Period, minimum time.Duration) []Period {
	var out []Period
	for _, o := range open {
		out = append(out, Free(o, busy, minimum)...)
	}
	return out
}

// Utilization is the share of the open stretches that busy takes, from 0 to 1; 0 when
// nothing is open.
func Utilization(open, busy []Period) float64 {
	var total, free time.Duration
	for _, o := range open {
		total += o.End.Sub(o.Start)
		for _, f := range Free(o, busy, 0) {
			free += f.End.Sub(f.Start)
		}
	}
	if total == 0 {
		return 0
	}
	return float64(total-free) / float64(total)
}

// CheckHours reports what is wrong with a week's opening hours, at the index of the
// stretch at fault; nil when nothing is.
func CheckHours(h Hours) []Problem {
	var out []Problem
	if len(h) > MaxOpenings {
		return []Problem{{"", fmt.Sprintf("a week holds at most %d stretches (got %d)", MaxOpenings, len(h))}}
	}
	for i, o := range h {
		at := fmt.Sprint(i)
		switch {
		case o.Opens < 0 || o.Opens >= 24*60:
			out = append(out, Problem{at + ".opens", "must be a time of day, 00:00 to 23:59"})
		case o.Closes <= o.Opens || o.Closes > 24*60:
			out = append(out, Problem{at + ".closes", fmt.Sprintf("must be after the opening, %s, and at most 24:00", Clock(o.Opens))})
		}
		for j, other := range h[:i] {
			if other.Day == o.Day && o.Opens < other.Closes && other.Opens < o.Closes {
				out = append(out, Problem{at + ".opens", fmt.Sprintf("overlaps stretch %d, %s %s–%s", j, o.Day, Clock(other.Opens), Clock(other.Closes))})
			}
		}
	}
	return out
}

// ParseClock reads a time of day, "08:00" or "24:00", as minutes after midnight.
func ParseClock(s string) (int, error) {
	var h, m int
	if n, err := fmt.Sscanf(s, "%2d:%2d", &h, &m); err != nil || n != 2 || len(s) != 5 || m < 0 || m > 59 || h < 0 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day as HH:MM, 00:00 to 24:00", s)
	}
	return h*60 + m, nil
}

// Clock writes minutes after midnight as HH:MM, as ParseClock reads them.
func Clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// weekdayIndex orders a week from Monday, as the alliance's timetables do.
func weekdayIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Day is a day of the week as the contract names it.
type Day string

// The days of the week.
const (
	Monday    Day = "MONDAY"
	Tuesday   Day = "TUESDAY"
	Wednesday Day = "WEDNESDAY"
	Thursday  Day = "THURSDAY"
	Friday    Day = "FRIDAY"
	Saturday  Day = "SATURDAY"
	Sunday    Day = "SUNDAY"
)

// Days lists the days from Monday, in the contract's order.
var Days = []Day{Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday}

// Weekday is d as Go counts it; false for a name that is no day.
func (d Day) Weekday() (time.Weekday, bool) {
	for i, x := range Days {
		if x == d {
			return time.Weekday((i + 1) % 7), true
		}
	}
	return 0, false
}

// DayOf names w.
func DayOf(w time.Weekday) Day { return Days[weekdayIndex(w)] }
