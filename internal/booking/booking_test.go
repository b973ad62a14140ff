package booking

import (
	"testing"
	"time"
)

var base = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

func at(h, m int) time.Time {
	return base.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func TestFreeListsTheGapsOfAtLeastTheMinimum(t *testing.T) {
	day := Period{at(8, 0), at(18, 0)}
	cases := []struct {
		name    string
		busy    []Period
		minimum time.Duration
		want    []Period
	}{
		{"nothing booked", nil, DefaultMinimumFree, []Period{day}},
		{"one booking in the middle", []Period{{at(10, 0), at(12, 0)}}, DefaultMinimumFree,
			[]Period{{at(8, 0), at(10, 0)}, {at(12, 0), at(18, 0)}}},
		{"bookings out of order, touching and overlapping", []Period{{at(14, 0), at(15, 0)}, {at(9, 0), at(11, 0)}, {at(11, 0), at(12, 0)}, {at(10, 0), at(10, 30)}},
			DefaultMinimumFree, []Period{{at(8, 0), at(9, 0)}, {at(12, 0), at(14, 0)}, {at(15, 0), at(18, 0)}}},
		{"bookings reaching past both ends", []Period{{at(6, 0), at(9, 0)}, {at(17, 0), at(20, 0)}}, DefaultMinimumFree,
			[]Period{{at(9, 0), at(17, 0)}}},
		{"a gap shorter than the minimum is left out", []Period{{at(8, 0), at(10, 0)}, {at(10, 20), at(18, 0)}}, DefaultMinimumFree, nil},
		{"the same gap is listed with a smaller minimum", []Period{{at(8, 0), at(10, 0)}, {at(10, 20), at(18, 0)}}, 15 * time.Minute,
			[]Period{{at(10, 0), at(10, 20)}}},
		{"a booking covering the window leaves nothing", []Period{{at(0, 0), at(23, 0)}}, DefaultMinimumFree, nil},
		{"bookings outside the window change nothing", []Period{{at(1, 0), at(2, 0)}, {at(19, 0), at(20, 0)}}, DefaultMinimumFree, []Period{day}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Free(day, c.busy, c.minimum)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if !got[i].Start.Equal(c.want[i].Start) || !got[i].End.Equal(c.want[i].End) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestCheckBookingNamesTheFieldAtFault(t *testing.T) {
	now := at(9, 0)
	cases := []struct {
		name  string
		p     Period
		field string
	}{
		{"ends before it starts", Period{at(12, 0), at(11, 0)}, "end"},
		{"ends when it starts", Period{at(12, 0), at(12, 0)}, "end"},
		{"shorter than a quarter of an hour", Period{at(12, 0), at(12, 10)}, "end"},
		{"longer than a month", Period{at(12, 0), at(12, 0).Add(32 * 24 * time.Hour)}, "end"},
		{"started an hour ago", Period{at(8, 0), at(10, 0)}, "start"},
		{"starts more than a year ahead", Period{at(12, 0).Add(367 * 24 * time.Hour), at(13, 0).Add(367 * 24 * time.Hour)}, "start"},
		{"fine", Period{at(12, 0), at(14, 0)}, ""},
		{"starts a minute ago, within the grace", Period{at(8, 59), at(10, 0)}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckBooking(c.p, now)
			switch {
			case c.field == "" && len(got) != 0:
				t.Fatalf("refused: %v", got)
			case c.field != "" && (len(got) != 1 || got[0].Field != c.field):
				t.Fatalf("got %v, want one problem at %s", got, c.field)
			}
		})
	}
}

func TestCheckWindowRefusesEmptyAndLongWindows(t *testing.T) {
	if p := CheckWindow(Period{at(10, 0), at(10, 0)}); p == nil || p.Field != "to" {
		t.Errorf("an empty window: %v", p)
	}
	if p := CheckWindow(Period{base, base.Add(MaxWindow + time.Hour)}); p == nil || p.Field != "to" {
		t.Errorf("a window past 92 days: %v", p)
	}
	if p := CheckWindow(Period{base, base.Add(MaxWindow)}); p != nil {
		t.Errorf("a window of 92 days: %v", p)
	}
}
