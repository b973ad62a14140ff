package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// The attacks of issue 13 on consent, replayed over HTTP against the demo alliance as the
// attacker would: a member that names half the alliance in a partnership and signs and
// starts it alone, and a school that names any company as a talent's employer to hand it
// the talent's personal data.

// TestAbuseAMemberCannotSignAndStartAPartnershipNamingOthersAlone: a member named 49
// organizations, signed and activated alone. Now naming more than 20 is refused, naming 19
// only invites them, and nothing it can do alone signs, starts or links the partnership.
func TestAbuseAMemberCannotSignAndStartAPartnershipNamingOthersAlone(t *testing.T) {
	ts := newWriteServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY id LIMIT 1")
	var attacker int64
	if err := ts.db.DB.Get(&attacker, `SELECT o.id FROM organization o WHERE o.kind = 'SCHOOL'
		AND EXISTS (SELECT 1 FROM partnership_participant x WHERE x.organization_id = o.id) ORDER BY o.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var victims []int64
	if err := ts.db.DB.Select(&victims, `SELECT id FROM organization WHERE id <> $1 ORDER BY id LIMIT 49`, attacker); err != nil || len(victims) != 49 {
		t.Fatalf("49 victims: %v %v", victims, err)
	}
	as := memberOf(attacker)
	propose := func(named []int64) ([]userError, partnershipPayload) {
		parts := []map[string]any{{"organizationId": authzOrgID(attacker), "role": "LEAD"}}
		for _, v := range named {
			parts = append(parts, map[string]any{"organizationId": authzOrgID(v), "role": "PARTNER"})
		}
		var out partnershipPayload
		ue, errs := mutate(t, ts, as, `mutation($input: ProposePartnershipInput!) { proposePartnership(input: $input) { `+partnershipFields+` } }`,
			map[string]any{"allianceId": alliance, "title": map[string]any{"en": "Everyone with us", "zh": "大家都和我们一起"}, "kind": "LOCAL_PROJECT",
				"participants": parts}, "proposePartnership", &out)
		if len(errs) > 0 {
			t.Fatalf("propose: %+v", errs)
		}
		return ue, out
	}
	partnersOf := func() string {
		r := ts.queryAs(t, auth.Viewer{}, `{ node(id: "`+authzOrgID(attacker)+`") { ... on Organization { partners(first: 100) { totalCount edges { node { id } } } } } }`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("partners: %+v", r.Errors)
		}
		return string(r.Data)
	}
	partnersBefore := partnersOf()
	partnerships := ts.sqlInt(t, "SELECT count(*) FROM partnership")

	// 1. Naming 49 organizations is refused outright, naming the field.
	ue, _ := propose(victims)
	if len(ue) != 1 || ue[0].Code != "OUT_OF_RANGE" || strings.Join(ue[0].Field, ".") != "input.participants" {
		t.Fatalf("a proposal naming 50 organizations: %+v; want OUT_OF_RANGE at input.participants", ue)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM partnership"); n != partnerships {
		t.Fatalf("the refused proposal wrote %d partnerships", n-partnerships)
	}

	// 2. Naming 19 (the most) only invites them: the attacker alone takes part.
	ue, got := propose(victims[:19])
	if len(ue) > 0 {
		t.Fatalf("a proposal naming 20 organizations: %+v", ue)
	}
	if len(got.Partnership.Participants) != 1 {
		t.Fatalf("participants %+v; want the proposer alone", got.Partnership.Participants)
	}
	id, version := got.Partnership.ID, got.Partnership.Version
	input := func(extra map[string]any) map[string]any {
		in := map[string]any{"version": version}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}

	// 3. Signing and starting alone are refused; the refusal names every invitee.
	code, msg, _ := consentCall(t, ts, as, "signPartnership", input(map[string]any{"id": id}))
	if code != "PENDING_INVITATIONS" {
		t.Fatalf("signing alone: %s %s; want PENDING_INVITATIONS", code, msg)
	}
	for _, v := range victims[:19] {
		if !strings.Contains(msg, "("+authzOrgID(v)+")") {
			t.Errorf("the refusal does not name the pending organization %s", authzOrgID(v))
		}
	}
	if code, msg, _ := consentCall(t, ts, as, "changePartnershipStatus", input(map[string]any{"id": id, "status": "ACTIVE"})); code != "INVALID_TRANSITION" {
		t.Errorf("activating an unsigned proposal: %s %s", code, msg)
	}

	// 4. The attacker cannot answer for its victims.
	for _, v := range victims[:19] {
		code, _, _ := consentCall(t, ts, as, "acceptPartnershipInvitation", input(map[string]any{"partnershipId": id, "organizationId": authzOrgID(v)}))
		if code != "FORBIDDEN" {
			t.Fatalf("the attacker accepted for %s: %q", authzOrgID(v), code)
		}
	}

	// 5. Withdrawing every invitation leaves it alone, which cannot sign either.
	for _, v := range victims[:19] {
		code, msg, out := consentCall(t, ts, as, "removePartnershipParticipant", input(map[string]any{"partnershipId": id, "organizationId": authzOrgID(v)}))
		if code != "" {
			t.Fatalf("withdraw %s: %s %s", authzOrgID(v), code, msg)
		}
		version = out.Partnership.Version
	}
	if code, msg, _ := consentCall(t, ts, as, "signPartnership", input(map[string]any{"id": id})); code != "OUT_OF_RANGE" {
		t.Errorf("signing alone without invitations: %s %s; want OUT_OF_RANGE", code, msg)
	}

	// 6. Nothing of it reached the network or the anonymous event feed.
	if after := partnersOf(); after != partnersBefore {
		t.Errorf("the attacker's partners changed:\nbefore %s\nafter  %s", partnersBefore, after)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM partnership WHERE id = $1 AND status = 'PROPOSED'", relayKey(t, id)); n != 1 {
		t.Errorf("the partnership left PROPOSED")
	}
	r := ts.queryAs(t, auth.Viewer{}, `{ events(last: 100, filter: { kinds: [PARTICIPANT_INVITED, INVITATION_WITHDRAWN] }) { totalCount } }`, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"totalCount":0`) {
		t.Errorf("anonymous callers read invitation events: %s %+v", r.Data, r.Errors)
	}
}

// TestAbuseASchoolCannotHandATalentsPersonalDataToACompany: a school set a talent's
// employer to an unrelated company, which then read the talent's personal data. Now the
// company is only proposed and reads nothing until it accepts.
func TestAbuseASchoolCannotHandATalentsPersonalDataToACompany(t *testing.T) {
	ts := newWriteServer(t)
	var target struct {
		Talent   int64  `db:"id"`
		School   int64  `db:"school_id"`
		FullName string `db:"full_name"`
		Version  int    `db:"version"`
	}
	if err := ts.db.DB.Get(&target, `SELECT id, school_id, full_name, version FROM talent
		WHERE school_id IS NOT NULL AND employer_id IS NULL AND pending_employer_id IS NULL ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var company int64
	if err := ts.db.DB.Get(&company, `SELECT o.id FROM organization o WHERE o.kind = 'COMPANY'
		AND NOT EXISTS (SELECT 1 FROM talent t WHERE t.employer_id = o.id AND t.school_id = $1) ORDER BY o.id LIMIT 1`, target.School); err != nil {
		t.Fatal(err)
	}
	talent := relay.ID(relay.TypeTalent, target.Talent)

	var out talentConsentPayload
	ue, errs := mutate(t, ts, memberOf(target.School), `mutation($input: UpdateTalentInput!) { updateTalent(input: $input) { `+talentConsentFields+` } }`,
		map[string]any{"id": talent, "version": target.Version, "employerId": authzOrgID(company)}, "updateTalent", &out)
	if len(ue)+len(errs) > 0 {
		t.Fatalf("the school's update: %+v %+v", ue, errs)
	}
	if out.Talent.Employer != nil || out.Talent.PendingEmployer == nil || out.Talent.PendingEmployer.ID != authzOrgID(company) {
		t.Fatalf("after the school named the company: employer %+v, pending %+v; want no employer and the company pending", out.Talent.Employer, out.Talent.PendingEmployer)
	}

	res := ts.queryAs(t, memberOf(company), `{ node(id: "`+talent+`") { ... on Talent { fullName nameZh email phone birthDate } } }`, nil)
	if strings.Contains(string(res.Data), target.FullName) || len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "FORBIDDEN" {
		t.Errorf("personal fields for the named company: %s %+v; want FORBIDDEN and no name", res.Data, res.Errors)
	}
	// Names of (other) employees are the company's to read; this talent is not among them.
	res = ts.queryAs(t, memberOf(company), `{ node(id: "`+authzOrgID(company)+`") { ... on Company { employees(first: 100) { edges { node { id fullName } } } } } }`, nil)
	if len(res.Errors) > 0 || strings.Contains(string(res.Data), quoted(talent)) {
		t.Errorf("the named company lists the talent among its employees: %s %+v", res.Data, res.Errors)
	}
	var found struct {
		Search struct{ Edges []json.RawMessage }
	}
	search := ts.queryAs(t, memberOf(company), `query($q: String!) { search(query: $q, kinds: [TALENT]) { edges { node { ... on Talent { id } } } } }`,
		map[string]any{"q": target.FullName})
	json.Unmarshal(search.Data, &found)
	if len(search.Errors) > 0 || strings.Contains(string(search.Data), quoted(talent)) {
		t.Errorf("the named company finds the talent by name: %s %+v", search.Data, search.Errors)
	}
}
