package server_test

import (
	"sync"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// concurrently runs n calls at once and collects each one's user error codes.
func concurrently(t *testing.T, n int, call func(i int) []userError) map[string]int {
	t.Helper()
	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ue := call(i)
			code := "OK"
			if len(ue) > 0 {
				code = ue[0].Code
			}
			mu.Lock()
			outcomes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return outcomes
}

func TestConcurrentHiresNeverOverfillAnOpening(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	company := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 1")
	var posted struct{ JobOpening struct{ ID string } }
	if ue, errs := mutate(t, ts, admin, `mutation($input: PostJobOpeningInput!) { postJobOpening(input: $input) { jobOpening { id } userErrors { field code message } } }`,
		map[string]any{"allianceId": alliance, "providerId": company, "title": map[string]any{"en": "Race welder", "zh": "焊工"}, "positions": 3, "employmentType": "FULL_TIME"},
		"postJobOpening", &posted); len(ue)+len(errs) > 0 {
		t.Fatalf("post opening: %+v %+v", ue, errs)
	}
	opening := posted.JobOpening.ID
	const applicants = 16
	talents := ts.someTalents(t, applicants)
	placements := make([]string, applicants)
	for i, talent := range talents {
		var got struct{ Placement struct{ ID string } }
		if ue, errs := mutate(t, ts, admin, `mutation($input: ApplyForJobInput!) { applyForJob(input: $input) { placement { id } userErrors { field code message } } }`,
			map[string]any{"openingId": opening, "talentId": talent}, "applyForJob", &got); len(ue)+len(errs) > 0 {
			t.Fatalf("apply: %+v %+v", ue, errs)
		}
		placements[i] = got.Placement.ID
	}
	outcomes := concurrently(t, applicants, func(i int) []userError {
		ue, errs := mutate(t, ts, admin, `mutation($input: UpdatePlacementStatusInput!) { updatePlacementStatus(input: $input) { placement { status } userErrors { field code message } } }`,
			map[string]any{"id": placements[i], "version": 1, "status": "HIRED"}, "updatePlacementStatus", nil)
		if len(errs) > 0 {
			t.Errorf("hire %d: %+v", i, errs)
		}
		return ue
	})
	if outcomes["OK"] != 3 || outcomes["FULL"] != applicants-3 {
		t.Errorf("outcomes = %v, want 3 hires and %d FULL", outcomes, applicants-3)
	}
	_, key, _ := relay.ParseID(opening)
	if filled := ts.sqlInt(t, "SELECT filled FROM resource WHERE id = $1", key); filled != 3 {
		t.Errorf("filled = %d, want 3", filled)
	}
	if hired := ts.sqlInt(t, "SELECT count(*) FROM placement WHERE opening_id = $1 AND status = 'HIRED'", key); hired != 3 {
		t.Errorf("%d placements are HIRED, want 3 (a refused hire must leave its placement as it was)", hired)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM resource WHERE id = $1 AND opening_status = 'FILLED'", key); n != 1 {
		t.Error("the opening is not FILLED")
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM event WHERE kind = 'OPENING_FILLED' AND subject_id = $1", opening); n != 1 {
		t.Errorf("%d OPENING_FILLED events, want 1", n)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM event WHERE kind = 'PLACEMENT_STATUS_CHANGED' AND payload->>'opening' = $1", opening); n != 3 {
		t.Errorf("%d PLACEMENT_STATUS_CHANGED events, want one per hire (3)", n)
	}
}

func TestConcurrentEnrolmentsNeverExceedSeats(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	school := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'SCHOOL' ORDER BY id LIMIT 1")
	var shared struct{ TrainingCourse struct{ ID string } }
	if ue, errs := mutate(t, ts, admin, `mutation($input: ShareTrainingCourseInput!) { shareTrainingCourse(input: $input) { trainingCourse { id } userErrors { field code message } } }`,
		map[string]any{"allianceId": alliance, "providerId": school, "title": map[string]any{"en": "Race PLC course", "zh": "PLC课程"}, "hours": 40, "seats": 5},
		"shareTrainingCourse", &shared); len(ue)+len(errs) > 0 {
		t.Fatalf("share course: %+v %+v", ue, errs)
	}
	talents := ts.someTalents(t, 24)
	// A full class waitlists the talent rather than refusing it (enrolment to
	// certificate): every request is taken, five with a seat.
	outcomes := concurrently(t, len(talents), func(i int) []userError {
		var out struct{ Enrollment *struct{ State string } }
		ue, errs := mutate(t, ts, admin, `mutation($input: EnrollInCourseInput!) { enrollInCourse(input: $input) { enrollment { state } userErrors { field code message } } }`,
			map[string]any{"courseId": shared.TrainingCourse.ID, "talentId": talents[i]}, "enrollInCourse", &out)
		if len(errs) > 0 {
			t.Errorf("enrol %d: %+v", i, errs)
		}
		if out.Enrollment != nil && out.Enrollment.State == "WAITLISTED" {
			return []userError{{Code: "WAITLISTED"}}
		}
		return ue
	})
	if outcomes["OK"] != 5 || outcomes["WAITLISTED"] != len(talents)-5 {
		t.Errorf("outcomes = %v, want 5 enrolments and %d WAITLISTED", outcomes, len(talents)-5)
	}
	_, key, _ := relay.ParseID(shared.TrainingCourse.ID)
	if n := ts.sqlInt(t, "SELECT enrolled FROM resource WHERE id = $1", key); n != 5 {
		t.Errorf("enrolled = %d, want 5", n)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM enrollment WHERE course_id = $1 AND state = 'ENROLLED'", key); n != 5 {
		t.Errorf("%d seated enrolment rows, want 5", n)
	}
	// The same talent twice is a duplicate, not a second seat or place in the queue.
	ue, _ := mutate(t, ts, admin, `mutation($input: EnrollInCourseInput!) { enrollInCourse(input: $input) { userErrors { field code message } } }`,
		map[string]any{"courseId": shared.TrainingCourse.ID, "talentId": talents[0]}, "enrollInCourse", nil)
	if len(ue) != 1 || ue[0].Code != "DUPLICATE" {
		t.Errorf("re-enrolling gave %+v", ue)
	}
}

func TestConcurrentUpdatesOfOneVersionLetExactlyOneWin(t *testing.T) {
	ts := newWriteServer(t)
	var key int64
	if err := ts.db.DB.Get(&key, `INSERT INTO organization (kind, name_en, name_zh, industry) VALUES ('COMPANY', 'Race Co.', '竞赛公司', 'SOFTWARE') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	id := relay.ID(relay.TypeOrganization, key)
	const writers = 12
	outcomes := concurrently(t, writers, func(i int) []userError {
		ue, errs := mutate(t, ts, admin, `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { version } userErrors { field code message } } }`,
			map[string]any{"id": id, "version": 1, "employeeCount": 100 + i}, "updateOrganization", nil)
		if len(errs) > 0 {
			t.Errorf("update %d: %+v", i, errs)
		}
		return ue
	})
	if outcomes["OK"] != 1 || outcomes["CONFLICT"] != writers-1 {
		t.Errorf("outcomes = %v, want 1 winner and %d CONFLICT", outcomes, writers-1)
	}
	if v := ts.sqlInt(t, "SELECT version FROM organization WHERE id = $1", key); v != 2 {
		t.Errorf("version = %d, want 2", v)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM event WHERE subject_id = $1", id); n != 1 {
		t.Errorf("%d events for the organization, want 1", n)
	}
}
