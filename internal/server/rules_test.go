package server_test

import (
	"fmt"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// TestBusinessRulesRefuseBadChangesAndWriteNothing runs one refused mutation per rule
// and checks the user error names the field and the rule, and that no event was added.
func TestBusinessRulesRefuseBadChangesAndWriteNothing(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	company := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 1")
	school := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'SCHOOL' ORDER BY id LIMIT 1")
	filledOpening := ts.firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'JOB_OPENING' AND filled >= 2 ORDER BY id LIMIT 1")
	closedOpening := ts.firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'JOB_OPENING' AND opening_status = 'CLOSED' ORDER BY id LIMIT 1")
	fullCourse := ts.firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'TRAINING_COURSE' AND enrolled >= 2 ORDER BY id LIMIT 1")
	membership := ts.firstKey(t, relay.TypeMembership, "SELECT id FROM membership WHERE left_on IS NULL ORDER BY id LIMIT 1")
	skill := ts.firstKey(t, relay.TypeSkill, "SELECT id FROM skill ORDER BY id LIMIT 1")
	talent := ts.someTalents(t, 1)[0]
	applied := ts.firstKey(t, relay.TypePlacement, "SELECT id FROM placement WHERE status = 'APPLIED' ORDER BY id LIMIT 1")
	version := func(table string, id string) int {
		_, k, _ := relay.ParseID(id)
		return ts.sqlInt(t, fmt.Sprintf("SELECT version FROM %s WHERE id = $1", table), k)
	}
	tests := []struct {
		name, mutation, inputType string
		input                     map[string]any
		field, code               string
	}{
		{"positions below those filled", "updateJobOpening", "UpdateJobOpeningInput",
			map[string]any{"id": filledOpening, "version": version("resource", filledOpening), "positions": 1}, "input.positions", "OUT_OF_RANGE"},
		{"salary range upside down", "postJobOpening", "PostJobOpeningInput",
			map[string]any{"allianceId": alliance, "providerId": company, "title": map[string]any{"en": "A", "zh": "甲"}, "positions": 1, "employmentType": "INTERNSHIP", "salaryMin": 9000, "salaryMax": 5000}, "input.salaryMax", "OUT_OF_RANGE"},
		{"an opening closing in the past", "postJobOpening", "PostJobOpeningInput",
			map[string]any{"allianceId": alliance, "providerId": company, "title": map[string]any{"en": "A", "zh": "甲"}, "positions": 1, "employmentType": "INTERNSHIP", "closesOn": "2020-01-01"}, "input.closesOn", "OUT_OF_RANGE"},
		{"a skill required twice", "postJobOpening", "PostJobOpeningInput",
			map[string]any{"allianceId": alliance, "providerId": company, "title": map[string]any{"en": "A", "zh": "甲"}, "positions": 1, "employmentType": "INTERNSHIP",
				"requiredSkills": []map[string]any{{"skillId": skill, "level": 2}, {"skillId": skill, "level": 3}}}, "input.requiredSkills.1.skillId", "DUPLICATE"},
		{"a skill level of 6", "postJobOpening", "PostJobOpeningInput",
			map[string]any{"allianceId": alliance, "providerId": company, "title": map[string]any{"en": "A", "zh": "甲"}, "positions": 1, "employmentType": "INTERNSHIP",
				"requiredSkills": []map[string]any{{"skillId": skill, "level": 6}}}, "input.requiredSkills.0.level", "OUT_OF_RANGE"},
		{"applying to a closed opening", "applyForJob", "ApplyForJobInput",
			map[string]any{"openingId": closedOpening, "talentId": talent}, "input.openingId", "INVALID_TRANSITION"},
		{"seats below those taken", "updateTrainingCourse", "UpdateTrainingCourseInput",
			map[string]any{"id": fullCourse, "version": version("resource", fullCourse), "seats": 1}, "input.seats", "OUT_OF_RANGE"},
		{"a course ending before it starts", "shareTrainingCourse", "ShareTrainingCourseInput",
			map[string]any{"allianceId": alliance, "providerId": school, "title": map[string]any{"en": "A", "zh": "甲"}, "hours": 8, "seats": 8, "startsOn": "2027-05-01", "endsOn": "2027-04-01"}, "input.endsOn", "DATES_OUT_OF_ORDER"},
		{"a teacher that is an opening", "shareTrainingCourse", "ShareTrainingCourseInput",
			map[string]any{"allianceId": alliance, "providerId": school, "title": map[string]any{"en": "A", "zh": "甲"}, "hours": 8, "seats": 8, "teacherIds": []string{filledOpening}}, "input.teacherIds.0", "NOT_FOUND"},
		{"leaving before joining", "recordMemberLeaving", "RecordMemberLeavingInput",
			map[string]any{"id": membership, "version": version("membership", membership), "leftOn": "2000-01-01"}, "input.leftOn", "DATES_OUT_OF_ORDER"},
		{"admitting a member twice", "admitMember", "AdmitMemberInput",
			map[string]any{"allianceId": alliance, "organizationId": company, "role": "MEMBER"}, "input.organizationId", "DUPLICATE"},
		{"a talent whose school is a company", "registerTalent", "RegisterTalentInput",
			map[string]any{"allianceId": alliance, "fullName": "Li Ming", "status": "STUDENT", "schoolId": company}, "input.schoolId", "INVALID"},
		{"a major without a school", "registerTalent", "RegisterTalentInput",
			map[string]any{"allianceId": alliance, "fullName": "Li Ming", "status": "STUDENT", "major": "CNC Technology"}, "input.major", "INVALID"},
		{"a major the school does not teach", "registerTalent", "RegisterTalentInput",
			map[string]any{"allianceId": alliance, "fullName": "Li Ming", "status": "STUDENT", "schoolId": school, "major": "Basket Weaving"}, "input.major", "INVALID"},
		{"a starting salary of nothing", "updatePlacementStatus", "UpdatePlacementStatusInput",
			map[string]any{"id": applied, "version": version("placement", applied), "status": "HIRED", "startingSalary": 0}, "input.startingSalary", "OUT_OF_RANGE"},
		{"a starting salary past the bound", "updatePlacementStatus", "UpdatePlacementStatusInput",
			map[string]any{"id": applied, "version": version("placement", applied), "status": "HIRED", "startingSalary": 200_001}, "input.startingSalary", "OUT_OF_RANGE"},
		{"a starting salary without a hire", "updatePlacementStatus", "UpdatePlacementStatusInput",
			map[string]any{"id": applied, "version": version("placement", applied), "status": "REJECTED", "startingSalary": 6000}, "input.startingSalary", "INVALID"},
		{"a malformed email", "registerTalent", "RegisterTalentInput",
			map[string]any{"allianceId": alliance, "fullName": "Li Ming", "status": "STUDENT", "schoolId": school, "email": "li.ming"}, "input.email", "INVALID"},
		{"a skill code in lower case", "createSkill", "CreateSkillInput",
			map[string]any{"code": "mfg.x", "name": map[string]any{"en": "A", "zh": "甲"}, "category": "GENERAL"}, "input.code", "INVALID"},
		{"an unknown parent skill", "createSkill", "CreateSkillInput",
			map[string]any{"code": "MFG.NEW", "name": map[string]any{"en": "A", "zh": "甲"}, "category": "GENERAL", "parentId": relay.ID(relay.TypeSkill, 999999)}, "input.parentId", "NOT_FOUND"},
		{"a stale version", "withdrawResource", "WithdrawResourceInput",
			map[string]any{"id": fullCourse, "version": 999}, "input.version", "CONFLICT"},
		{"an ID that does not exist", "updateSkill", "UpdateSkillInput",
			map[string]any{"id": relay.ID(relay.TypeSkill, 999999), "version": 1, "description": "x"}, "input.id", "NOT_FOUND"},
		{"an ID of the wrong type", "closeJobOpening", "CloseJobOpeningInput",
			map[string]any{"id": skill, "version": 1}, "input.id", "INVALID"},
		{"closing a course as an opening", "closeJobOpening", "CloseJobOpeningInput",
			map[string]any{"id": fullCourse, "version": version("resource", fullCourse)}, "input.id", "INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := ts.sqlInt(t, "SELECT count(*) FROM event")
			q := fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { userErrors { field code message } } }`, tt.inputType, tt.mutation)
			ue, errs := mutate(t, ts, admin, q, tt.input, tt.mutation, nil)
			if len(errs) > 0 {
				t.Fatalf("GraphQL errors: %+v", errs)
			}
			if len(ue) != 1 || joinPath(ue[0].Field) != tt.field || ue[0].Code != tt.code || ue[0].Message == "" {
				t.Fatalf("user errors = %+v, want one %s at %s", ue, tt.code, tt.field)
			}
			if after := ts.sqlInt(t, "SELECT count(*) FROM event"); after != events {
				t.Errorf("a refused change added %d events", after-events)
			}
		})
	}
}

func TestWithdrawnResourcesLeaveListsButStayReadableByID(t *testing.T) {
	ts := newWriteServer(t)
	teacher := ts.firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'TEACHER' AND shared_with_all ORDER BY id DESC LIMIT 1")
	_, key, _ := relay.ParseID(teacher)
	provider := relay.ID(relay.TypeOrganization, int64(ts.sqlInt(t, "SELECT provider_id FROM resource WHERE id = $1", key)))
	// The list below is read anonymously: it holds what is shared with the whole alliance.
	before := ts.sqlInt(t, "SELECT count(*) FROM resource WHERE provider_id = (SELECT provider_id FROM resource WHERE id = $1) AND withdrawn_on IS NULL AND shared_with_all", key)
	var out struct {
		Resource *struct{ WithdrawnOn *string }
	}
	if ue, errs := mutate(t, ts, admin, `mutation($input: WithdrawResourceInput!) { withdrawResource(input: $input) { resource { ... on Teacher { withdrawnOn } } userErrors { field code message } } }`,
		map[string]any{"id": teacher, "version": ts.sqlInt(t, "SELECT version FROM resource WHERE id = $1", key)}, "withdrawResource", &out); len(ue)+len(errs) > 0 {
		t.Fatalf("withdraw: %+v %+v", ue, errs)
	}
	if out.Resource == nil || out.Resource.WithdrawnOn == nil {
		t.Fatalf("payload %+v has no withdrawal date", out.Resource)
	}
	var list struct{ Resources struct{ TotalCount int } }
	ts.data(t, `query($p: ID!) { resources(filter: {providers: [$p]}) { totalCount } }`, map[string]any{"p": provider}, &list)
	if list.Resources.TotalCount != before-1 {
		t.Errorf("provider lists %d resources after the withdrawal, want %d", list.Resources.TotalCount, before-1)
	}
	var node struct{ Node *struct{ ID string } }
	ts.data(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": teacher}, &node)
	if node.Node == nil {
		t.Error("a withdrawn resource is no longer readable by ID")
	}
}
