package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// secondment is a company's teacher asked for by a school.
type secondment struct {
	teacher            *resource
	requester          *org
	from, to           day
	hours              int
	purpose, state     string
	requested, decided day
	note               string
	cancelled          day
}

// secondmentsPerCopy bounds the secondments of one copy of the alliance: a handful of
// stories, not a market.
const secondmentsPerCopy = 10

// secondments tells the story the alliance was founded for: companies lend senior
// technicians to schools whose curricula lag their industry. Each of the first
// companies' teachers shared with the whole alliance is asked for by a school teaching
// its industry's skills, in turn: a secondment running now, a request awaiting its
// answer, one declined, one accepted for the coming term that another school asks for
// too (requests compete until one is accepted), and one cancelled.
func (g *gen) secondments() {
	for _, cs := range g.copies {
		n := 0
		for _, t := range cs.teachers {
			p := t.provider
			if n >= secondmentsPerCopy || p.kind != kindCompany || !t.sharedWithAll || p.left != 0 || t.sharedOn > g.asOf-30 || len(t.skills) == 0 {
				continue
			}
			schools := activeIn(cs.matchingSchools[p.industry], g.asOf-60)
			if len(schools) < 2 {
				continue
			}
			school, rival := schools[n%len(schools)], schools[(n+1)%len(schools)]
			what := "Teach " + g.skills[t.skills[0].skill].spec.en
			a := g.asOf
			switch n % 5 {
			case 0:
				g.seconded = append(g.seconded, secondment{teacher: t, requester: school, from: a - 10, to: a + 40, hours: 96,
					purpose: what + " on the school's new line, two mornings a week", state: "ACCEPTED", requested: a - 40, decided: a - 30,
					note: "Tuesday and Thursday mornings; the line stays with us on Fridays."})
			case 1:
				g.seconded = append(g.seconded, secondment{teacher: t, requester: school, from: a + 14, to: a + 70, hours: 64,
					purpose: what + " for the graduating class's workshop", state: "REQUESTED", requested: a - 3})
			case 2:
				g.seconded = append(g.seconded, secondment{teacher: t, requester: school, from: a + 7, to: a + 21, hours: 40,
					purpose: what + ": a fortnight's intensive course", state: "DECLINED", requested: a - 12, decided: a - 8,
					note: "Our technician is commissioning a production line these weeks; ask us again for next term."})
			case 3:
				g.seconded = append(g.seconded,
					secondment{teacher: t, requester: school, from: a + 40, to: a + 130, hours: 120,
						purpose: what + " for next term's apprenticeship class", state: "ACCEPTED", requested: a - 20, decided: a - 6},
					secondment{teacher: t, requester: rival, from: a + 60, to: a + 90, hours: 48,
						purpose: what + " in the school's training centre", state: "REQUESTED", requested: a - 2})
			case 4:
				g.seconded = append(g.seconded, secondment{teacher: t, requester: school, from: a + 5, to: a + 35, hours: 60,
					purpose: what + " while the school's own teacher is on leave", state: "CANCELLED", requested: a - 25, decided: a - 20,
					cancelled: a - 4})
			}
			n++
		}
	}
}

// activeIn is the schools among orgs that were members from since on and still are.
func activeIn(orgs []*org, since day) []*org {
	var out []*org
	for _, o := range orgs {
		if o.left == 0 && o.joined != 0 && o.joined <= since {
			out = append(out, o)
		}
	}
	return out
}

// at is a time of day d in Shenyang, for the secondments' timestamps.
func at(d day, hour int) string {
	y, m, dd := d.time().Date()
	return time.Date(y, m, dd, hour, 30, 0, 0, shenyang).Format(time.RFC3339)
}

// writeSecondments copies the secondments in; their ids come from the table's sequence.
func (g *gen) writeSecondments(ctx context.Context, tx *sqlx.Tx) error {
	cols := []string{"teacher_id", "requester_id", "provider_id", "period", "hours", "purpose", "state", "requested_by", "requested_at",
		"decided_by", "decided_at", "decision_note", "cancelled_by", "cancelled_at"}
	return copyIn(ctx, tx, "secondment", cols, len(g.seconded), func(i int, v []any) {
		s := g.seconded[i]
		v[0], v[1], v[2] = s.teacher.id, s.requester.id, s.teacher.provider.id
		v[3] = fmt.Sprintf("[%s,%s]", s.from, s.to)
		v[4], v[5], v[6] = s.hours, s.purpose, s.state
		v[7], v[8] = "demo", at(s.requested, 9)
		if s.decided != 0 {
			v[9], v[10] = "demo", at(s.decided, 15)
		}
		v[11] = sv(s.note)
		if s.cancelled != 0 {
			v[12], v[13] = "demo", at(s.cancelled, 11)
		}
	})
}
