package booking

import (
	"fmt"
	"testing"
	"time"
)

// weekdays are 08:00–12:00 and 13:00–18:00 Monday to Friday, 09:00–12:00 on Saturday.
var weekdays = func() Hours {
	var h Hours
	for d := time.Monday; d <= time.Friday; d++ {
		h = append(h, Opening{d, 8 * 60, 12 * 60}, Opening{d, 13 * 60, 18 * 60})
	}
	return append(h, Opening{time.Saturday, 9 * 60, 12 * 60})
}()

// cst reads a time in Shenyang: base (2026-12-07) is a Monday.
func cst(day, h, m int) time.Time {
	return time.Date(2026, 12, 7+day, h, m, 0, 0, shenyang).UTC()
}

func TestOpenListsTheStretchesOfAWindow(t *testing.T) {
	cases := []struct {
		name  string
		hours Hours
		w     Period
		want  []Period
	}{
		{"no hours: always open", nil, Period{cst(0, 0, 0), cst(1, 0, 0)}, []Period{{cst(0, 0, 0), cst(1, 0, 0)}}},
		{"a Monday", weekdays, Period{cst(0, 0, 0), cst(1, 0, 0)}, []Period{{cst(0, 8, 0), cst(0, 12, 0)}, {cst(0, 13, 0), cst(0, 18, 0)}}},
		{"a window cutting stretches", weekdays, Period{cst(0, 10, 0), cst(0, 14, 0)}, []Period{{cst(0, 10, 0), cst(0, 12, 0)}, {cst(0, 13, 0), cst(0, 14, 0)}}},
		{"a weekend", weekdays, Period{cst(5, 0, 0), cst(7, 0, 0)}, []Period{{cst(5, 9, 0), cst(5, 12, 0)}}},
		{"a window given in UTC across Shenyang's midnight", weekdays, Period{time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)},
			[]Period{{cst(1, 8, 0), cst(1, 9, 0)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.hours.Open(c.w); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("Open = %v, want %v", got, c.want)
			}
		})
	}
}

func TestWithinHoldsOnlyPeriodsInsideOneStretch(t *testing.T) {
	cases := []struct {
		p    Period
		want bool
	}{
		{Period{cst(0, 8, 0), cst(0, 12, 0)}, true},
		{Period{cst(0, 9, 0), cst(0, 10, 0)}, true},
		{Period{cst(0, 11, 0), cst(0, 14, 0)}, false}, // over lunch
		{Period{cst(0, 7, 30), cst(0, 9, 0)}, false},
		{Period{cst(6, 9, 0), cst(6, 10, 0)}, false}, // Sunday
		{Period{cst(5, 9, 0), cst(5, 12, 0)}, true},
	}
	for _, c := range cases {
		if got := weekdays.Within(c.p); got != c.want {
			t.Errorf("Within(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if !Hours(nil).Within(Period{cst(6, 3, 0), cst(6, 4, 0)}) {
		t.Error("a facility without hours is always open")
	}
}

func TestCheckHoursNamesTheStretchAtFault(t *testing.T) {
	cases := []struct {
		name  string
		hours Hours
		field string
	}{
		{"fine", weekdays, ""},
		{"closing before opening", Hours{{time.Monday, 600, 540}}, "0.closes"},
		{"past midnight", Hours{{time.Monday, 600, 24*60 + 1}}, "0.closes"},
		{"a negative opening", Hours{{time.Monday, -1, 60}}, "0.opens"},
		{"overlapping stretches of a day", Hours{{time.Monday, 480, 720}, {time.Tuesday, 600, 700}, {time.Monday, 700, 800}}, "2.opens"},
	}
	for _, c := range cases {
		got := CheckHours(c.hours)
		if c.field == "" && len(got) != 0 || c.field != "" && (len(got) != 1 || got[0].Field != c.field) {
			t.Errorf("%s: %+v, want a problem at %q", c.name, got, c.field)
		}
	}
	if got := CheckHours(make(Hours, MaxOpenings+1)); len(got) != 1 {
		t.Errorf("too many stretches: %+v", got)
	}
}

func TestParseClockReadsHoursAndMinutes(t *testing.T) {
	for s, want := range map[string]int{"00:00": 0, "08:30": 510, "23:59": 1439, "24:00": 1440} {
		if got, err := ParseClock(s); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", s, got, err, want)
		}
		if Clock(want) != s {
			t.Errorf("Clock(%d) = %q, want %q", want, Clock(want), s)
		}
	}
	for _, s := range []string{"8:30", "08:60", "24:01", "25:00", "0830", "08:30:00", "", "ab:cd"} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
}

func TestUtilizationIsTheBookedShareOfOpenTime(t *testing.T) {
	open := weekdays.Open(Period{cst(0, 0, 0), cst(1, 0, 0)}) // 9 hours
	cases := []struct {
		busy []Period
		want float64
	}{
		{nil, 0},
		{[]Period{{cst(0, 8, 0), cst(0, 12, 0)}}, 4.0 / 9},
		{[]Period{{cst(0, 11, 0), cst(0, 14, 0)}}, 2.0 / 9}, // lunch is not open time
		{[]Period{{cst(0, 0, 0), cst(1, 0, 0)}}, 1},
	}
	for _, c := range cases {
		if got := Utilization(open, c.busy); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("Utilization(%v) = %v, want %v", c.busy, got, c.want)
		}
	}
	if Utilization(nil, nil) != 0 {
		t.Error("nothing open: 0")
	}
	if s := weekdays.String(); s != "Mon 08:00–12:00, 13:00–18:00; Tue 08:00–12:00, 13:00–18:00; Wed 08:00–12:00, 13:00–18:00; Thu 08:00–12:00, 13:00–18:00; Fri 08:00–12:00, 13:00–18:00; Sat 09:00–12:00" {
		t.Errorf("String = %q", s)
	}
}

func TestDaysNameGosWeekdays(t *testing.T) {
	for w := time.Sunday; w <= time.Saturday; w++ {
		if got, ok := DayOf(w).Weekday(); !ok || got != w {
			t.Errorf("%s: %s reads back as %s", w, DayOf(w), got)
		}
	}
	if _, ok := Day("FUNDAY").Weekday(); ok {
		t.Error("FUNDAY is a day")
	}
}
