package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const (
	enrolQ = `mutation($input: EnrollInCourseInput!) { enrollInCourse(input: $input) {
		enrollment { id state enrolledOn } trainingCourse { enrolled } userErrors { field message code } } }`
	dropQ = `mutation($input: DropEnrollmentInput!) { dropEnrollment(input: $input) {
		enrollment { id state droppedOn } userErrors { field message code } } }`
	completeQ = `mutation($input: CompleteEnrollmentInput!) { completeEnrollment(input: $input) {
		enrollment { id state result score completedOn } userErrors { field message code } } }`
	issueQ = `mutation($input: IssueCertificateInput!) { issueCertificate(input: $input) {
		certificate { id number level nationalLevel issuedOn issuer { id } skill { id } talent { id } enrollment { id } } userErrors { field message code } } }`
)

type enrollmentAnswer struct {
	Enrollment *struct {
		ID, State   string
		EnrolledOn  *string
		DroppedOn   *string
		CompletedOn *string
		Result      *string
		Score       *int
	}
}

type certificateAnswer struct {
	Certificate *struct {
		ID, Number, Level, IssuedOn string
		NationalLevel               int
	}
}

// enrolFixture is a course a company provides, teaching one skill, enrolling (it starts
// five weeks after the demo day), and talents of a school that is a member.
type enrolFixture struct {
	f                       *authzFixtures
	school, provider, other int64
	course, skill           int64
	talents                 []int64
}

func newEnrolFixture(t *testing.T, seats, talents int) enrolFixture {
	t.Helper()
	f := newAuthzFixtures(t)
	e := enrolFixture{f: f, school: f.org(t, "SCHOOL"), provider: f.org(t, "COMPANY"), other: f.org(t, "COMPANY"), skill: f.skills[0]}
	for _, o := range []int64{e.school, e.provider, e.other} {
		f.membership(t, o)
	}
	e.course = f.resource(t, "TRAINING_COURSE", e.provider)
	authzExec(t, `UPDATE resource SET seats = $2, starts_on = '2027-01-10', ends_on = '2027-02-10' WHERE id = $1`, e.course, seats)
	authzExec(t, `INSERT INTO resource_skill (resource_id, skill_id, level) VALUES ($1, $2, 2)`, e.course, e.skill)
	for range talents {
		e.talents = append(e.talents, f.talent(t, e.school, 0))
	}
	return e
}

func (e enrolFixture) courseID() string      { return relay.ID(relay.TypeResource, e.course) }
func (e enrolFixture) talentID(i int) string { return relay.ID(relay.TypeTalent, e.talents[i]) }

// start moves the course's dates so that it runs on the demo day.
func (e enrolFixture) start(t *testing.T) {
	t.Helper()
	authzExec(t, `UPDATE resource SET starts_on = '2026-11-20', ends_on = '2026-12-20' WHERE id = $1`, e.course)
}

func (e enrolFixture) enrol(t *testing.T, ts *testServer, i int) enrollmentAnswer {
	t.Helper()
	var out enrollmentAnswer
	if ue, errs := mutate(t, ts, memberOf(e.school), enrolQ, map[string]any{"courseId": e.courseID(), "talentId": e.talentID(i)}, "enrollInCourse", &out); len(ue)+len(errs) > 0 || out.Enrollment == nil {
		t.Fatalf("enrol talent %d: %+v %+v", i, ue, errs)
	}
	return out
}

func eventsAbout(t *testing.T, kind, subject string) int {
	t.Helper()
	return sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = $1 AND subject_id = $2`, kind, subject)
}

// seatsInStep checks that the course's enrolled counter is its seated enrolments.
func seatsInStep(t *testing.T, course int64, want int) {
	t.Helper()
	enrolled := sqlIntIn(t, writeDB, `SELECT enrolled FROM resource WHERE id = $1`, course)
	seated := sqlIntIn(t, writeDB, `SELECT count(*) FROM enrollment WHERE course_id = $1 AND state IN ('ENROLLED', 'COMPLETED')`, course)
	if enrolled != want || seated != want {
		t.Errorf("course %d: enrolled %d, seated enrolments %d; want %d", course, enrolled, seated, want)
	}
}

func TestEnrolmentGoesFromWaitlistToCertificateEachStepAnEvent(t *testing.T) {
	ts := newWriteServer(t)
	e := newEnrolFixture(t, 2, 3)
	first, second, third := e.enrol(t, ts, 0), e.enrol(t, ts, 1), e.enrol(t, ts, 2)
	for i, a := range []enrollmentAnswer{first, second, third} {
		want := map[bool]string{true: "ENROLLED", false: "WAITLISTED"}[i < 2]
		if a.Enrollment.State != want || (a.Enrollment.EnrolledOn != nil) != (i < 2) {
			t.Errorf("talent %d: %+v, want %s", i, a.Enrollment, want)
		}
	}
	if eventsAbout(t, "TALENT_ENROLLED", e.courseID()) != 2 || eventsAbout(t, "TALENT_WAITLISTED", third.Enrollment.ID) != 1 {
		t.Error("enrolling did not record TALENT_ENROLLED twice and TALENT_WAITLISTED once")
	}
	seatsInStep(t, e.course, 2)

	// The first drops out: its seat goes to the waitlisted talent, in the same change.
	var dropped enrollmentAnswer
	if ue, errs := mutate(t, ts, memberOf(e.school), dropQ, map[string]any{"id": first.Enrollment.ID}, "dropEnrollment", &dropped); len(ue)+len(errs) > 0 {
		t.Fatalf("drop: %+v %+v", ue, errs)
	}
	if dropped.Enrollment.State != "DROPPED" || dropped.Enrollment.DroppedOn == nil || *dropped.Enrollment.DroppedOn != "2026-12-03" {
		t.Errorf("dropped: %+v", dropped.Enrollment)
	}
	if eventsAbout(t, "ENROLLMENT_DROPPED", first.Enrollment.ID) != 1 || eventsAbout(t, "WAITLIST_PROMOTED", third.Enrollment.ID) != 1 {
		t.Error("dropping did not record ENROLLMENT_DROPPED and WAITLIST_PROMOTED for the waitlisted")
	}
	_, thirdKey, _ := relay.ParseID(third.Enrollment.ID)
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM enrollment WHERE id = $1 AND state = 'ENROLLED' AND seated_on = '2026-12-03'`, thirdKey); n != 1 {
		t.Error("the waitlisted talent did not take the freed seat")
	}
	seatsInStep(t, e.course, 2)
	// A retried drop returns the enrolment and records nothing more.
	if ue, errs := mutate(t, ts, memberOf(e.provider), dropQ, map[string]any{"id": first.Enrollment.ID}, "dropEnrollment", nil); len(ue)+len(errs) > 0 || eventsAbout(t, "ENROLLMENT_DROPPED", first.Enrollment.ID) != 1 {
		t.Errorf("a retried drop: %+v %+v", ue, errs)
	}

	// Before the course starts there is nothing to assess.
	ue, _ := mutate(t, ts, memberOf(e.provider), completeQ, map[string]any{"id": second.Enrollment.ID, "result": "PASSED", "score": 90}, "completeEnrollment", nil)
	if len(ue) != 1 || ue[0].Code != "INVALID_TRANSITION" {
		t.Errorf("completing before the start: %+v, want INVALID_TRANSITION", ue)
	}
	e.start(t)
	var passed, failed enrollmentAnswer
	mutate(t, ts, memberOf(e.provider), completeQ, map[string]any{"id": second.Enrollment.ID, "result": "PASSED", "score": 90}, "completeEnrollment", &passed)
	mutate(t, ts, admin, completeQ, map[string]any{"id": third.Enrollment.ID, "result": "FAILED", "score": 41}, "completeEnrollment", &failed)
	if passed.Enrollment == nil || passed.Enrollment.State != "COMPLETED" || *passed.Enrollment.Result != "PASSED" || *passed.Enrollment.Score != 90 ||
		failed.Enrollment == nil || *failed.Enrollment.Result != "FAILED" {
		t.Fatalf("completions: %+v %+v", passed.Enrollment, failed.Enrollment)
	}
	if eventsAbout(t, "ENROLLMENT_COMPLETED", second.Enrollment.ID) != 1 {
		t.Error("no ENROLLMENT_COMPLETED event")
	}
	seatsInStep(t, e.course, 2) // completed trainees keep their seats in the count

	// The passed trainee is certified at 高级工 (skill level 3), above the course's 2.
	var cert certificateAnswer
	in := map[string]any{"enrollmentId": second.Enrollment.ID, "level": "SENIOR_WORKER", "number": fmt.Sprintf("SY-CNC-%d", e.course)}
	if ue, errs := mutate(t, ts, memberOf(e.provider), issueQ, in, "issueCertificate", &cert); len(ue)+len(errs) > 0 || cert.Certificate == nil {
		t.Fatalf("issue: %+v %+v", ue, errs)
	}
	if cert.Certificate.Level != "SENIOR_WORKER" || cert.Certificate.NationalLevel != 3 || cert.Certificate.IssuedOn != "2026-12-03" {
		t.Errorf("certificate: %+v", cert.Certificate)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM talent_skill WHERE talent_id = $1 AND skill_id = $2 AND level = 3 AND certified_on = '2026-12-03'`, e.talents[1], e.skill); n != 1 {
		t.Error("the certificate did not raise the talent's level to 3, certified on its day")
	}
	if eventsAbout(t, "CERTIFICATE_ISSUED", cert.Certificate.ID) != 1 {
		t.Error("no CERTIFICATE_ISSUED event")
	}
	// Every signed-in caller reads events: they carry neither scores nor certificate
	// numbers, which name the person in the national register.
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE subject_id = ANY($1) AND (payload ? 'score' OR payload ? 'number')`,
		fmt.Sprintf("{%s,%s}", second.Enrollment.ID, cert.Certificate.ID)); n != 0 {
		t.Errorf("%d events carry a score or a certificate number", n)
	}
	// The talent's school reads the certified level on its profile.
	var profile struct {
		Node struct {
			Skills []struct {
				Skill       struct{ ID string }
				Level       int
				CertifiedOn *string
			}
			Certificates []struct{ Number string }
			Enrollments  []struct{ State string }
		}
	}
	ts.dataAs(t, memberOf(e.school), `query($id: ID!) { node(id: $id) { ... on Talent { skills { skill { id } level certifiedOn } certificates { number } enrollments { state } } } }`,
		map[string]any{"id": e.talentID(1)}, &profile)
	if len(profile.Node.Skills) != 1 || profile.Node.Skills[0].Level != 3 || profile.Node.Skills[0].CertifiedOn == nil ||
		len(profile.Node.Certificates) != 1 || len(profile.Node.Enrollments) != 1 || profile.Node.Enrollments[0].State != "COMPLETED" {
		t.Errorf("the talent's profile: %+v", profile.Node)
	}
}

func TestIssuingACertificateAgainIsIdempotent(t *testing.T) {
	ts := newWriteServer(t)
	e := newEnrolFixture(t, 3, 2)
	a, b := e.enrol(t, ts, 0), e.enrol(t, ts, 1)
	e.start(t)
	for _, id := range []string{a.Enrollment.ID, b.Enrollment.ID} {
		if ue, errs := mutate(t, ts, memberOf(e.provider), completeQ, map[string]any{"id": id, "result": "PASSED", "score": 75}, "completeEnrollment", nil); len(ue)+len(errs) > 0 {
			t.Fatalf("complete: %+v %+v", ue, errs)
		}
	}
	// Completing again with the same result is a retry.
	if ue, _ := mutate(t, ts, memberOf(e.provider), completeQ, map[string]any{"id": a.Enrollment.ID, "result": "PASSED", "score": 75}, "completeEnrollment", nil); len(ue) != 0 || eventsAbout(t, "ENROLLMENT_COMPLETED", a.Enrollment.ID) != 1 {
		t.Errorf("a retried completion: %+v", ue)
	}
	// Without a number the server makes one from the enrolment and the skill: a retry
	// makes the same, and returns the same certificate.
	var first, again certificateAnswer
	mutate(t, ts, memberOf(e.provider), issueQ, map[string]any{"enrollmentId": a.Enrollment.ID}, "issueCertificate", &first)
	if ue, errs := mutate(t, ts, memberOf(e.provider), issueQ, map[string]any{"enrollmentId": a.Enrollment.ID}, "issueCertificate", &again); len(ue)+len(errs) > 0 {
		t.Fatalf("the retry was refused: %+v %+v", ue, errs)
	}
	if first.Certificate == nil || again.Certificate == nil || first.Certificate.ID != again.Certificate.ID || !strings.HasPrefix(first.Certificate.Number, "AG-2026-") ||
		first.Certificate.Level != "INTERMEDIATE_WORKER" {
		t.Fatalf("issued %+v then %+v, want one certificate at the course's level with a made number", first.Certificate, again.Certificate)
	}
	if eventsAbout(t, "CERTIFICATE_ISSUED", first.Certificate.ID) != 1 {
		t.Error("the retry recorded a second event")
	}
	// The number of one certificate cannot name another.
	ue, _ := mutate(t, ts, memberOf(e.provider), issueQ, map[string]any{"enrollmentId": b.Enrollment.ID, "number": first.Certificate.Number}, "issueCertificate", nil)
	if len(ue) != 1 || ue[0].Code != "DUPLICATE" || joinPath(ue[0].Field) != "input.number" {
		t.Errorf("a number reused: %+v, want DUPLICATE at input.number", ue)
	}
	// Nor does an enrolment get a second certificate in the skill under another number.
	ue, _ = mutate(t, ts, memberOf(e.provider), issueQ, map[string]any{"enrollmentId": a.Enrollment.ID, "number": "OTHER-1"}, "issueCertificate", nil)
	if len(ue) != 1 || ue[0].Code != "DUPLICATE" || joinPath(ue[0].Field) != "input.skillId" {
		t.Errorf("a second certificate in the skill: %+v, want DUPLICATE at input.skillId", ue)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM certificate WHERE talent_id = ANY($1)`, fmt.Sprintf("{%d,%d}", e.talents[0], e.talents[1])); n != 1 {
		t.Errorf("%d certificates, want 1", n)
	}
}

func TestADroppedTalentMayEnrolAgainAtTheEndOfTheQueue(t *testing.T) {
	ts := newWriteServer(t)
	e := newEnrolFixture(t, 1, 3)
	seated, _ := e.enrol(t, ts, 0), e.enrol(t, ts, 1)
	if ue, errs := mutate(t, ts, memberOf(e.school), dropQ, map[string]any{"id": seated.Enrollment.ID}, "dropEnrollment", nil); len(ue)+len(errs) > 0 {
		t.Fatalf("drop: %+v %+v", ue, errs)
	}
	third := e.enrol(t, ts, 2)
	again := e.enrol(t, ts, 0)
	// The seat went to the second talent; the third and then the first wait, in that order.
	if third.Enrollment.State != "WAITLISTED" || again.Enrollment.State != "WAITLISTED" || again.Enrollment.ID != seated.Enrollment.ID {
		t.Errorf("after the drop: third %+v, the first again %+v", third.Enrollment, again.Enrollment)
	}
	if eventsAbout(t, "TALENT_WAITLISTED", seated.Enrollment.ID) != 1 {
		t.Error("enrolling again recorded no TALENT_WAITLISTED")
	}
	_, thirdKey, _ := relay.ParseID(third.Enrollment.ID)
	_, firstKey, _ := relay.ParseID(seated.Enrollment.ID)
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM enrollment a, enrollment b WHERE a.id = $1 AND b.id = $2 AND a.applied_at < b.applied_at`, thirdKey, firstKey); n != 1 {
		t.Error("the talent that enrolled again did not join the end of the waitlist")
	}
	seatsInStep(t, e.course, 1)
}

func TestThirtyConcurrentEnrolmentsSeatExactlyTheSeatsAndWaitlistTheRest(t *testing.T) {
	ts := newWriteServer(t)
	const seats, n = 4, 30
	e := newEnrolFixture(t, seats, n)
	outcomes := concurrently(t, n, func(i int) []userError {
		var out enrollmentAnswer
		ue, errs := mutate(t, ts, memberOf(e.school), enrolQ, map[string]any{"courseId": e.courseID(), "talentId": e.talentID(i)}, "enrollInCourse", &out)
		if len(errs) > 0 {
			t.Errorf("enrol %d: %+v", i, errs)
		}
		if out.Enrollment != nil && out.Enrollment.State == "WAITLISTED" {
			return []userError{{Code: "WAITLISTED"}}
		}
		return ue
	})
	if outcomes["OK"] != seats || outcomes["WAITLISTED"] != n-seats {
		t.Errorf("outcomes %v, want %d seated and %d waitlisted", outcomes, seats, n-seats)
	}
	seatsInStep(t, e.course, seats)
	// Concurrent drops of the seated each promote one waitlisted talent, in order.
	var seated []string
	if err := writeDB.DB.Select(&seated, `SELECT id::text FROM enrollment WHERE course_id = $1 AND state = 'ENROLLED'`, e.course); err != nil {
		t.Fatal(err)
	}
	concurrently(t, len(seated), func(i int) []userError {
		var key int64
		fmt.Sscan(seated[i], &key)
		ue, errs := mutate(t, ts, memberOf(e.school), dropQ, map[string]any{"id": relay.ID(relay.TypeEnrollment, key)}, "dropEnrollment", nil)
		if len(errs) > 0 {
			t.Errorf("drop %d: %+v", i, errs)
		}
		return ue
	})
	seatsInStep(t, e.course, seats)
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM enrollment w WHERE w.course_id = $1 AND w.state = 'WAITLISTED' AND EXISTS (
		SELECT 1 FROM enrollment p WHERE p.course_id = w.course_id AND p.state = 'ENROLLED' AND (p.applied_at, p.id) > (w.applied_at, w.id))`, e.course); n != 0 {
		t.Errorf("%d waitlisted talents were passed over by later ones", n)
	}
}

func TestEnrolmentInputIsRefusedFieldByFieldWritingNothing(t *testing.T) {
	ts := newWriteServer(t)
	e := newEnrolFixture(t, 1, 3)
	seated, waiting := e.enrol(t, ts, 0), e.enrol(t, ts, 1)
	withdrawn := e.f.resource(t, "TRAINING_COURSE", e.provider)
	authzExec(t, `UPDATE resource SET withdrawn_on = '2026-11-01' WHERE id = $1`, withdrawn)
	before := sqlIntIn(t, writeDB, `SELECT count(*) FROM event`)
	state := func() string {
		var s string
		if err := writeDB.DB.Get(&s, `SELECT string_agg(id || state || version || coalesce(result, ''), ',' ORDER BY id) FROM enrollment WHERE course_id = $1`, e.course); err != nil {
			t.Fatal(err)
		}
		return s
	}
	was := state()
	cases := []struct {
		name, q, field string
		viewer         auth.Viewer
		input          map[string]any
		at, code       string
	}{
		{"enrol twice", enrolQ, "enrollInCourse", memberOf(e.school), map[string]any{"courseId": e.courseID(), "talentId": e.talentID(0)}, "input.talentId", "DUPLICATE"},
		{"enrol on a withdrawn course", enrolQ, "enrollInCourse", memberOf(e.school), map[string]any{"courseId": authzResID(withdrawn), "talentId": e.talentID(2)}, "input.courseId", "INVALID_TRANSITION"},
		{"enrol a malformed course", enrolQ, "enrollInCourse", memberOf(e.school), map[string]any{"courseId": "nope", "talentId": e.talentID(2)}, "input.courseId", "INVALID"},
		{"drop an unknown enrolment", dropQ, "dropEnrollment", memberOf(e.school), map[string]any{"id": relay.ID(relay.TypeEnrollment, 1<<40)}, "input.id", "NOT_FOUND"},
		{"complete before the start", completeQ, "completeEnrollment", memberOf(e.provider), map[string]any{"id": seated.Enrollment.ID, "result": "PASSED"}, "input.id", "INVALID_TRANSITION"},
		{"score above 100", completeQ, "completeEnrollment", memberOf(e.provider), map[string]any{"id": seated.Enrollment.ID, "result": "PASSED", "score": 101}, "input.score", "OUT_OF_RANGE"},
		{"score below 0", completeQ, "completeEnrollment", memberOf(e.provider), map[string]any{"id": seated.Enrollment.ID, "result": "PASSED", "score": -1}, "input.score", "OUT_OF_RANGE"},
		{"certify an uncompleted enrolment", issueQ, "issueCertificate", memberOf(e.provider), map[string]any{"enrollmentId": seated.Enrollment.ID}, "input.enrollmentId", "INVALID_TRANSITION"},
		{"certify a waitlisted talent", issueQ, "issueCertificate", memberOf(e.provider), map[string]any{"enrollmentId": waiting.Enrollment.ID}, "input.enrollmentId", "INVALID_TRANSITION"},
		{"issue in the future", issueQ, "issueCertificate", memberOf(e.provider), map[string]any{"enrollmentId": seated.Enrollment.ID, "issuedOn": "2026-12-04"}, "input.issuedOn", "OUT_OF_RANGE"},
		{"a number too long", issueQ, "issueCertificate", memberOf(e.provider), map[string]any{"enrollmentId": seated.Enrollment.ID, "number": strings.Repeat("9", 65)}, "input.number", "TOO_LONG"},
		{"a skill the course does not teach", issueQ, "issueCertificate", memberOf(e.provider), map[string]any{"enrollmentId": seated.Enrollment.ID, "skillId": "bad"}, "input.skillId", "INVALID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ue, errs := mutate(t, ts, c.viewer, c.q, c.input, c.field, nil)
			if len(ue) != 1 || ue[0].Code != c.code || joinPath(ue[0].Field) != c.at {
				t.Errorf("user errors %+v (errors %+v), want %s at %s", ue, errs, c.code, c.at)
			}
		})
	}
	if now := state(); now != was {
		t.Errorf("refused changes changed the enrolments: %s, was %s", now, was)
	}
	if after := sqlIntIn(t, writeDB, `SELECT count(*) FROM event`); after != before {
		t.Errorf("refused changes recorded %d events", after-before)
	}
	seatsInStep(t, e.course, 1)
}

type traineeList struct {
	Node struct {
		Trainees struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					State  string
					Talent struct {
						Alias    string
						FullName *string
					}
				}
			}
		}
	}
}

func TestATraineeListIsForTheProviderAndTheTalentsOwnOrganizations(t *testing.T) {
	ts := newWriteServer(t)
	e := newEnrolFixture(t, 1, 2)
	e.enrol(t, ts, 0)
	e.enrol(t, ts, 1)
	q := `query($id: ID!) { node(id: $id) { ... on TrainingCourse { trainees(first: 10) { totalCount edges { node { state talent { alias fullName } } } } } } }`
	cases := []struct {
		name     string
		viewer   auth.Viewer
		want     int
		personal bool
	}{
		{"the provider sees its trainee list, without personal data", memberOf(e.provider), 2, false},
		{"ADMIN sees everything", admin, 2, true},
		{"the talents' school sees its own talents", memberOf(e.school), 2, true},
		{"another member sees none", memberOf(e.other), 0, false},
		{"an analyst sees none", analyst, 0, false},
		{"an anonymous caller sees none", auth.Viewer{}, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ts.queryAs(t, c.viewer, q, map[string]any{"id": e.courseID()})
			var out traineeList
			if err := json.Unmarshal(r.Data, &out); err != nil {
				t.Fatal(err)
			}
			list := out.Node.Trainees
			if list.TotalCount != c.want || len(list.Edges) != c.want {
				t.Fatalf("%d trainees (%d edges), want %d; errors %+v", list.TotalCount, len(list.Edges), c.want, r.Errors)
			}
			for _, edge := range list.Edges {
				if edge.Node.Talent.Alias == "" || (edge.Node.Talent.FullName != nil) != c.personal {
					t.Errorf("talent %+v, personal data wanted: %v", edge.Node.Talent, c.personal)
				}
			}
			if c.want == 2 && (list.Edges[0].Node.State != "ENROLLED" || list.Edges[1].Node.State != "WAITLISTED") {
				t.Errorf("states %+v, want the seated then the waitlisted", list.Edges)
			}
		})
	}
	// The enrolment itself is as hidden by ID as in the list.
	var key int64
	if err := writeDB.DB.Get(&key, `SELECT id FROM enrollment WHERE course_id = $1 ORDER BY id LIMIT 1`, e.course); err != nil {
		t.Fatal(err)
	}
	node := `query($id: ID!) { node(id: $id) { id } }`
	for _, v := range []auth.Viewer{memberOf(e.other), analyst, {}} {
		if r := ts.queryAs(t, v, node, map[string]any{"id": relay.ID(relay.TypeEnrollment, key)}); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
			t.Errorf("%q node(enrolment): %s %+v, want NOT_FOUND", v.Role, r.Data, r.Errors)
		}
	}
}

func TestTraineeListsTakeStatementsIndependentOfPageSize(t *testing.T) {
	ts := newWriteServer(t)
	var providers []string
	for range 12 {
		e := newEnrolFixture(t, 2, 3)
		for i := range 3 {
			e.enrol(t, ts, i)
		}
		authzExec(t, `INSERT INTO certificate (enrollment_id, talent_id, skill_id, level, number, issuer_id, issued_on, issued_by)
			SELECT id, talent_id, $2, 2, 'STMT-' || id, $3, '2026-12-01', 'test' FROM enrollment WHERE course_id = $1 AND state = 'ENROLLED' LIMIT 1`, e.course, e.skill, e.provider)
		providers = append(providers, authzOrgID(e.provider))
	}
	// Every fixture's provider runs one course: the page holds n courses.
	q := `query($providers: [ID!]!, $n: Int!) { trainingCourses(first: $n, filter: {providers: $providers}) { edges { node {
		trainees(first: 10) { totalCount edges { node { state course { id }
			talent { alias enrollments { state } certificates { number skill { id } issuer { id } } skills { level certifiedOn } }
			certificates { number } } } } } } } }`
	const bound = 12
	few := statementsAs(t, ts, admin, q, map[string]any{"providers": providers, "n": 2})
	many := statementsAs(t, ts, admin, q, map[string]any{"providers": providers, "n": 12})
	if few > bound || many != few {
		t.Errorf("2 courses took %d statements and 12 took %d, want the same, at most %d", few, many, bound)
	}
}
