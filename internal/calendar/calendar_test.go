package calendar

import (
	"testing"
	"time"
)

func TestTodayIsTheDateInShenyang(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		newYork = time.FixedZone("EST", -5*3600) // no time zone database here
	}
	for _, c := range []struct {
		now  time.Time
		want time.Time
	}{
		{time.Date(2026, 10, 14, 15, 59, 59, 0, time.UTC), Date(2026, 10, 14)},
		{time.Date(2026, 10, 14, 16, 0, 0, 0, time.UTC), Date(2026, 10, 15)}, // midnight in Shenyang
		{time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), Date(2026, 10, 15)},
		{time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), Date(2027, 1, 1)},
		{time.Date(2026, 10, 14, 12, 0, 0, 0, newYork), Date(2026, 10, 15)}, // 16:00 UTC
		{time.Date(2026, 10, 15, 7, 59, 0, 0, time.FixedZone("CST", 8*3600)), Date(2026, 10, 15)},
	} {
		if got := Today(c.now); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("Today(%s) = %s, want %s (UTC)", c.now, got, c.want)
		}
	}
}

func TestNextMidnightIsTheStartOfTheNextShenyangDay(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want time.Time
	}{
		{time.Date(2026, 10, 14, 15, 59, 59, 0, time.UTC), time.Date(2026, 10, 14, 16, 0, 0, 0, time.UTC)},
		{time.Date(2026, 10, 14, 16, 0, 0, 0, time.UTC), time.Date(2026, 10, 15, 16, 0, 0, 0, time.UTC)},
		{time.Date(2026, 10, 15, 3, 0, 0, 0, time.UTC), time.Date(2026, 10, 15, 16, 0, 0, 0, time.UTC)},
	} {
		got := NextMidnight(c.now)
		if !got.Equal(c.want) {
			t.Errorf("NextMidnight(%s) = %s, want %s", c.now, got, c.want)
		}
		if !got.After(c.now) || !Today(got).Equal(Today(c.now).AddDate(0, 0, 1)) || !Today(got.Add(-time.Nanosecond)).Equal(Today(c.now)) {
			t.Errorf("NextMidnight(%s) = %s is not where %s begins", c.now, got, Today(c.now).AddDate(0, 0, 1))
		}
	}
}

// stateCase is one course and its state on a day.
type stateCase struct {
	name             string
	startsOn, endsOn *time.Time
	want             CourseState
}

func at(y int, m time.Month, d int) *time.Time {
	t := Date(y, m, d)
	return &t
}

func TestStateOfFollowsTheDates(t *testing.T) {
	today := Date(2026, 10, 15)
	window := today.AddDate(0, 0, EnrolmentWindow) // 2026-12-10
	for _, c := range []stateCase{
		{"no dates", nil, nil, Enrolling},
		{"no start, ends later", nil, at(2026, 12, 1), Enrolling},
		{"no start, ended yesterday", nil, at(2026, 10, 14), Ended},
		{"starts after the window", &[]time.Time{window.AddDate(0, 0, 1)}[0], nil, Upcoming},
		{"starts on the window's last day", &window, nil, Enrolling},
		{"starts tomorrow", at(2026, 10, 16), at(2026, 11, 30), Enrolling},
		{"starts today", at(2026, 10, 15), at(2026, 11, 30), Running},
		{"started, no end", at(2026, 9, 1), nil, Running},
		{"ends today", at(2026, 9, 1), at(2026, 10, 15), Running},
		{"one-day course today", at(2026, 10, 15), at(2026, 10, 15), Running},
		{"ended yesterday", at(2026, 9, 1), at(2026, 10, 14), Ended},
	} {
		if got := StateOf(c.startsOn, c.endsOn, today); got != c.want {
			t.Errorf("%s: StateOf(%v, %v, %s) = %s, want %s", c.name, fmtDay(c.startsOn), fmtDay(c.endsOn), today.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestStateOfComparesDaysWhateverTheLocation(t *testing.T) {
	// A date read back in another location (the driver's, a client's) is the same day.
	starts := time.Date(2026, 10, 15, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if got := StateOf(&starts, nil, Date(2026, 10, 15)); got != Running {
		t.Errorf("a course starting on the day in another location is %s, want RUNNING", got)
	}
	if got := StateOf(&starts, nil, time.Date(2026, 10, 14, 23, 0, 0, 0, time.UTC)); got != Enrolling {
		t.Errorf("the day before, with a time of day, it is %s, want ENROLLING", got)
	}
}

func TestStartedStates(t *testing.T) {
	for _, s := range CourseStates {
		if want := s == Running || s == Ended; s.Started() != want {
			t.Errorf("%s.Started() = %v", s, s.Started())
		}
	}
}

func fmtDay(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.Format(time.DateOnly)
}
