package demo

import (
	"context"
	"fmt"
	"github.com/alliance-graph/alliance-graph/internal/booking"
	"time"

	"github.com/jmoiron/sqlx"
)

// classBooking is a facility booked for a course's class meeting.
type classBooking struct {
	facility, course *resource
	start, end       time.Time
}

// bookingWeeks is how far ahead of the demo's day the courses' class meetings are
// booked: the timetable a training office has published.
const bookingWeeks = 4

// shenyang is the alliance's time zone (UTC+8, no daylight saving).
var shenyang = time.FixedZone("CST", 8*3600)

// classBookings books, for every course held in a facility and running in the coming
// weeks, its class meetings: two half days a week, from tomorrow. A facility shared by
// several courses is booked for the first that asks, as its training office would; a
// course whose meeting would overlap skips that one, so the timetable shows the
// facilities that are short of time.
func (g *gen) classBookings() {
	first := g.asOf + 1
	last := g.asOf + 7*bookingWeeks
	taken := map[*resource][]classBooking{}
	for i, c := range g.resources {
		f := c.facility
		if c.category != "TRAINING_COURSE" || f == nil || c.endsOn < first || c.startsOn > last {
			continue
		}
		if f.provider != c.provider && !f.sharedWithAll {
			continue
		}
		// Mornings (08:30–11:30) or afternoons (14:00–17:00), on two weekdays chosen by
		// the course's place in the list.
		morning := i%2 == 0
		days := [2]time.Weekday{time.Weekday(1 + i%5), time.Weekday(1 + (i+2)%5)}
		for d := max(first, c.startsOn); d <= min(last, c.endsOn); d++ {
			wd := d.time().Weekday()
			if wd != days[0] && wd != days[1] {
				continue
			}
			y, m, dd := d.time().Date()
			start := time.Date(y, m, dd, 14, 0, 0, 0, shenyang)
			if morning {
				start = time.Date(y, m, dd, 8, 30, 0, 0, shenyang)
			}
			b := classBooking{facility: f, course: c, start: start, end: start.Add(3 * time.Hour)}
			if overlapsAny(taken[f], b) {
				continue
			}
			taken[f] = append(taken[f], b)
			g.bookings = append(g.bookings, b)
		}
	}
}

func overlapsAny(bs []classBooking, b classBooking) bool {
	for _, o := range bs {
		if o.start.Before(b.end) && b.start.Before(o.end) {
			return true
		}
	}
	return false
}

// writeBookings copies the class bookings in; their ids come from the table's sequence.
func (g *gen) writeBookings(ctx context.Context, tx *sqlx.Tx) error {
	return copyIn(ctx, tx, "facility_booking", []string{"facility_id", "organization_id", "period", "purpose", "trainees", "booked_by", "course_id"}, len(g.bookings), func(i int, v []any) {
		b := g.bookings[i]
		v[0], v[1] = b.facility.id, b.course.provider.id
		v[2] = fmt.Sprintf("[%s,%s)", b.start.Format(time.RFC3339), b.end.Format(time.RFC3339))
		v[3] = booking.ClassMeetingPurpose[0]
		v[4] = iv(min(b.course.enrolled, b.facility.capacity))
		v[5], v[6] = "demo", b.course.id
	})
}
