package demo

import (
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/enrolment"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// certificate is a vocational certificate issued on a passed enrolment.
type certificate struct {
	id         int64
	enrollment *enrollment
	number     string
	issuer     int64
	issued     day
}

// certify records that a certificate certified the talent's skill s on the day on, as
// issuing one does: the latest certificate's day, whatever level the talent held.
func (t *talent) certify(s int, on day) {
	for i := range t.skills {
		if t.skills[i].skill == s && on > t.skills[i].certified {
			t.skills[i].certified = on
		}
	}
}

// passMark is the lowest passing assessment score.
const passMark = 60

// assessmentScore is a trainee's score, 52 to 99, derived from the talent and the course
// rather than drawn from the generator, so that the rest of the demo stays as it was:
// about one trainee in ten fails.
func assessmentScore(talent, course int64) int {
	return 52 + int((talent*7919+course*104729)%48)
}

// appliedAt is when the talent asked: in the morning of its day, in the order asked.
func (e *enrollment) appliedAt() time.Time {
	return e.on.time().Add(-8*time.Hour + 9*time.Hour + time.Duration(e.order)*time.Minute)
}

// enrolmentLifecycle gives every enrolment its state and id, tells the waitlist story on
// one running course, and issues the certificates of passed trainees.
//
// Completed trainees of ended courses have their assessment result; those who passed
// were certified at the level the course teaches, by its provider, on the day their
// skill was certified (a CNC course at level 3 makes 高级工). On the running course
// whose class is fullest (a CNC one if any runs), the class was filled to its seats
// before the start and three more talents were waitlisted; two days into the course a
// trainee dropped out and the first on the waitlist took the seat.
func (g *gen) enrolmentLifecycle() {
	byID := make(map[int64]*resource, len(g.resources))
	for _, r := range g.resources {
		byID[r.id] = r
	}
	for i := range g.enrollments {
		e := &g.enrollments[i]
		e.seated, e.state = e.on, string(enrolment.Enrolled)
		if e.completed {
			e.state, e.completedOn = string(enrolment.Completed), byID[e.course].endsOn
			e.result = string(enrolment.Failed)
			if e.score >= passMark {
				e.result = string(enrolment.Passed)
			}
		}
	}
	g.waitlistStory()
	for i := range g.enrollments {
		e := &g.enrollments[i]
		g.last.enrollment++
		e.id = g.last.enrollment
	}
	for i := range g.enrollments {
		e := &g.enrollments[i]
		if e.certified == 0 || e.result != string(enrolment.Passed) {
			continue
		}
		g.last.certificate++
		g.certificates = append(g.certificates, certificate{id: g.last.certificate, enrollment: e, issuer: byID[e.course].provider.id, issued: e.certified,
			number: enrolment.Number(e.certified.time(), e.id, g.skills[e.skill].spec.code)})
	}
	// Once every course is taken, the talents' skills carry their latest certificate's
	// day, in whatever order the courses were generated.
	talents := make(map[int64]*talent, len(g.talents))
	for _, t := range g.talents {
		talents[t.id] = t
	}
	for _, c := range g.certificates {
		talents[c.enrollment.talent].certify(c.enrollment.skill, c.issued)
	}
}

// waitlistStory fills the chosen running course, waitlists three, and drops one.
func (g *gen) waitlistStory() {
	var course *resource
	better := func(r *resource) bool {
		cnc := func(r *resource) bool {
			return len(r.skills) > 0 && strings.Contains(g.skills[r.skills[0].skill].spec.code, "CNC")
		}
		if course == nil || cnc(r) != cnc(course) {
			return course == nil || cnc(r)
		}
		return r.enrolled*course.seats > course.enrolled*r.seats
	}
	for _, r := range g.resources {
		if r.category == "TRAINING_COURSE" && r.seats >= 6 && len(r.skills) > 0 && r.startsOn+2 <= g.asOf &&
			courseState(r.startsOn, r.endsOn, g.asOf) == calendar.Running && better(r) {
			course = r
		}
	}
	if course == nil {
		return
	}
	in := map[int64]bool{}
	for _, e := range g.enrollments {
		if e.course == course.id {
			in[e.talent] = true
		}
	}
	s, level := course.skills[0].skill, course.skills[0].level
	asked := course.startsOn - 10
	var added []enrollment
	for _, t := range g.talents {
		if len(added) == course.seats-course.enrolled+3 {
			break
		}
		if in[t.id] || t.registered >= asked {
			continue
		}
		e := enrollment{talent: t.id, course: course.id, on: asked, skill: s, level: level, order: len(added) + 1,
			state: string(enrolment.Enrolled), seated: asked}
		if len(added) >= course.seats-course.enrolled {
			e.state, e.seated, e.waitlisted = string(enrolment.Waitlisted), 0, true
			e.on = asked + day(len(added)-(course.seats-course.enrolled)) + 1
		}
		added = append(added, e)
	}
	if len(added) != course.seats-course.enrolled+3 || course.seats == course.enrolled {
		return
	}
	// The last to take a seat drops out two days into the course; the first waitlisted
	// takes it that day.
	quit := course.startsOn + 2
	dropped := &added[course.seats-course.enrolled-1]
	dropped.state, dropped.dropped = string(enrolment.Dropped), quit
	first := &added[course.seats-course.enrolled]
	first.state, first.seated = string(enrolment.Enrolled), quit
	g.enrollments = append(g.enrollments, added...)
	course.enrolled = course.seats
}

// enrolmentEvents records each step of the enrolments' lives as the mutations would.
func (g *gen) enrolmentEvents(add func(on day, kind, subject string, res *resource, payload map[string]any), byID map[int64]*resource) {
	for i := range g.enrollments {
		e := &g.enrollments[i]
		c := byID[e.course]
		eid, cid, tid := relay.ID(relay.TypeEnrollment, e.id), relay.ID(relay.TypeResource, e.course), relay.ID(relay.TypeTalent, e.talent)
		if e.waitlisted {
			add(e.on, "TALENT_WAITLISTED", eid, c, map[string]any{"course": cid, "talent": tid})
		} else {
			add(e.on, "TALENT_ENROLLED", cid, c, map[string]any{"talent": tid, "enrollment": eid})
		}
		switch {
		case e.dropped != 0:
			add(e.dropped, "ENROLLMENT_DROPPED", eid, c, map[string]any{"course": cid, "talent": tid, "state": "ENROLLED"})
		case e.waitlisted && e.seated != 0:
			add(e.seated, "WAITLIST_PROMOTED", eid, c, map[string]any{"course": cid, "talent": tid})
		case e.result != "":
			add(e.completedOn, "ENROLLMENT_COMPLETED", eid, c, map[string]any{"course": cid, "talent": tid, "result": e.result})
		}
	}
	for _, cert := range g.certificates {
		e := cert.enrollment
		level, _ := enrolment.LevelOfRank(e.level)
		add(cert.issued, "CERTIFICATE_ISSUED", relay.ID(relay.TypeCertificate, cert.id), byID[e.course], map[string]any{
			"enrollment": relay.ID(relay.TypeEnrollment, e.id), "talent": relay.ID(relay.TypeTalent, e.talent),
			"skill": relay.ID(relay.TypeSkill, g.skills[e.skill].id), "level": level})
	}
}
