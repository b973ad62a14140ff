package server_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// Writes keep the scope of reads: a resource shared with named members only is, to
// everyone else, a resource that does not exist. Applying for it, enrolling in it,
// changing it or linking to it answers NOT_FOUND (never FORBIDDEN, which would confirm it
// exists), changes nothing, and returns nothing of it. The members it is shared with
// may do what the alliance may do with a public resource.
func TestWritesOnAResourceOutsideTheCallersScopeAnswerNotFound(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	provider, named, outsider := f.org(t, "COMPANY"), f.org(t, "SCHOOL"), f.org(t, "SCHOOL")
	restrict := func(r int64) int64 {
		authzExec(t, "UPDATE resource SET shared_with_all = false WHERE id = $1", r)
		authzExec(t, "INSERT INTO resource_share (resource_id, organization_id) VALUES ($1, $2)", r, named)
		return r
	}
	opening := restrict(f.resource(t, "JOB_OPENING", provider))
	course := restrict(f.resource(t, "TRAINING_COURSE", provider))
	teacher := restrict(f.resource(t, "TEACHER", provider))
	facility := restrict(f.resource(t, "TRAINING_FACILITY", provider))
	outsiderTalent, namedTalent := f.talent(t, outsider, 0), f.talent(t, named, 0)
	placement := authzInsert(t, `INSERT INTO placement (opening_id, talent_id, status, applied_on) VALUES ($1, $2, 'APPLIED', current_date) RETURNING id`, opening, namedTalent)
	talentID := func(k int64) string { return relay.ID(relay.TypeTalent, k) }
	// What the refused writes would have changed, read before and after.
	state := []authzQuery{
		authzQ("SELECT count(*) FROM placement WHERE opening_id = $1", opening),
		authzQ("SELECT enrolled FROM resource WHERE id = $1", course),
		authzQ("SELECT version, title_en, opening_status, withdrawn_on FROM resource WHERE id = ANY($1)", fmt.Sprintf("{%d,%d,%d,%d}", opening, course, teacher, facility)),
		authzQ("SELECT status FROM placement WHERE id = $1", placement),
		authzQ("SELECT count(*) FROM resource WHERE provider_id = $1", outsider),
	}

	tests := []struct {
		name, mutation, field string
		input                 map[string]any
		at                    []string // the field the NOT_FOUND names
	}{
		{"apply for the opening", `mutation($input: ApplyForJobInput!) { applyForJob(input: $input) { placement { id opening { id } } userErrors { field code message } } }`,
			"applyForJob", map[string]any{"openingId": authzResID(opening), "talentId": talentID(outsiderTalent)}, []string{"openingId"}},
		{"enrol in the course", `mutation($input: EnrollInCourseInput!) { enrollInCourse(input: $input) { trainingCourse { id title { en } enrolled } userErrors { field code message } } }`,
			"enrollInCourse", map[string]any{"courseId": authzResID(course), "talentId": talentID(outsiderTalent)}, []string{"courseId"}},
		{"update the opening", `mutation($input: UpdateJobOpeningInput!) { updateJobOpening(input: $input) { jobOpening { id title { en } } userErrors { field code message } } }`,
			"updateJobOpening", map[string]any{"id": authzResID(opening), "version": 1, "title": authzBilingual("Taken over")}, []string{"id"}},
		{"close the opening", `mutation($input: CloseJobOpeningInput!) { closeJobOpening(input: $input) { jobOpening { id } userErrors { field code message } } }`,
			"closeJobOpening", map[string]any{"id": authzResID(opening), "version": 1}, []string{"id"}},
		{"withdraw the course", `mutation($input: WithdrawResourceInput!) { withdrawResource(input: $input) { userErrors { field code message } } }`,
			"withdrawResource", map[string]any{"id": authzResID(course), "version": 1}, []string{"id"}},
		{"decide on an application to the opening", `mutation($input: UpdatePlacementStatusInput!) { updatePlacementStatus(input: $input) { placement { id } userErrors { field code message } } }`,
			"updatePlacementStatus", map[string]any{"id": relay.ID(relay.TypePlacement, placement), "version": 1, "status": "REJECTED"}, []string{"id"}},
		{"teach one's own course with the teacher", `mutation($input: ShareTrainingCourseInput!) { shareTrainingCourse(input: $input) { trainingCourse { id } userErrors { field code message } } }`,
			"shareTrainingCourse", map[string]any{"allianceId": f.allianceID(), "providerId": authzOrgID(outsider), "title": authzBilingual("Borrowed teacher"), "hours": 10, "seats": 5,
				"teacherIds": []string{authzResID(teacher)}}, []string{"teacherIds", "0"}},
		{"hold one's own course in the facility", `mutation($input: ShareTrainingCourseInput!) { shareTrainingCourse(input: $input) { trainingCourse { id } userErrors { field code message } } }`,
			"shareTrainingCourse", map[string]any{"allianceId": f.allianceID(), "providerId": authzOrgID(outsider), "title": authzBilingual("Borrowed room"), "hours": 10, "seats": 5,
				"facilityId": authzResID(facility)}, []string{"facilityId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := authzState(t, state)
			ue, errs := mutate(t, ts, memberOf(outsider), tt.mutation, tt.input, tt.field, nil)
			if len(errs) > 0 {
				t.Fatalf("errors %+v; want a NOT_FOUND user error", errs)
			}
			if want := append([]string{"input"}, tt.at...); len(ue) != 1 || ue[0].Code != "NOT_FOUND" || !slices.Equal(ue[0].Field, want) {
				t.Errorf("user errors %+v; want one NOT_FOUND at input.%v", ue, tt.at)
			}
			if after := authzState(t, state); !slices.Equal(before, after) {
				t.Errorf("the refused write changed %v into %v", before, after)
			}
		})
	}

	// The member the resources are shared with does what the outsider could not.
	t.Run("the named member may use them", func(t *testing.T) {
		other := f.talent(t, named, 0)
		var applied struct {
			Placement struct{ Opening struct{ ID string } }
		}
		if ue, errs := mutate(t, ts, memberOf(named), tests[0].mutation, map[string]any{"openingId": authzResID(opening), "talentId": talentID(other)}, "applyForJob", &applied); len(ue)+len(errs) > 0 {
			t.Fatalf("apply: %+v %+v", ue, errs)
		}
		if applied.Placement.Opening.ID != authzResID(opening) {
			t.Errorf("the payload's opening is %q", applied.Placement.Opening.ID)
		}
		var enrolled struct{ TrainingCourse struct{ Enrolled int } }
		if ue, errs := mutate(t, ts, memberOf(named), tests[1].mutation, map[string]any{"courseId": authzResID(course), "talentId": talentID(other)}, "enrollInCourse", &enrolled); len(ue)+len(errs) > 0 {
			t.Fatalf("enrol: %+v %+v", ue, errs)
		}
		if enrolled.TrainingCourse.Enrolled != 1 {
			t.Errorf("enrolled = %d after the first enrolment", enrolled.TrainingCourse.Enrolled)
		}
	})
}
