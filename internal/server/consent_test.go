package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// consentMutations are the partnership mutations the consent tests call, with their input
// types.
var consentMutations = map[string]string{
	"proposePartnership": "ProposePartnershipInput", "signPartnership": "SignPartnershipInput",
	"changePartnershipStatus": "ChangePartnershipStatusInput", "addPartnershipParticipant": "AddPartnershipParticipantInput",
	"removePartnershipParticipant": "RemovePartnershipParticipantInput", "acceptPartnershipInvitation": "AnswerPartnershipInvitationInput",
	"declinePartnershipInvitation": "AnswerPartnershipInvitationInput",
}

// consentCall runs one partnership mutation as v and returns the code of the first user
// error or GraphQL error ("" on success), its message, and the partnership as it is after.
func consentCall(t *testing.T, ts *testServer, v auth.Viewer, mutation string, input map[string]any) (code, message string, out partnershipPayload) {
	t.Helper()
	q := fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { %s } }`, consentMutations[mutation], mutation, partnershipFields)
	ue, errs := mutate(t, ts, v, q, input, mutation, &out)
	switch {
	case len(errs) > 0:
		c, _ := errs[0].Extensions["code"].(string)
		return c, errs[0].Message, out
	case len(ue) > 0:
		return ue[0].Code, ue[0].Message, out
	}
	return "", "", out
}

// consentProposal has lead's member propose a partnership it leads, naming partners.
func consentProposal(t *testing.T, ts *testServer, f *authzFixtures, lead int64, partners ...int64) (id string, version int) {
	t.Helper()
	parts := []map[string]any{{"organizationId": authzOrgID(lead), "role": "LEAD"}}
	for _, p := range partners {
		parts = append(parts, map[string]any{"organizationId": authzOrgID(p), "role": "PARTNER"})
	}
	code, msg, out := consentCall(t, ts, memberOf(lead), "proposePartnership", map[string]any{"allianceId": f.allianceID(),
		"title": authzBilingual(authzName("consent proposal")), "kind": "LOCAL_PROJECT", "participants": parts})
	if code != "" {
		t.Fatalf("propose: %s %s", code, msg)
	}
	if len(out.Partnership.Participants) != 1 || out.Partnership.Participants[0].Organization.ID != authzOrgID(lead) {
		t.Fatalf("a member's proposal lists participants %+v; want only the proposer", out.Partnership.Participants)
	}
	return out.Partnership.ID, out.Partnership.Version
}

// consentOrgs creates n fresh companies that are members of the alliance.
func consentOrgs(t *testing.T, f *authzFixtures, n int) []int64 {
	t.Helper()
	out := make([]int64, n)
	for i := range out {
		out[i] = f.org(t, "COMPANY")
		f.membership(t, out[i])
	}
	return out
}

func TestSigningWaitsUntilEveryInvitedOrganizationAnswered(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	type answer struct {
		mutation string
		org      int    // index of the organization answered for, among lead (0) and partners (1, 2)
		as       string // "own" (the organization's member), "admin", or "lead"
	}
	cases := []struct {
		name     string
		answers  []answer
		wantCode string // of signing
		pending  []int  // the organizations the refusal must name
	}{
		{"nobody answered", nil, "PENDING_INVITATIONS", []int{1, 2}},
		{"one of two accepted", []answer{{"acceptPartnershipInvitation", 1, "own"}}, "PENDING_INVITATIONS", []int{2}},
		{"one accepted, one declined", []answer{{"acceptPartnershipInvitation", 1, "own"}, {"declinePartnershipInvitation", 2, "own"}}, "", nil},
		{"both accepted", []answer{{"acceptPartnershipInvitation", 1, "own"}, {"acceptPartnershipInvitation", 2, "own"}}, "", nil},
		{"ADMIN accepted for both", []answer{{"acceptPartnershipInvitation", 1, "admin"}, {"acceptPartnershipInvitation", 2, "admin"}}, "", nil},
		{"the lead withdrew one invitation, the other accepted", []answer{{"removePartnershipParticipant", 1, "lead"}, {"acceptPartnershipInvitation", 2, "own"}}, "", nil},
		{"both declined: the lead is alone", []answer{{"declinePartnershipInvitation", 1, "own"}, {"declinePartnershipInvitation", 2, "own"}}, "OUT_OF_RANGE", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orgs := consentOrgs(t, f, 3)
			id, version := consentProposal(t, ts, f, orgs[0], orgs[1], orgs[2])
			for _, a := range c.answers {
				as := map[string]auth.Viewer{"own": memberOf(orgs[a.org]), "admin": admin, "lead": memberOf(orgs[0])}[a.as]
				code, msg, out := consentCall(t, ts, as, a.mutation, map[string]any{"partnershipId": id, "version": version, "organizationId": authzOrgID(orgs[a.org])})
				if code != "" {
					t.Fatalf("%s for organization %d as %s: %s %s", a.mutation, a.org, a.as, code, msg)
				}
				version = out.Partnership.Version
			}
			code, msg, out := consentCall(t, ts, memberOf(orgs[0]), "signPartnership", map[string]any{"id": id, "version": version})
			if code != c.wantCode {
				t.Fatalf("signing: code %q (%s), want %q", code, msg, c.wantCode)
			}
			for _, i := range c.pending {
				if !strings.Contains(msg, "("+authzOrgID(orgs[i])+")") {
					t.Errorf("the refusal %q does not name the pending organization %s", msg, authzOrgID(orgs[i]))
				}
			}
			if c.wantCode == "" && out.Partnership.Status != "SIGNED" {
				t.Errorf("status %s after signing, want SIGNED", out.Partnership.Status)
			}
			if c.wantCode != "" && ts.sqlInt(t, "SELECT count(*) FROM partnership WHERE id = $1 AND status = 'PROPOSED'", relayKey(t, id)) != 1 {
				t.Errorf("a refused signing changed the partnership")
			}
		})
	}
}

func TestAPartnershipStartsOnlyWhenLaterInvitationsAreAnswered(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	orgs := consentOrgs(t, f, 3)
	lead := memberOf(orgs[0])
	id, version := consentProposal(t, ts, f, orgs[0], orgs[1])
	steps := []struct {
		name     string
		as       auth.Viewer
		mutation string
		input    map[string]any
		wantCode string
	}{
		{"the partner accepts", memberOf(orgs[1]), "acceptPartnershipInvitation", map[string]any{"organizationId": authzOrgID(orgs[1])}, ""},
		{"the lead signs", lead, "signPartnership", map[string]any{}, ""},
		{"the lead invites a sponsor", lead, "addPartnershipParticipant", map[string]any{"organizationId": authzOrgID(orgs[2]), "role": "SPONSOR"}, ""},
		{"inviting it twice", lead, "addPartnershipParticipant", map[string]any{"organizationId": authzOrgID(orgs[2]), "role": "SPONSOR"}, "DUPLICATE"},
		{"the lead cannot start it", lead, "changePartnershipStatus", map[string]any{"status": "ACTIVE"}, "PENDING_INVITATIONS"},
		{"nor can ADMIN", admin, "changePartnershipStatus", map[string]any{"status": "ACTIVE"}, "PENDING_INVITATIONS"},
		{"the partner cannot accept for the sponsor", memberOf(orgs[1]), "acceptPartnershipInvitation", map[string]any{"organizationId": authzOrgID(orgs[2])}, "FORBIDDEN"},
		{"the sponsor accepts", memberOf(orgs[2]), "acceptPartnershipInvitation", map[string]any{"organizationId": authzOrgID(orgs[2])}, ""},
		{"the lead starts it", lead, "changePartnershipStatus", map[string]any{"status": "ACTIVE"}, ""},
	}
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
		code, msg, out := consentCall(t, ts, st.as, st.mutation, input)
		if code != st.wantCode {
			t.Fatalf("%s: code %q (%s), want %q", st.name, code, msg, st.wantCode)
		}
		if code == "" {
			version = out.Partnership.Version
		}
	}
	var roles []string
	ts.db.DB.Select(&roles, "SELECT role FROM partnership_participant WHERE partnership_id = $1 ORDER BY role", relayKey(t, id))
	if !slices.Equal(roles, []string{"LEAD", "PARTNER", "SPONSOR"}) {
		t.Errorf("participants' roles %v, want LEAD, PARTNER, SPONSOR", roles)
	}
}

func TestOnlyTheInvitedOrganizationOrAdminAnswersItsInvitation(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	outsider := consentOrgs(t, f, 1)[0]
	cases := []struct {
		name     string
		as       func(lead, partner, invited int64) auth.Viewer
		mutation string
		wantCode string
	}{
		{"anonymous", func(_, _, _ int64) auth.Viewer { return auth.Viewer{} }, "acceptPartnershipInvitation", "UNAUTHENTICATED"},
		{"an analyst", func(_, _, _ int64) auth.Viewer { return analyst }, "acceptPartnershipInvitation", "FORBIDDEN"},
		{"an unrelated member", func(_, _, _ int64) auth.Viewer { return memberOf(outsider) }, "acceptPartnershipInvitation", "FORBIDDEN"},
		{"the lead", func(l, _, _ int64) auth.Viewer { return memberOf(l) }, "acceptPartnershipInvitation", "FORBIDDEN"},
		{"another invited organization", func(_, p, _ int64) auth.Viewer { return memberOf(p) }, "acceptPartnershipInvitation", "FORBIDDEN"},
		{"an unrelated member declining", func(_, _, _ int64) auth.Viewer { return memberOf(outsider) }, "declinePartnershipInvitation", "FORBIDDEN"},
		{"the invited organization", func(_, _, i int64) auth.Viewer { return memberOf(i) }, "acceptPartnershipInvitation", ""},
		{"ADMIN on its behalf", func(_, _, _ int64) auth.Viewer { return admin }, "acceptPartnershipInvitation", ""},
		{"the invited organization declining", func(_, _, i int64) auth.Viewer { return memberOf(i) }, "declinePartnershipInvitation", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orgs := consentOrgs(t, f, 3)
			id, version := consentProposal(t, ts, f, orgs[0], orgs[1], orgs[2])
			code, msg, _ := consentCall(t, ts, c.as(orgs[0], orgs[1], orgs[2]), c.mutation,
				map[string]any{"partnershipId": id, "version": version, "organizationId": authzOrgID(orgs[2])})
			if code != c.wantCode {
				t.Fatalf("code %q (%s), want %q", code, msg, c.wantCode)
			}
			pending := ts.sqlInt(t, "SELECT count(*) FROM partnership_invitation WHERE partnership_id = $1 AND organization_id = $2 AND status = 'PENDING'", relayKey(t, id), orgs[2])
			joined := ts.sqlInt(t, "SELECT count(*) FROM partnership_participant WHERE partnership_id = $1 AND organization_id = $2", relayKey(t, id), orgs[2])
			switch {
			case c.wantCode != "" && (pending != 1 || joined != 0):
				t.Errorf("a refused answer changed the invitation: pending %d, participant %d", pending, joined)
			case c.wantCode == "" && c.mutation == "acceptPartnershipInvitation" && (pending != 0 || joined != 1):
				t.Errorf("after accepting: pending %d, participant %d; want 0 and 1", pending, joined)
			case c.wantCode == "" && c.mutation == "declinePartnershipInvitation" && (pending != 0 || joined != 0):
				t.Errorf("after declining: pending %d, participant %d; want 0 and 0", pending, joined)
			}
		})
	}
}

// TestInvitedOrganizationsAreNotPartners reads every answer derived from participation
// while an organization is only invited, and again once it accepted.
func TestInvitedOrganizationsAreNotPartners(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	orgs := consentOrgs(t, f, 2)
	lead, invited := authzOrgID(orgs[0]), authzOrgID(orgs[1])
	id, version := consentProposal(t, ts, f, orgs[0], orgs[1])

	reads := []struct {
		name  string
		as    auth.Viewer
		query string
		// linked reports whether the answer shows the invited organization taking part
		// or linked to the lead.
		linked func(data string) bool
	}{
		{"the lead's partners", admin, `{ node(id: "` + lead + `") { ... on Organization { partners(first: 100) { edges { node { id } } } } } }`,
			func(d string) bool { return strings.Contains(d, quoted(invited)) }},
		{"the invited organization's partnerships", admin, `{ node(id: "` + invited + `") { ... on Organization { partnerships(first: 100) { edges { node { id } } } } } }`,
			func(d string) bool { return strings.Contains(d, quoted(id)) }},
		{"the partnership's participants", admin, `{ node(id: "` + id + `") { ... on Partnership { participants { organization { id } } } } }`,
			func(d string) bool { return strings.Contains(d, quoted(invited)) }},
		{"the partnership's participants, anonymously", auth.Viewer{}, `{ node(id: "` + id + `") { ... on Partnership { participants { organization { id } } } } }`,
			func(d string) bool { return strings.Contains(d, quoted(invited)) }},
		{"partnerships filtered by participant", admin, `{ partnerships(first: 100, filter: { participants: ["` + invited + `"] }) { edges { node { id } } } }`,
			func(d string) bool { return strings.Contains(d, quoted(id)) }},
		{"the shortest path", admin, `{ path(from: "` + lead + `", to: "` + invited + `") { length } }`,
			func(d string) bool { return !strings.Contains(d, `"path":null`) }},
		{"the lead's neighbourhood", admin, `{ neighborhood(of: "` + lead + `") { nodes { organization { id } } } }`,
			func(d string) bool { return strings.Contains(d, quoted(invited)) }},
		// The degree is measured on the whole network and kept until it changes.
		{"degree centrality", admin, `{ neighborhood(of: "` + invited + `") { nodes { id distance degree } } }`,
			func(d string) bool {
				var r struct {
					Neighborhood struct {
						Nodes []struct {
							ID       string
							Distance int
							Degree   int
						}
					}
				}
				json.Unmarshal([]byte(d), &r)
				for _, n := range r.Neighborhood.Nodes {
					if n.Distance == 0 {
						return n.ID == invited && n.Degree > 0
					}
				}
				return false
			}},
	}
	check := func(t *testing.T, wantLinked bool) {
		for _, r := range reads {
			res := ts.queryAs(t, r.as, r.query, nil)
			if len(res.Errors) > 0 {
				t.Fatalf("%s: %+v", r.name, res.Errors)
			}
			if got := r.linked(string(res.Data)); got != wantLinked {
				t.Errorf("%s: linked %v, want %v: %s", r.name, got, wantLinked, res.Data)
			}
		}
	}
	t.Run("invited", func(t *testing.T) { check(t, false) })

	// The invitation itself is visible to those concerned only.
	invitations := `{ node(id: "` + id + `") { ... on Partnership { invitations { status organization { id } } } } }`
	for _, c := range []struct {
		name string
		as   auth.Viewer
		want bool
	}{{"the invited member", memberOf(orgs[1]), true}, {"the lead", memberOf(orgs[0]), true}, {"ADMIN", admin, true},
		{"anonymous", auth.Viewer{}, false}, {"an unrelated member", memberOf(consentOrgs(t, f, 1)[0]), false}} {
		res := ts.queryAs(t, c.as, invitations, nil)
		if got := strings.Contains(string(res.Data), quoted(invited)); len(res.Errors) > 0 || got != c.want {
			t.Errorf("%s sees the invitation: %v, want %v (%s %+v)", c.name, got, c.want, res.Data, res.Errors)
		}
	}
	toAnswer := `{ node(id: "` + invited + `") { ... on Organization { partnershipInvitations { partnership { id } role } } } }`
	if res := ts.queryAs(t, memberOf(orgs[1]), toAnswer, nil); len(res.Errors) > 0 || !strings.Contains(string(res.Data), quoted(id)) {
		t.Errorf("the invited member does not find the invitation to answer: %s %+v", res.Data, res.Errors)
	}
	if res := ts.queryAs(t, memberOf(orgs[0]), toAnswer, nil); len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "FORBIDDEN" {
		t.Errorf("another member read the organization's invitations: %s %+v", res.Data, res.Errors)
	}

	if code, msg, _ := consentCall(t, ts, memberOf(orgs[1]), "acceptPartnershipInvitation",
		map[string]any{"partnershipId": id, "version": version, "organizationId": invited}); code != "" {
		t.Fatalf("accept: %s %s", code, msg)
	}
	t.Run("accepted", func(t *testing.T) { check(t, true) })
}

func TestAProposalNamesAtMostTwentyOrganizations(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	orgs := consentOrgs(t, f, 49)
	cases := []struct {
		named    int
		wantCode string
	}{{2, ""}, {20, ""}, {21, "OUT_OF_RANGE"}, {49, "OUT_OF_RANGE"}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d organizations", c.named), func(t *testing.T) {
			parts := []map[string]any{{"organizationId": authzOrgID(orgs[0]), "role": "LEAD"}}
			for _, o := range orgs[1:c.named] {
				parts = append(parts, map[string]any{"organizationId": authzOrgID(o), "role": "PARTNER"})
			}
			title := authzName("large proposal")
			q := `mutation($input: ProposePartnershipInput!) { proposePartnership(input: $input) { ` + partnershipFields + ` } }`
			ue, errs := mutate(t, ts, memberOf(orgs[0]), q, map[string]any{"allianceId": f.allianceID(), "title": authzBilingual(title),
				"kind": "LOCAL_PROJECT", "participants": parts}, "proposePartnership", nil)
			if len(errs) > 0 {
				t.Fatalf("errors %+v", errs)
			}
			if c.wantCode == "" {
				if len(ue) > 0 {
					t.Fatalf("user errors %+v", ue)
				}
				if n := ts.sqlInt(t, `SELECT count(*) FROM partnership_invitation i JOIN partnership p ON p.id = i.partnership_id
					WHERE p.title_en = $1 AND i.status = 'PENDING'`, title); n != c.named-1 {
					t.Errorf("%d invitations pending, want %d", n, c.named-1)
				}
				return
			}
			if len(ue) != 1 || ue[0].Code != c.wantCode || strings.Join(ue[0].Field, ".") != "input.participants" {
				t.Fatalf("user errors %+v, want one %s at input.participants", ue, c.wantCode)
			}
			if n := ts.sqlInt(t, "SELECT count(*) FROM partnership WHERE title_en = $1", title); n != 0 {
				t.Errorf("a refused proposal wrote %d partnerships", n)
			}
		})
	}
}

const talentConsentFields = `talent { id version employer { id } pendingEmployer { id } } userErrors { field code message }`

type talentConsentPayload struct {
	Talent *struct {
		ID              string
		Version         int
		Employer        *struct{ ID string }
		PendingEmployer *struct{ ID string }
	}
}

// TestACompanyNamedAsEmployerSeesPersonalDataOnlyOnceItAccepts names a company as a
// talent's employer in every way a write can, and checks what the company may read before
// and after its answer.
func TestACompanyNamedAsEmployerSeesPersonalDataOnlyOnceItAccepts(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	register := func(t *testing.T, as auth.Viewer, school, employer int64) string {
		t.Helper()
		input := map[string]any{"allianceId": f.allianceID(), "fullName": authzName("consent talent"), "email": "consent@talent.example",
			"status": "EMPLOYED", "employerId": authzOrgID(employer)}
		if school != 0 {
			input["schoolId"] = authzOrgID(school)
		}
		var out talentConsentPayload
		ue, errs := mutate(t, ts, as, `mutation($input: RegisterTalentInput!) { registerTalent(input: $input) { `+talentConsentFields+` } }`, input, "registerTalent", &out)
		if len(ue)+len(errs) > 0 {
			t.Fatalf("register: %+v %+v", ue, errs)
		}
		return out.Talent.ID
	}
	update := func(t *testing.T, as auth.Viewer, school, employer int64) string {
		t.Helper()
		tal := f.talent(t, school, 0)
		id := relay.ID(relay.TypeTalent, tal)
		var out talentConsentPayload
		ue, errs := mutate(t, ts, as, `mutation($input: UpdateTalentInput!) { updateTalent(input: $input) { `+talentConsentFields+` } }`,
			map[string]any{"id": id, "version": 1, "employerId": authzOrgID(employer)}, "updateTalent", &out)
		if len(ue)+len(errs) > 0 {
			t.Fatalf("update: %+v %+v", ue, errs)
		}
		return id
	}
	cases := []struct {
		name    string
		link    func(t *testing.T, school, company int64) string // names company as the employer of a new talent, returns its ID
		pending bool                                             // whether the company must accept
		answer  string                                           // "acceptEmployment", "declineEmployment" or ""
	}{
		{"a school updates the employer", func(t *testing.T, s, c int64) string { return update(t, memberOf(s), s, c) }, true, ""},
		{"a school registers with an employer", func(t *testing.T, s, c int64) string { return register(t, memberOf(s), s, c) }, true, ""},
		{"a school updates the employer, the company accepts", func(t *testing.T, s, c int64) string { return update(t, memberOf(s), s, c) }, true, "acceptEmployment"},
		{"a school registers with an employer, the company declines", func(t *testing.T, s, c int64) string { return register(t, memberOf(s), s, c) }, true, "declineEmployment"},
		{"the company registers its own employee", func(t *testing.T, _, c int64) string { return register(t, memberOf(c), 0, c) }, false, ""},
		{"ADMIN updates the employer", func(t *testing.T, s, c int64) string { return update(t, admin, s, c) }, false, ""},
	}
	personal := func(id string) string {
		return `{ node(id: "` + id + `") { ... on Talent { fullName email employer { id } pendingEmployer { id } } } }`
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			school, company := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
			id := c.link(t, school, company)
			wantEmployer := !c.pending || c.answer == "acceptEmployment"
			if c.answer != "" {
				var version int
				ts.db.DB.Get(&version, "SELECT version FROM talent WHERE id = $1", relayKey(t, id))
				// Nobody but the company (or ADMIN) answers for it.
				for _, as := range []auth.Viewer{memberOf(school), memberOf(f.org(t, "COMPANY"))} {
					_, errs := mutate(t, ts, as, `mutation($input: AnswerEmploymentInput!) { `+c.answer+`(input: $input) { `+talentConsentFields+` } }`,
						map[string]any{"talentId": id, "version": version}, c.answer, nil)
					if len(errs) != 1 || errs[0].Extensions["code"] != "FORBIDDEN" {
						t.Fatalf("%s answered for the company: %+v", as.Subject, errs)
					}
				}
				var out talentConsentPayload
				ue, errs := mutate(t, ts, memberOf(company), `mutation($input: AnswerEmploymentInput!) { `+c.answer+`(input: $input) { `+talentConsentFields+` } }`,
					map[string]any{"talentId": id, "version": version}, c.answer, &out)
				if len(ue)+len(errs) > 0 {
					t.Fatalf("%s: %+v %+v", c.answer, ue, errs)
				}
			}
			res := ts.queryAs(t, memberOf(company), personal(id), nil)
			var got struct {
				Node struct {
					FullName        *string
					Employer        *struct{ ID string }
					PendingEmployer *struct{ ID string }
				}
			}
			json.Unmarshal(res.Data, &got)
			if wantEmployer {
				if len(res.Errors) > 0 || got.Node.FullName == nil || got.Node.Employer == nil || got.Node.Employer.ID != authzOrgID(company) {
					t.Errorf("the employer reads %s %+v; want its employee's personal data", res.Data, res.Errors)
				}
				return
			}
			if got.Node.FullName != nil || len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "FORBIDDEN" {
				t.Errorf("a company that did not accept reads %s %+v; want FORBIDDEN and no personal data", res.Data, res.Errors)
			}
			if got.Node.Employer != nil {
				t.Errorf("a company that did not accept is the employer: %s", res.Data)
			}
			wantPending := c.answer == ""
			if (got.Node.PendingEmployer != nil) != wantPending {
				t.Errorf("pendingEmployer %+v, want set: %v", got.Node.PendingEmployer, wantPending)
			}
			employees := `{ node(id: "` + authzOrgID(company) + `") { ... on Company { employees(first: 10) { totalCount } pendingEmployees(first: 10) { edges { node { id } } } } } }`
			res = ts.queryAs(t, memberOf(company), employees, nil)
			if len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"totalCount":0`) || strings.Contains(string(res.Data), quoted(id)) != wantPending {
				t.Errorf("the company's employees and pending employees: %s %+v", res.Data, res.Errors)
			}
		})
	}
}

// quoted is a global ID as it appears in JSON: IDs are base64, so one can be a prefix of
// another.
func quoted(id string) string { return `"` + id + `"` }

// relayKey is the database key of a global ID.
func relayKey(t *testing.T, id string) int64 {
	t.Helper()
	_, k, err := relay.ParseID(id)
	if err != nil {
		t.Fatalf("parse %s: %v", id, err)
	}
	return k
}

// The event kinds are typed constants in the store, listed once; the contract's enum must
// hold the same values in the same order, so that no kind is written that clients cannot
// ask for.
func TestEventKindsMatchTheContract(t *testing.T) {
	schema := authzLoadSchema(t)
	var contract []string
	for _, v := range schema.Types["EventKind"].EnumValues {
		contract = append(contract, v.Name)
	}
	var kinds []string
	for _, k := range store.EventKinds {
		kinds = append(kinds, string(k))
	}
	if !slices.Equal(contract, kinds) {
		t.Errorf("EventKind in the schema %v\nstore.EventKinds         %v", contract, kinds)
	}
}
