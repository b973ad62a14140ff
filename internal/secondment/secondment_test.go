package secondment

import (
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestCheckRequestFindsEveryProblemAtItsField(t *testing.T) {
	today := date(2026, 12, 3)
	cases := []struct {
		name       string
		p          Period
		hours      int
		fields     []string
		outOfOrder bool
	}{
		{"one day, a full day of teaching", Period{today, today}, 8, nil, false},
		{"a term of teaching", Period{date(2027, 3, 1), date(2027, 6, 30)}, 120, nil, false},
		{"dates the wrong way round", Period{today.AddDate(0, 0, 2), today.AddDate(0, 0, 1)}, 4, []string{"to"}, true},
		{"started yesterday", Period{today.AddDate(0, 0, -1), today.AddDate(0, 0, 3)}, 4, []string{"from"}, false},
		{"more than a year ahead", Period{today.AddDate(0, 0, MaxAhead+1), today.AddDate(0, 0, MaxAhead+2)}, 4, []string{"from"}, false},
		{"longer than a school year", Period{today, today.AddDate(0, 0, MaxDays)}, 40, []string{"to"}, false},
		{"no hours", Period{today, today}, 0, []string{"hours"}, false},
		{"more than eight hours a day", Period{today, today.AddDate(0, 0, 1)}, 17, []string{"hours"}, false},
		{"past and overbooked", Period{today.AddDate(0, 0, -1), today.AddDate(0, 0, -1)}, 9, []string{"from", "hours"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckRequest(c.p, c.hours, today)
			if len(got) != len(c.fields) {
				t.Fatalf("problems %+v, want at %v", got, c.fields)
			}
			for i, p := range got {
				if p.Field != c.fields[i] || p.OutOfOrder != c.outOfOrder {
					t.Errorf("problem %d: %+v, want at %s (out of order %v)", i, p, c.fields[i], c.outOfOrder)
				}
			}
		})
	}
}

func TestPeriodsCountBothEnds(t *testing.T) {
	if d := (Period{date(2026, 12, 1), date(2026, 12, 1)}).Days(); d != 1 {
		t.Errorf("one day holds %d", d)
	}
	if d := (Period{date(2026, 12, 30), date(2027, 1, 2)}).Days(); d != 4 {
		t.Errorf("30 December to 2 January holds %d days, want 4", d)
	}
	p := Period{date(2026, 12, 1), date(2026, 12, 3)}
	if p.Ended(date(2026, 12, 3)) || !p.Ended(date(2026, 12, 4)) {
		t.Error("a period ends after its last day")
	}
}

func TestStatesSayWhatMayHappenNext(t *testing.T) {
	for _, c := range []struct {
		s                     State
		decidable, cancelable bool
	}{
		{Requested, true, true}, {Accepted, false, true}, {Declined, false, false}, {Cancelled, false, false},
	} {
		if c.s.Decidable() != c.decidable || c.s.Cancellable() != c.cancelable || !c.s.Valid() {
			t.Errorf("%s: decidable %v cancellable %v", c.s, c.s.Decidable(), c.s.Cancellable())
		}
	}
	if State("LENT").Valid() {
		t.Error("an unknown state is valid")
	}
	if len(States) != 4 {
		t.Errorf("%d states", len(States))
	}
}

func TestCheckWindowBoundsReads(t *testing.T) {
	from := date(2026, 12, 1)
	if p := CheckWindow(Period{from, from.AddDate(0, 0, MaxWindow-1)}); p != nil {
		t.Errorf("the longest window refused: %+v", p)
	}
	if p := CheckWindow(Period{from, from.AddDate(0, 0, MaxWindow)}); p == nil || p.Field != "to" {
		t.Errorf("a window too long: %+v", p)
	}
	if p := CheckWindow(Period{from, from.AddDate(0, 0, -1)}); p == nil || !p.OutOfOrder {
		t.Errorf("a window the wrong way round: %+v", p)
	}
}
