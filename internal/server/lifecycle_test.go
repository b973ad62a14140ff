package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const partnershipFields = `partnership { id version status signedOn participants { role organization { id } } } userErrors { field code message }`

type partnershipPayload struct {
	Partnership *struct {
		ID, Status   string
		Version      int
		SignedOn     *string
		Participants []struct {
			Role         string
			Organization struct{ ID string }
		}
	}
}

func TestPartnershipLifecycleFollowsItsStatuses(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	var orgKeys []int64
	if err := ts.db.DB.Select(&orgKeys, "SELECT id FROM organization WHERE kind IN ('SCHOOL', 'COMPANY') ORDER BY id LIMIT 4"); err != nil {
		t.Fatal(err)
	}
	org := func(i int) string { return relay.ID(relay.TypeOrganization, orgKeys[i]) }
	lead := memberOf(orgKeys[0])

	var got partnershipPayload
	ue, errs := mutate(t, ts, lead, `mutation($input: ProposePartnershipInput!) { proposePartnership(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"allianceId": alliance, "title": map[string]any{"en": "Mechatronics order class", "zh": "机电一体化订单班"}, "kind": "ORDER_CLASS",
			"startsOn": "2027-03-01", "endsOn": "2028-01-31",
			"participants": []map[string]any{{"organizationId": org(0), "role": "LEAD"}, {"organizationId": org(1), "role": "PARTNER"}}},
		"proposePartnership", &got)
	if len(ue)+len(errs) > 0 || got.Partnership.Status != "PROPOSED" {
		t.Fatalf("propose: %+v %+v %+v", ue, errs, got.Partnership)
	}
	id, version := got.Partnership.ID, got.Partnership.Version

	steps := []struct {
		name     string
		as       auth.Viewer
		mutation string
		input    map[string]any
		wantCode string // "" for success
		status   string
	}{
		{"an invited partner may not sign", memberOf(orgKeys[1]), "signPartnership", map[string]any{"signedOn": "2026-11-20"}, "FORBIDDEN", ""},
		{"completing a proposal skips steps", lead, "changePartnershipStatus", map[string]any{"status": "COMPLETED"}, "INVALID_TRANSITION", ""},
		{"the lead cannot sign before the partner answers", lead, "signPartnership", map[string]any{"signedOn": "2026-11-20"}, "PENDING_INVITATIONS", ""},
		{"the lead cannot accept for the partner", lead, "acceptPartnershipInvitation", map[string]any{"organizationId": org(1)}, "FORBIDDEN", ""},
		{"the partner accepts", memberOf(orgKeys[1]), "acceptPartnershipInvitation", map[string]any{"organizationId": org(1)}, "", "PROPOSED"},
		{"the partner has answered", memberOf(orgKeys[1]), "declinePartnershipInvitation", map[string]any{"organizationId": org(1)}, "NOT_FOUND", ""},
		{"the lead signs", lead, "signPartnership", map[string]any{"signedOn": "2026-11-20"}, "", "SIGNED"},
		{"signing twice", lead, "signPartnership", map[string]any{}, "INVALID_TRANSITION", ""},
		{"a sponsor is invited", lead, "addPartnershipParticipant", map[string]any{"organizationId": org(2), "role": "SPONSOR"}, "", "SIGNED"},
		{"a second lead", lead, "addPartnershipParticipant", map[string]any{"organizationId": org(3), "role": "LEAD"}, "INVALID", ""},
		{"the lead cannot leave", lead, "removePartnershipParticipant", map[string]any{"organizationId": org(0)}, "INVALID", ""},
		{"it cannot start before the sponsor answers", lead, "changePartnershipStatus", map[string]any{"status": "ACTIVE"}, "PENDING_INVITATIONS", ""},
		{"the sponsor's invitation is withdrawn", lead, "removePartnershipParticipant", map[string]any{"organizationId": org(2)}, "", "SIGNED"},
		{"a sponsor joins by ADMIN's word", admin, "addPartnershipParticipant", map[string]any{"organizationId": org(2), "role": "SPONSOR"}, "", "SIGNED"},
		{"the sponsor leaves", lead, "removePartnershipParticipant", map[string]any{"organizationId": org(2)}, "", "SIGNED"},
		{"two participants stay", lead, "removePartnershipParticipant", map[string]any{"organizationId": org(1)}, "OUT_OF_RANGE", ""},
		{"it starts", admin, "changePartnershipStatus", map[string]any{"status": "ACTIVE"}, "", "ACTIVE"},
		{"it completes", lead, "changePartnershipStatus", map[string]any{"status": "COMPLETED"}, "", "COMPLETED"},
		{"completed is final", admin, "changePartnershipStatus", map[string]any{"status": "PROPOSED"}, "INVALID_TRANSITION", ""},
	}
	inputTypes := map[string]string{"signPartnership": "SignPartnershipInput", "changePartnershipStatus": "ChangePartnershipStatusInput",
		"addPartnershipParticipant": "AddPartnershipParticipantInput", "removePartnershipParticipant": "RemovePartnershipParticipantInput",
		"acceptPartnershipInvitation": "AnswerPartnershipInvitationInput", "declinePartnershipInvitation": "AnswerPartnershipInvitationInput"}
	for _, st := range steps {
		input := map[string]any{"version": version}
		for k, v := range st.input {
			input[k] = v
		}
		if strings.Contains(st.mutation, "Participant") || strings.Contains(st.mutation, "Invitation") {
			input["partnershipId"] = id
		} else {
			input["id"] = id
		}
		q := fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { %s } }`, inputTypes[st.mutation], st.mutation, partnershipFields)
		var out partnershipPayload
		events := ts.sqlInt(t, "SELECT count(*) FROM event WHERE subject_id = $1", id)
		ue, errs := mutate(t, ts, st.as, q, input, st.mutation, &out)
		code := ""
		switch {
		case len(errs) > 0:
			code, _ = errs[0].Extensions["code"].(string)
		case len(ue) > 0:
			code = ue[0].Code
		}
		if code != st.wantCode {
			t.Fatalf("%s: got code %q (%+v %+v), want %q", st.name, code, ue, errs, st.wantCode)
		}
		after := ts.sqlInt(t, "SELECT count(*) FROM event WHERE subject_id = $1", id)
		if st.wantCode != "" {
			if after != events {
				t.Errorf("%s: a refused change added an event", st.name)
			}
			continue
		}
		if out.Partnership.Status != st.status || out.Partnership.Version != version+1 || after != events+1 {
			t.Fatalf("%s: status %s version %d (want %s, %d), events %d -> %d", st.name, out.Partnership.Status, out.Partnership.Version, st.status, version+1, events, after)
		}
		version = out.Partnership.Version
	}
	_, key, _ := relay.ParseID(id)
	var signed string
	ts.db.DB.Get(&signed, "SELECT signed_on::text FROM partnership WHERE id = $1", key)
	if signed != "2026-11-20" {
		t.Errorf("signed_on = %q, want 2026-11-20", signed)
	}
}

func TestAProposalCanBeAbandonedUnsigned(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	var orgs []int64
	if err := ts.db.DB.Select(&orgs, "SELECT id FROM organization ORDER BY id LIMIT 2"); err != nil {
		t.Fatal(err)
	}
	var got partnershipPayload
	if ue, errs := mutate(t, ts, admin, `mutation($input: ProposePartnershipInput!) { proposePartnership(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"allianceId": alliance, "title": map[string]any{"en": "Abandoned idea", "zh": "放弃的想法"}, "kind": "INNOVATION_VENTURE",
			"participants": []map[string]any{{"organizationId": relay.ID(relay.TypeOrganization, orgs[0]), "role": "LEAD"}, {"organizationId": relay.ID(relay.TypeOrganization, orgs[1]), "role": "PARTNER"}}},
		"proposePartnership", &got); len(ue)+len(errs) > 0 {
		t.Fatalf("propose: %+v %+v", ue, errs)
	}
	var out partnershipPayload
	ue, errs := mutate(t, ts, admin, `mutation($input: ChangePartnershipStatusInput!) { changePartnershipStatus(input: $input) { `+partnershipFields+` } }`,
		map[string]any{"id": got.Partnership.ID, "version": got.Partnership.Version, "status": "TERMINATED"}, "changePartnershipStatus", &out)
	if len(ue)+len(errs) > 0 || out.Partnership.Status != "TERMINATED" || out.Partnership.SignedOn != nil {
		t.Fatalf("terminate a proposal: %+v %+v %+v", ue, errs, out.Partnership)
	}
}

func TestMutationsAreRefusedOverGET(t *testing.T) {
	ts := newWriteServer(t)
	q := url.QueryEscape(`mutation { createSkill(input: {code: "GET.X", name: {en: "x", zh: "x"}, category: GENERAL}) { skill { id } } }`)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/query?query="+q, nil)
	req.Header.Set("Authorization", "Bearer "+ts.token(t, admin))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusOK && !strings.Contains(string(body), "errors") {
		t.Fatalf("GET ran a mutation: %d %s", res.StatusCode, body)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM skill WHERE code = 'GET.X'"); n != 0 {
		t.Error("the mutation sent over GET wrote a skill")
	}
}

func TestEventsListChangesInCommitOrderAndHideTalentEventsFromAnonymous(t *testing.T) {
	ts := newWriteServer(t)
	var created struct{ Skill struct{ ID string } }
	if ue, errs := mutate(t, ts, admin, `mutation($input: CreateSkillInput!) { createSkill(input: $input) { skill { id } userErrors { field code message } } }`,
		map[string]any{"code": "EVT.TEST", "name": map[string]any{"en": "Event testing", "zh": "事件测试"}, "category": "GENERAL"}, "createSkill", &created); len(ue)+len(errs) > 0 {
		t.Fatalf("create skill: %+v %+v", ue, errs)
	}
	// A talent of its own: other tests change talents and record events about them.
	talent := relay.ID(relay.TypeTalent, newAuthzFixtures(t).talent(t, 0, 0))
	if ue, errs := mutate(t, ts, admin, `mutation($input: SetTalentSkillInput!) { setTalentSkill(input: $input) { talent { id } userErrors { field code message } } }`,
		map[string]any{"talentId": talent, "version": 1, "skill": map[string]any{"skillId": created.Skill.ID, "level": 3}}, "setTalentSkill", nil); len(ue)+len(errs) > 0 {
		t.Fatalf("set talent skill: %+v %+v", ue, errs)
	}
	q := `query($f: EventFilter) { events(last: 100, filter: $f) { totalCount edges { node { id kind subjectId actor actorRole payload subject { id } } } } }`
	type events struct {
		Events struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Kind, SubjectID, Actor, ActorRole string
					Payload                               map[string]any
					Subject                               *struct{ ID string }
				}
			}
		}
	}
	var asAdmin events
	r := ts.queryAs(t, admin, q, map[string]any{"f": map[string]any{"subjects": []string{created.Skill.ID, talent}}})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if err := json.Unmarshal(r.Data, &asAdmin); err != nil {
		t.Fatal(err)
	}
	if len(asAdmin.Events.Edges) != 2 || asAdmin.Events.Edges[0].Node.Kind != "SKILL_CREATED" || asAdmin.Events.Edges[1].Node.Kind != "TALENT_UPDATED" {
		t.Fatalf("events = %+v, want SKILL_CREATED then TALENT_UPDATED", asAdmin.Events.Edges)
	}
	first := asAdmin.Events.Edges[0].Node
	if first.Actor != "secretariat" || first.ActorRole != "ADMIN" || first.Payload["code"] != "EVT.TEST" || first.Subject == nil || first.Subject.ID != created.Skill.ID {
		t.Errorf("first event = %+v", first)
	}
	var anon events
	ts.data(t, q, map[string]any{"f": map[string]any{"subjects": []string{created.Skill.ID, talent}}}, &anon)
	if len(anon.Events.Edges) != 1 || anon.Events.Edges[0].Node.Kind != "SKILL_CREATED" {
		t.Errorf("anonymous sees %+v, want only SKILL_CREATED", anon.Events.Edges)
	}
}
