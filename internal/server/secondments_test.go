package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const requestSecondment = `mutation($input: RequestSecondmentInput!) {
	requestSecondment(input: $input) {
		secondment { id version from to hours purpose state decidedAt cancelledAt teacher { id } requester { id } provider { id } }
		userErrors { field message code }
	}
}`

const decideSecondment = `mutation($input: DecideSecondmentInput!) {
	decideSecondment(input: $input) {
		secondment { id version state decidedAt decisionNote }
		userErrors { field message code }
	}
}`

const cancelSecondment = `mutation($input: CancelSecondmentInput!) {
	cancelSecondment(input: $input) {
		secondment { id version state cancelledAt }
		userErrors { field message code }
	}
}`

type secondmentPayload struct {
	Secondment *struct {
		ID, From, To, Purpose, State string
		Version, Hours               int
		DecidedAt, CancelledAt       *string
		DecisionNote                 *string
		Teacher, Requester, Provider struct{ ID string }
	}
}

// secondmentFixture is a company's teacher shared with the alliance, and a school that
// is a member and may ask for the teacher.
type secondmentFixture struct {
	teacher, school, company int64
	day                      time.Time // the day after tomorrow in the server's calendar
}

func newSecondmentFixture(t *testing.T) secondmentFixture {
	t.Helper()
	f := newAuthzFixtures(t)
	s := secondmentFixture{school: f.org(t, "SCHOOL"), company: f.org(t, "COMPANY")}
	f.membership(t, s.school)
	f.membership(t, s.company)
	s.teacher = f.resource(t, "TEACHER", s.company)
	// The server's clock reads noon of the demo's day.
	s.day = demoDay.AddDate(0, 0, 2)
	return s
}

// input asks for the teacher from the day after from days to the day after to days.
func (s secondmentFixture) input(from, to, hours int, extra map[string]any) map[string]any {
	in := map[string]any{"teacherId": relay.ID(relay.TypeResource, s.teacher), "purpose": "Teach industrial robot programming",
		"from": s.day.AddDate(0, 0, from).Format(time.DateOnly), "to": s.day.AddDate(0, 0, to).Format(time.DateOnly), "hours": hours}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

// request asks for the teacher as the school and fails the test if refused.
func (s secondmentFixture) request(t *testing.T, ts *testServer, from, to int) secondmentPayload {
	t.Helper()
	var out secondmentPayload
	if errs, gqlErrs := mutate(t, ts, memberOf(s.school), requestSecondment, s.input(from, to, 8, nil), "requestSecondment", &out); len(errs)+len(gqlErrs) > 0 || out.Secondment == nil {
		t.Fatalf("request refused: %v %v", errs, gqlErrs)
	}
	return out
}

func TestASecondmentIsRequestedAcceptedAndCancelledEachWithItsEvent(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	made := s.request(t, ts, 0, 4)
	sec := made.Secondment
	if sec.State != "REQUESTED" || sec.Version != 1 || sec.From != s.day.Format(time.DateOnly) || sec.To != s.day.AddDate(0, 0, 4).Format(time.DateOnly) ||
		sec.Teacher.ID != relay.ID(relay.TypeResource, s.teacher) || sec.Requester.ID != relay.ID(relay.TypeOrganization, s.school) ||
		sec.Provider.ID != relay.ID(relay.TypeOrganization, s.company) || sec.DecidedAt != nil {
		t.Fatalf("requested: %+v", sec)
	}
	// The requester does not answer its own request.
	if _, gqlErrs := mutate(t, ts, memberOf(s.school), decideSecondment, map[string]any{"id": sec.ID, "version": 1, "accept": true}, "decideSecondment", nil); len(gqlErrs) != 1 || gqlErrs[0].Extensions["code"] != "FORBIDDEN" {
		t.Errorf("the requester deciding: %+v, want FORBIDDEN", gqlErrs)
	}
	var accepted secondmentPayload
	if errs, gqlErrs := mutate(t, ts, memberOf(s.company), decideSecondment, map[string]any{"id": sec.ID, "version": 1, "accept": true, "note": "Mornings only"}, "decideSecondment", &accepted); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("accepting refused: %v %v", errs, gqlErrs)
	}
	if a := accepted.Secondment; a.State != "ACCEPTED" || a.Version != 2 || a.DecidedAt == nil || a.DecisionNote == nil || *a.DecisionNote != "Mornings only" {
		t.Errorf("accepted: %+v", a)
	}
	errs, _ := mutate(t, ts, memberOf(s.company), decideSecondment, map[string]any{"id": sec.ID, "version": 2, "accept": false}, "decideSecondment", nil)
	if len(errs) != 1 || errs[0].Code != "INVALID_TRANSITION" || joinPath(errs[0].Field) != "input.id" {
		t.Errorf("deciding twice: %+v, want INVALID_TRANSITION at input.id", errs)
	}
	errs, _ = mutate(t, ts, memberOf(s.school), cancelSecondment, map[string]any{"id": sec.ID, "version": 1}, "cancelSecondment", nil)
	if len(errs) != 1 || errs[0].Code != "CONFLICT" {
		t.Errorf("cancelling a stale version: %+v, want CONFLICT", errs)
	}
	var cancelled secondmentPayload
	if errs, gqlErrs := mutate(t, ts, memberOf(s.school), cancelSecondment, map[string]any{"id": sec.ID, "version": 2}, "cancelSecondment", &cancelled); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("the requester could not cancel: %v %v", errs, gqlErrs)
	}
	if c := cancelled.Secondment; c.State != "CANCELLED" || c.CancelledAt == nil || c.Version != 3 {
		t.Errorf("cancelled: %+v", c)
	}
	errs, _ = mutate(t, ts, memberOf(s.company), cancelSecondment, map[string]any{"id": sec.ID, "version": 3}, "cancelSecondment", nil)
	if len(errs) != 1 || errs[0].Code != "INVALID_TRANSITION" {
		t.Errorf("cancelling twice: %+v, want INVALID_TRANSITION", errs)
	}
	_, key, _ := relay.ParseID(sec.ID)
	for kind, want := range map[string]int{"SECONDMENT_REQUESTED": 1, "SECONDMENT_ACCEPTED": 1, "SECONDMENT_DECLINED": 0, "SECONDMENT_CANCELLED": 1} {
		if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = $1 AND subject_id = $2 AND resource_id = $3`, kind, sec.ID, s.teacher); n != want {
			t.Errorf("%d %s events, want %d", n, kind, want)
		}
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = 'SECONDMENT_ACCEPTED' AND payload->>'note' = 'Mornings only' AND payload->>'requester' = $1`, relay.ID(relay.TypeOrganization, s.school)); n != 1 {
		t.Errorf("the acceptance's event carries %d notes", n)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM secondment WHERE id = $1 AND state = 'CANCELLED' AND decided_by = $2 AND cancelled_by = $3`,
		key, fmt.Sprintf("member-%d", s.company), fmt.Sprintf("member-%d", s.school)); n != 1 {
		t.Errorf("the row does not record who decided and who cancelled")
	}
	// A declined request stays declined and frees nothing for nobody.
	other := s.request(t, ts, 10, 12)
	var declined secondmentPayload
	mutate(t, ts, auth.Viewer{Role: auth.RoleAdmin, Subject: "admin"}, decideSecondment, map[string]any{"id": other.Secondment.ID, "version": 1, "accept": false}, "decideSecondment", &declined)
	if declined.Secondment == nil || declined.Secondment.State != "DECLINED" {
		t.Errorf("an ADMIN declining: %+v", declined.Secondment)
	}
	errs, _ = mutate(t, ts, memberOf(s.school), cancelSecondment, map[string]any{"id": other.Secondment.ID, "version": 2}, "cancelSecondment", nil)
	if len(errs) != 1 || errs[0].Code != "INVALID_TRANSITION" {
		t.Errorf("cancelling a declined secondment: %+v, want INVALID_TRANSITION", errs)
	}
}

func TestAcceptingAnOverlappingSecondmentIsRefusedNamingTheAcceptedOne(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	first := s.request(t, ts, 0, 4).Secondment
	// Requests for the same days compete until one is accepted.
	second := s.request(t, ts, 4, 6).Secondment
	touching := s.request(t, ts, 5, 8).Secondment
	company := memberOf(s.company)
	if errs, gqlErrs := mutate(t, ts, company, decideSecondment, map[string]any{"id": first.ID, "version": 1, "accept": true}, "decideSecondment", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("accepting the first: %v %v", errs, gqlErrs)
	}
	// Both ends are included: day 4 is in the first and the second.
	errs, _ := mutate(t, ts, company, decideSecondment, map[string]any{"id": second.ID, "version": 1, "accept": true}, "decideSecondment", nil)
	if len(errs) != 1 || errs[0].Code != "OVERLAP" || !strings.Contains(errs[0].Message, first.ID) || joinPath(errs[0].Field) != "input.id" {
		t.Fatalf("accepting an overlapping one: %+v, want one OVERLAP naming %s", errs, first.ID)
	}
	_, key, _ := relay.ParseID(second.ID)
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM secondment WHERE id = $1 AND state = 'REQUESTED' AND version = 1`, key); n != 1 {
		t.Errorf("the refused acceptance changed the request")
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE subject_id = $1 AND kind <> 'SECONDMENT_REQUESTED'`, second.ID); n != 0 {
		t.Errorf("the refused acceptance wrote %d events", n)
	}
	// Declining is no secondment, and one starting the day after another ends stands.
	if errs, _ := mutate(t, ts, company, decideSecondment, map[string]any{"id": second.ID, "version": 1, "accept": false}, "decideSecondment", nil); len(errs) > 0 {
		t.Errorf("declining an overlapping request: %v", errs)
	}
	if errs, _ := mutate(t, ts, company, decideSecondment, map[string]any{"id": touching.ID, "version": 1, "accept": true}, "decideSecondment", nil); len(errs) > 0 {
		t.Errorf("accepting one that starts the day after another ends: %v", errs)
	}
}

func TestConcurrentAcceptancesOfOverlappingSecondmentsLeaveExactlyOne(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	const n = 30
	ids := make([]string, n)
	for i := range n {
		// Each asks for different days, all of them covering day 10.
		ids[i] = s.request(t, ts, i%10+1, 10+i%7).Secondment.ID
	}
	token := ts.token(t, memberOf(s.company))
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]any{"query": decideSecondment, "variables": map[string]any{"input": map[string]any{"id": ids[i], "version": 1, "accept": true}}})
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				codes[i] = err.Error()
				return
			}
			defer res.Body.Close()
			var r struct {
				Data struct {
					DecideSecondment struct {
						Secondment *struct{ State string }
						UserErrors []userError
					}
				}
				Errors []gqlError
			}
			if err := json.NewDecoder(res.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
				codes[i] = fmt.Sprintf("%v %v", err, r.Errors)
				return
			}
			switch p := r.Data.DecideSecondment; {
			case p.Secondment != nil:
				codes[i] = p.Secondment.State
			case len(p.UserErrors) == 1:
				codes[i] = p.UserErrors[0].Code
			default:
				codes[i] = fmt.Sprint(p.UserErrors)
			}
		}()
	}
	wg.Wait()
	tally := map[string]int{}
	for _, c := range codes {
		tally[c]++
	}
	if tally["ACCEPTED"] != 1 || tally["OVERLAP"] != n-1 {
		t.Errorf("answers %v, want one ACCEPTED and %d OVERLAP", tally, n-1)
	}
	if got := sqlIntIn(t, writeDB, `SELECT count(*) FROM secondment WHERE teacher_id = $1 AND state = 'ACCEPTED'`, s.teacher); got != 1 {
		t.Errorf("%d secondments accepted, want 1", got)
	}
	if got := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = 'SECONDMENT_ACCEPTED' AND resource_id = $1`, s.teacher); got != 1 {
		t.Errorf("%d SECONDMENT_ACCEPTED events, want 1", got)
	}
}

func TestARetriedSecondmentRequestWithItsKeyReturnsTheSameSecondment(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	school := memberOf(s.school)
	key := map[string]any{"idempotencyKey": "term-plan-7"}
	var first, again secondmentPayload
	mutate(t, ts, school, requestSecondment, s.input(0, 2, 12, key), "requestSecondment", &first)
	if errs, _ := mutate(t, ts, school, requestSecondment, s.input(0, 2, 12, key), "requestSecondment", &again); len(errs) > 0 {
		t.Fatalf("the retry was refused: %v", errs)
	}
	if first.Secondment == nil || again.Secondment == nil || first.Secondment.ID != again.Secondment.ID {
		t.Fatalf("the retry made another secondment: %+v then %+v", first.Secondment, again.Secondment)
	}
	errs, _ := mutate(t, ts, school, requestSecondment, s.input(0, 2, 16, key), "requestSecondment", nil)
	if len(errs) != 1 || errs[0].Code != "DUPLICATE" || joinPath(errs[0].Field) != "input.idempotencyKey" || !strings.Contains(errs[0].Message, first.Secondment.ID) {
		t.Errorf("the key reused for another request: %+v, want DUPLICATE at input.idempotencyKey", errs)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM secondment WHERE teacher_id = $1`, s.teacher); n != 1 {
		t.Errorf("%d secondments, want 1", n)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind = 'SECONDMENT_REQUESTED' AND resource_id = $1`, s.teacher); n != 1 {
		t.Errorf("%d SECONDMENT_REQUESTED events, want 1", n)
	}
}

func TestSecondmentInputIsCheckedIntoUserErrorsAndWritesNothing(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	f := newAuthzFixtures(t)
	outsider := f.org(t, "COMPANY") // not a member of the alliance
	hidden := f.resource(t, "TEACHER", s.company)
	authzExec(t, `UPDATE resource SET shared_with_all = false WHERE id = $1`, hidden)
	withdrawn := f.resource(t, "TEACHER", s.company)
	authzExec(t, `UPDATE resource SET withdrawn_on = current_date WHERE id = $1`, withdrawn)
	facility := f.resource(t, "TRAINING_FACILITY", s.company)
	school, admin := memberOf(s.school), auth.Viewer{Role: auth.RoleAdmin, Subject: "admin"}
	res := func(id int64) map[string]any { return map[string]any{"teacherId": relay.ID(relay.TypeResource, id)} }
	cases := []struct {
		name     string
		viewer   auth.Viewer
		input    map[string]any
		field    string
		code     string
		topLevel bool
	}{
		{"last day before the first", school, s.input(3, 1, 8, nil), "input.to", "DATES_OUT_OF_ORDER", false},
		{"starting in the past", school, s.input(-3, 1, 8, nil), "input.from", "OUT_OF_RANGE", false},
		{"longer than a school year", school, s.input(0, 400, 100, nil), "input.to", "OUT_OF_RANGE", false},
		{"no hours", school, s.input(0, 1, 0, nil), "input.hours", "OUT_OF_RANGE", false},
		{"more than eight hours a day", school, s.input(0, 1, 17, nil), "input.hours", "OUT_OF_RANGE", false},
		{"no purpose", school, s.input(0, 1, 8, map[string]any{"purpose": " "}), "input.purpose", "REQUIRED", false},
		{"a member the teacher is not shared with", admin, s.input(0, 1, 8, map[string]any{"requesterId": relay.ID(relay.TypeOrganization, outsider)}), "input.requesterId", "INVALID", false},
		{"the teacher's own organization", memberOf(s.company), s.input(0, 1, 8, nil), "input.requesterId", "INVALID", false},
		{"a teacher the member cannot see", school, s.input(0, 1, 8, res(hidden)), "input.teacherId", "NOT_FOUND", false},
		{"a withdrawn teacher", school, s.input(0, 1, 8, res(withdrawn)), "input.teacherId", "INVALID_TRANSITION", false},
		{"a resource that is no teacher", school, s.input(0, 1, 8, res(facility)), "input.teacherId", "INVALID", false},
		{"an ADMIN who names no member", admin, s.input(0, 1, 8, nil), "input.requesterId", "REQUIRED", false},
		{"another member's request", school, s.input(0, 1, 8, map[string]any{"requesterId": relay.ID(relay.TypeOrganization, outsider)}), "", "FORBIDDEN", true},
		{"anonymous", auth.Viewer{}, s.input(0, 1, 8, nil), "", "UNAUTHENTICATED", true},
		{"an analyst", analyst, s.input(0, 1, 8, map[string]any{"requesterId": relay.ID(relay.TypeOrganization, s.school)}), "", "FORBIDDEN", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs, gqlErrs := mutate(t, ts, c.viewer, requestSecondment, c.input, "requestSecondment", nil)
			if c.topLevel {
				if len(gqlErrs) != 1 || gqlErrs[0].Extensions["code"] != c.code {
					t.Errorf("errors %+v, want %s", gqlErrs, c.code)
				}
			} else if len(errs) != 1 || errs[0].Code != c.code || joinPath(errs[0].Field) != c.field {
				t.Errorf("user errors %+v (errors %+v), want %s at %s", errs, gqlErrs, c.code, c.field)
			}
		})
	}
	teachers := fmt.Sprintf("{%d,%d,%d,%d}", s.teacher, hidden, withdrawn, facility)
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM secondment WHERE teacher_id = ANY($1)`, teachers); n != 0 {
		t.Errorf("%d secondments written by refused requests", n)
	}
	if n := sqlIntIn(t, writeDB, `SELECT count(*) FROM event WHERE kind::text LIKE 'SECONDMENT_%' AND resource_id = ANY($1)`, teachers); n != 0 {
		t.Errorf("%d events written by refused requests", n)
	}
}

func TestOnlyThePartiesDecideAndCancelSecondments(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	f := newAuthzFixtures(t)
	bystander := f.org(t, "SCHOOL")
	f.membership(t, bystander)
	sec := s.request(t, ts, 0, 2).Secondment
	for _, c := range []struct {
		name   string
		viewer auth.Viewer
		q      string
		field  string
		input  map[string]any
	}{
		{"a bystander deciding", memberOf(bystander), decideSecondment, "decideSecondment", map[string]any{"id": sec.ID, "version": 1, "accept": true}},
		{"a bystander cancelling", memberOf(bystander), cancelSecondment, "cancelSecondment", map[string]any{"id": sec.ID, "version": 1}},
		{"the requester deciding", memberOf(s.school), decideSecondment, "decideSecondment", map[string]any{"id": sec.ID, "version": 1, "accept": true}},
		{"an analyst cancelling", analyst, cancelSecondment, "cancelSecondment", map[string]any{"id": sec.ID, "version": 1}},
	} {
		if _, gqlErrs := mutate(t, ts, c.viewer, c.q, c.input, c.field, nil); len(gqlErrs) != 1 || gqlErrs[0].Extensions["code"] != "FORBIDDEN" {
			t.Errorf("%s: %+v, want FORBIDDEN", c.name, gqlErrs)
		}
	}
	// The teacher's organization may cancel what it accepted, before the last day.
	company := memberOf(s.company)
	mutate(t, ts, company, decideSecondment, map[string]any{"id": sec.ID, "version": 1, "accept": true}, "decideSecondment", nil)
	if errs, gqlErrs := mutate(t, ts, company, cancelSecondment, map[string]any{"id": sec.ID, "version": 2}, "cancelSecondment", nil); len(errs)+len(gqlErrs) > 0 {
		t.Errorf("the teacher's organization cancelling: %v %v", errs, gqlErrs)
	}
	// A secondment whose last day has passed is history: neither cancelled nor accepted.
	past := authzInsert(t, `INSERT INTO secondment (teacher_id, requester_id, provider_id, period, hours, purpose, requested_by)
		VALUES ($1, $2, $3, daterange($4::date - 10, $4::date - 5, '[]'), 8, 'Last month', 'test') RETURNING id`, s.teacher, s.school, s.company, demoDay.Format(time.DateOnly))
	pastID := relay.ID(relay.TypeSecondment, past)
	if errs, _ := mutate(t, ts, company, decideSecondment, map[string]any{"id": pastID, "version": 1, "accept": true}, "decideSecondment", nil); len(errs) != 1 || errs[0].Code != "INVALID_TRANSITION" {
		t.Errorf("accepting a secondment that ended: %+v, want INVALID_TRANSITION", errs)
	}
	if errs, _ := mutate(t, ts, memberOf(s.school), cancelSecondment, map[string]any{"id": pastID, "version": 1}, "cancelSecondment", nil); len(errs) != 1 || errs[0].Code != "INVALID_TRANSITION" {
		t.Errorf("cancelling a secondment that ended: %+v, want INVALID_TRANSITION", errs)
	}
}

func TestSecondmentsAreForSignedInCallersOfTheTeachersTheySee(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	f := newAuthzFixtures(t)
	// A teacher shared with the school by name: only ADMIN, the parties and the school see it.
	named := f.resource(t, "TEACHER", s.company)
	authzExec(t, `UPDATE resource SET shared_with_all = false WHERE id = $1`, named)
	authzExec(t, `INSERT INTO resource_share (resource_id, organization_id) VALUES ($1, $2)`, named, s.school)
	open := s.request(t, ts, 0, 2).Secondment
	var private secondmentPayload
	in := s.input(0, 2, 8, map[string]any{"teacherId": relay.ID(relay.TypeResource, named)})
	if errs, gqlErrs := mutate(t, ts, memberOf(s.school), requestSecondment, in, "requestSecondment", &private); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("asking for a teacher shared by name: %v %v", errs, gqlErrs)
	}
	q := `query($org: ID!, $teacher: ID!) {
		org: node(id: $org) { ... on Organization { secondments(states: [REQUESTED]) { totalCount edges { node { id } } } } }
		teacher: node(id: $teacher) { ... on Teacher { secondments { totalCount edges { node { id purpose } } } } }
	}`
	type answer struct {
		Org, Teacher struct {
			Secondments struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
	}
	for _, c := range []struct {
		name   string
		viewer auth.Viewer
		org    int64
		want   []string
	}{
		{"the requester, of itself", memberOf(s.school), s.school, []string{open.ID, private.Secondment.ID}},
		{"the teacher's organization, of itself", memberOf(s.company), s.company, []string{open.ID, private.Secondment.ID}},
		{"an analyst, who does not see teachers shared by name", analyst, s.company, []string{open.ID}},
		{"anonymous", auth.Viewer{}, s.school, nil},
	} {
		r := ts.queryAs(t, c.viewer, q, map[string]any{"org": relay.ID(relay.TypeOrganization, c.org), "teacher": relay.ID(relay.TypeResource, s.teacher)})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", c.name, r.Errors)
		}
		var a answer
		if err := json.Unmarshal(r.Data, &a); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range a.Org.Secondments.Edges {
			got = append(got, e.Node.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) || a.Org.Secondments.TotalCount != len(c.want) {
			t.Errorf("%s sees %v (total %d), want %v", c.name, got, a.Org.Secondments.TotalCount, c.want)
		}
		wantTeacher := 1
		if c.viewer.Anonymous() {
			wantTeacher = 0
		}
		if a.Teacher.Secondments.TotalCount != wantTeacher || len(a.Teacher.Secondments.Edges) != wantTeacher {
			t.Errorf("%s sees %d of the teacher's secondments, want %d", c.name, a.Teacher.Secondments.TotalCount, wantTeacher)
		}
	}
	node := `query($id: ID!) { node(id: $id) { id ... on Secondment { purpose state } } }`
	if r := ts.queryAs(t, auth.Viewer{}, node, map[string]any{"id": open.ID}); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
		t.Errorf("anonymous node(secondment): %s %+v, want NOT_FOUND", r.Data, r.Errors)
	}
	if r := ts.queryAs(t, analyst, node, map[string]any{"id": private.Secondment.ID}); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
		t.Errorf("an analyst's node(secondment of a teacher shared by name): %s %+v, want NOT_FOUND", r.Data, r.Errors)
	}
	if r := ts.queryAs(t, memberOf(s.company), node, map[string]any{"id": open.ID}); len(r.Errors) != 0 || !strings.Contains(string(r.Data), "REQUESTED") {
		t.Errorf("the teacher's organization's node(secondment): %s %+v", r.Data, r.Errors)
	}
	// The state filter and the window select.
	filtered := `query($id: ID!, $from: Date, $to: Date) { node(id: $id) { ... on Teacher {
		accepted: secondments(states: [ACCEPTED]) { totalCount }
		window: secondments(from: $from, to: $to) { totalCount } } } }`
	r := ts.queryAs(t, memberOf(s.school), filtered, map[string]any{"id": relay.ID(relay.TypeResource, s.teacher),
		"from": s.day.AddDate(0, 0, 3).Format(time.DateOnly), "to": s.day.AddDate(0, 0, 30).Format(time.DateOnly)})
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"accepted":{"totalCount":0}`) || !strings.Contains(string(r.Data), `"window":{"totalCount":0}`) {
		t.Errorf("filtered: %s %+v", r.Data, r.Errors)
	}
	r = ts.queryAs(t, memberOf(s.school), filtered, map[string]any{"id": relay.ID(relay.TypeResource, s.teacher),
		"from": s.day.AddDate(0, 0, 2).Format(time.DateOnly), "to": s.day.AddDate(0, 0, 2).Format(time.DateOnly)})
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"window":{"totalCount":1}`) {
		t.Errorf("a window meeting the last day: %s %+v", r.Data, r.Errors)
	}
	r = ts.queryAs(t, memberOf(s.school), filtered, map[string]any{"id": relay.ID(relay.TypeResource, s.teacher),
		"from": s.day.Format(time.DateOnly), "to": s.day.AddDate(0, 0, -1).Format(time.DateOnly)})
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["argument"] != "to" {
		t.Errorf("a window the wrong way round: %+v, want BAD_USER_INPUT naming to", r.Errors)
	}
}

func TestSecondmentListsTakeStatementsIndependentOfPageSize(t *testing.T) {
	ts := newServer(t)
	q := `query($n: Int!) {
		resources(first: $n, filter: {categories: [TEACHER]}) { edges { node { ... on Teacher {
			secondments(first: 50) { totalCount edges { node { id from state requester { id name { en } } provider { id } teacher { id } } } } } } } }
		organizations(first: $n) { edges { node { id secondments(first: 50) { totalCount edges { node { id hours teacher { id } } } } } } }
	}`
	// The pages of teachers and organizations, their secondments' pages and counts, and
	// the parties and teachers they name: a bound that holds however many there are.
	const bound = 8
	for _, n := range []int{2, 60} {
		if got := statementsAs(t, ts, analyst, q, map[string]any{"n": n}); got > bound {
			t.Errorf("%d teachers and organizations took %d statements, want at most %d", n, got, bound)
		}
	}
	// The widest page lists secondments under teachers and under organizations both.
	r := ts.queryAs(t, analyst, q, map[string]any{"n": 60})
	var a struct {
		Resources struct {
			Edges []struct {
				Node struct{ Secondments *struct{ TotalCount int } }
			}
		}
		Organizations struct {
			Edges []struct {
				Node struct{ Secondments struct{ TotalCount int } }
			}
		}
	}
	if err := json.Unmarshal(r.Data, &a); err != nil {
		t.Fatal(err)
	}
	var teachers, orgs int
	for _, e := range a.Resources.Edges {
		if e.Node.Secondments != nil && e.Node.Secondments.TotalCount > 0 {
			teachers++
		}
	}
	for _, e := range a.Organizations.Edges {
		if e.Node.Secondments.TotalCount > 0 {
			orgs++
		}
	}
	if teachers < 2 || orgs < 2 {
		t.Errorf("the page holds %d seconded teachers and %d organizations with secondments: the query proves little", teachers, orgs)
	}
}

func TestAnOrganizationsSecondmentsPageInOrderBothWays(t *testing.T) {
	ts := newWriteServer(t)
	s := newSecondmentFixture(t)
	// Some start on the same day: the id breaks the tie.
	var want []string
	for _, d := range [][2]int{{0, 1}, {3, 4}, {3, 9}, {6, 6}, {8, 20}} {
		want = append(want, s.request(t, ts, d[0], d[1]).Secondment.ID)
	}
	q := `query($org: ID!, $first: Int, $after: String, $last: Int, $before: String) { node(id: $org) { ... on Organization {
		secondments(first: $first, after: $after, last: $last, before: $before) {
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } } } } } }`
	type page struct {
		Node struct {
			Secondments struct {
				PageInfo struct {
					HasNextPage, HasPreviousPage bool
					StartCursor, EndCursor       *string
				}
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	for _, org := range []int64{s.school, s.company} {
		for _, backward := range []bool{false, true} {
			var got []string
			var cursor *string
			for range 10 {
				vars := map[string]any{"org": relay.ID(relay.TypeOrganization, org)}
				if backward {
					vars["last"], vars["before"] = 2, cursor
				} else {
					vars["first"], vars["after"] = 2, cursor
				}
				r := ts.queryAs(t, memberOf(org), q, vars)
				if len(r.Errors) > 0 {
					t.Fatal(r.Errors)
				}
				var p page
				if err := json.Unmarshal(r.Data, &p); err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, e := range p.Node.Secondments.Edges {
					ids = append(ids, e.Node.ID)
				}
				info := p.Node.Secondments.PageInfo
				if backward {
					got = append(ids, got...)
					if cursor = info.StartCursor; !info.HasPreviousPage {
						break
					}
				} else {
					got = append(got, ids...)
					if cursor = info.EndCursor; !info.HasNextPage {
						break
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("organization %d, backward %v: %v, want %v", org, backward, got, want)
			}
		}
	}
}
