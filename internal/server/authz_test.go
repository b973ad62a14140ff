package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// The viewers tried against every mutation. Cases add named members (the owner of the
// target, a partner of a partnership, ...) besides the member of an unrelated organization.
const (
	authzAnonymous   = "anonymous"
	authzAdmin       = "admin"
	authzAnalyst     = "analyst"
	authzOwner       = "owner-member"   // acts for the organization that owns the target
	authzPartner     = "partner-member" // acts for a participant that does not lead the partnership
	authzProvider    = "provider-member"
	authzTalentOrg   = "talent-member"
	authzOtherMember = "other-member" // acts for an organization unrelated to the target
)

// authzQuery is one SQL statement with its arguments.
type authzQuery struct {
	sql  string
	args []any
}

func authzQ(sql string, args ...any) authzQuery { return authzQuery{sql, args} }

// authzTarget is a freshly prepared object a mutation is tried on, by one viewer.
type authzTarget struct {
	members map[string]int64 // the organization each named member viewer acts for
	input   map[string]any
	kind    string // the kind of the one event an allowed call records
	// kinds overrides kind for some viewers: a member's word binds only its own
	// organization, so the same call by ADMIN and by a member may record different kinds.
	kinds   map[string]string
	subject string // that event's subject; "" for creations, where it is the payload's ID
	// state reads every row the mutation could touch; a denied call must leave it equal.
	state []authzQuery
	// done counts rows showing the change: 0 before the call, 1 after an allowed one.
	done authzQuery
	// refused names the viewers denied with one user error of the given code instead of
	// a top-level error: those who may not see the target, for whom it does not exist.
	refused map[string]string
}

// authzCase is one mutation of the matrix.
type authzCase struct {
	mutation string
	members  []string // named member viewers besides authzOtherMember
	allowed  []string // the viewers that may make the change
	prepare  func(t *testing.T, f *authzFixtures) authzTarget
}

// authzFixtures creates fresh rows straight in the database, so that every attempt
// starts from identical state that no other test shares.
type authzFixtures struct {
	alliance int64
	skills   []int64
}

var authzSeq atomic.Int64

func authzName(label string) string {
	return fmt.Sprintf("Authz %s #%d", label, authzSeq.Add(1))
}

func newAuthzFixtures(t *testing.T) *authzFixtures {
	t.Helper()
	f := &authzFixtures{alliance: int64(sqlIntIn(t, writeDB, "SELECT id FROM alliance ORDER BY id LIMIT 1"))}
	if err := writeDB.DB.Select(&f.skills, "SELECT id FROM skill ORDER BY id LIMIT 2"); err != nil || len(f.skills) < 2 {
		t.Fatalf("skills: %v %v", f.skills, err)
	}
	return f
}

func (f *authzFixtures) allianceID() string { return relay.ID(relay.TypeAlliance, f.alliance) }

func authzInsert(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := writeDB.DB.Get(&id, q, args...); err != nil {
		t.Fatalf("fixture %q: %v", q, err)
	}
	return id
}

func authzExec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := writeDB.DB.Exec(q, args...); err != nil {
		t.Fatalf("fixture %q: %v", q, err)
	}
}

// org creates an organization of kind with the fields its kind requires.
func (f *authzFixtures) org(t *testing.T, kind string) int64 {
	t.Helper()
	return authzInsert(t, `INSERT INTO organization (kind, name_en, name_zh, school_level, industry, jurisdiction)
		VALUES ($1::text, $2, '测试机构',
			CASE WHEN $1::text = 'SCHOOL' THEN 'UNIVERSITY' END,
			CASE WHEN $1::text = 'COMPANY' THEN 'ROBOTICS' END,
			CASE WHEN $1::text = 'GOVERNMENT_AGENCY' THEN 'DISTRICT' END) RETURNING id`, kind, authzName(kind))
}

func (f *authzFixtures) membership(t *testing.T, org int64) int64 {
	t.Helper()
	return authzInsert(t, `INSERT INTO membership (alliance_id, organization_id, role, joined_on) VALUES ($1, $2, 'MEMBER', '2020-01-01') RETURNING id`, f.alliance, org)
}

// partnership creates a partnership in status led by lead with partners as PARTNERs.
func (f *authzFixtures) partnership(t *testing.T, status string, lead int64, partners ...int64) int64 {
	t.Helper()
	var signed any
	if status != "PROPOSED" {
		signed = "2024-01-15"
	}
	id := authzInsert(t, `INSERT INTO partnership (alliance_id, title_en, title_zh, kind, status, signed_on) VALUES ($1, $2, '合作项目', 'LOCAL_PROJECT', $3, $4) RETURNING id`,
		f.alliance, authzName("partnership"), status, signed)
	authzExec(t, `INSERT INTO partnership_participant (partnership_id, organization_id, role) VALUES ($1, $2, 'LEAD')`, id, lead)
	for _, p := range partners {
		authzExec(t, `INSERT INTO partnership_participant (partnership_id, organization_id, role) VALUES ($1, $2, 'PARTNER')`, id, p)
	}
	return id
}

// authzResourceColumns are the columns each category requires, with their values.
var authzResourceColumns = map[string][2]string{
	"TRAINING_FACILITY":  {"capacity", "10"},
	"JOB_OPENING":        {"positions, filled, opening_status, employment_type", "3, 0, 'OPEN', 'FULL_TIME'"},
	"TEACHER":            {"teacher_name, dual_qualified", "'Teacher Authz', false"},
	"TRAINING_COURSE":    {"hours, seats, enrolled", "10, 5, 0"},
	"COMPETITION_RESULT": {"competition, competition_level, award, awarded_on", "'Authz Cup', 'CITY', 'BRONZE', '2024-05-01'"},
}

// resource creates a resource of category shared by provider with the whole alliance.
func (f *authzFixtures) resource(t *testing.T, category string, provider int64) int64 {
	t.Helper()
	c, ok := authzResourceColumns[category]
	if !ok {
		t.Fatalf("no fixture for category %s", category)
	}
	return authzInsert(t, `INSERT INTO resource (alliance_id, provider_id, category, title_en, title_zh, shared_on, `+c[0]+`)
		VALUES ($1, $2, $3, $4, '共享资源', current_date, `+c[1]+`) RETURNING id`, f.alliance, provider, category, authzName(category))
}

func authzNullKey(k int64) any {
	if k == 0 {
		return nil
	}
	return k
}

// talent creates a talent with every personal field set, of school and/or employer (0
// for none).
func (f *authzFixtures) talent(t *testing.T, school, employer int64) int64 {
	t.Helper()
	n := authzSeq.Add(1)
	return authzInsert(t, `INSERT INTO talent (alliance_id, full_name, name_zh, email, phone, birth_date, status, school_id, employer_id, registered_on)
		VALUES ($1, $2, $3, $4, $5, '2001-02-03', 'STUDENT', $6, $7, '2024-01-01') RETURNING id`,
		f.alliance, fmt.Sprintf("Authz Talent %d", n), fmt.Sprintf("测试人才%d", n), fmt.Sprintf("talent%d@authz.example", n),
		fmt.Sprintf("+86 24 8888 %04d", n%10000), authzNullKey(school), authzNullKey(employer))
}

func (f *authzFixtures) skill(t *testing.T) int64 {
	t.Helper()
	return authzInsert(t, `INSERT INTO skill (code, name_en, name_zh, category) VALUES ($1, $2, '测试技能', 'GENERAL') RETURNING id`,
		fmt.Sprintf("AUTHZ.%d", authzSeq.Add(1)), authzName("skill"))
}

// authzEnrollment creates a course of provider teaching the fixtures' first skill,
// starting on startsOn and lasting four weeks, with tal seated on it (completed and
// passed when passed), and returns the course and the enrolment.
func authzEnrollment(t *testing.T, f *authzFixtures, provider, tal int64, startsOn string, passed bool) (int64, int64) {
	t.Helper()
	course := f.resource(t, "TRAINING_COURSE", provider)
	authzExec(t, `UPDATE resource SET starts_on = $2::date, ends_on = $2::date + 28, enrolled = 1 WHERE id = $1`, course, startsOn)
	authzExec(t, `INSERT INTO resource_skill (resource_id, skill_id, level) VALUES ($1, $2, 2)`, course, f.skills[0])
	state, result := "ENROLLED", any(nil)
	if passed {
		state, result = "COMPLETED", "PASSED"
	}
	en := authzInsert(t, `INSERT INTO enrollment (talent_id, course_id, enrolled_on, state, result) VALUES ($1, $2, '2026-10-01', $3, $4) RETURNING id`,
		tal, course, state, result)
	return course, en
}

// authzCompetition creates an edition organized by organizer, 30 and 31 days after the
// server's day, taking registrations until 20 days after it.
func authzCompetition(t *testing.T, f *authzFixtures, organizer int64) int64 {
	t.Helper()
	return authzInsert(t, `INSERT INTO competition (alliance_id, name_en, name_zh, level, starts_on, held_on, organizer_id, registration_deadline, created_by)
		VALUES ($1, $2, '测试竞赛', 'CITY', $3, $4, $5, $6, 'authz') RETURNING id`, f.alliance, authzName("competition"), compDay(30), compDay(31), organizer, compDay(20))
}

func authzOrgID(k int64) string { return relay.ID(relay.TypeOrganization, k) }
func authzResID(k int64) string { return relay.ID(relay.TypeResource, k) }
func authzBilingual(en string) map[string]any {
	return map[string]any{"en": en, "zh": "中文名称"}
}

// authzCases has one case per field of Mutation.
var authzCases = []authzCase{
	{"createOrganization", nil, []string{authzAdmin}, func(t *testing.T, f *authzFixtures) authzTarget {
		name := authzName("new organization")
		return authzTarget{
			input: map[string]any{"kind": "COMPANY", "name": authzBilingual(name), "industry": "ROBOTICS"},
			kind:  "ORGANIZATION_CREATED",
			state: []authzQuery{authzQ(`SELECT * FROM organization WHERE name_en = $1`, name)},
			done:  authzQ(`SELECT count(*) FROM organization WHERE name_en = $1 AND kind = 'COMPANY' AND industry = 'ROBOTICS' AND version = 1`, name),
		}
	}},
	{"updateOrganization", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		org := f.org(t, "SCHOOL")
		return authzTarget{
			members: map[string]int64{authzOwner: org},
			input:   map[string]any{"id": authzOrgID(org), "version": 1, "description": "Updated by authz"},
			kind:    "ORGANIZATION_UPDATED", subject: authzOrgID(org),
			state: []authzQuery{authzQ(`SELECT * FROM organization WHERE id = $1`, org)},
			done:  authzQ(`SELECT count(*) FROM organization WHERE id = $1 AND description = 'Updated by authz' AND version = 2`, org),
		}
	}},
	{"admitMember", []string{authzOwner}, []string{authzAdmin}, func(t *testing.T, f *authzFixtures) authzTarget {
		org := f.org(t, "COMPANY") // the organization asking to be admitted
		return authzTarget{
			members: map[string]int64{authzOwner: org},
			input:   map[string]any{"allianceId": f.allianceID(), "organizationId": authzOrgID(org), "role": "MEMBER", "joinedOn": "2024-03-01"},
			kind:    "MEMBER_ADMITTED",
			state:   []authzQuery{authzQ(`SELECT * FROM membership WHERE organization_id = $1`, org)},
			done:    authzQ(`SELECT count(*) FROM membership WHERE organization_id = $1 AND alliance_id = $2 AND role = 'MEMBER' AND joined_on = '2024-03-01' AND version = 1`, org, f.alliance),
		}
	}},
	{"changeMemberRole", []string{authzOwner}, []string{authzAdmin}, func(t *testing.T, f *authzFixtures) authzTarget {
		org := f.org(t, "COMPANY")
		m := f.membership(t, org)
		id := relay.ID(relay.TypeMembership, m)
		return authzTarget{
			members: map[string]int64{authzOwner: org},
			input:   map[string]any{"id": id, "version": 1, "role": "COUNCIL_MEMBER"},
			kind:    "MEMBER_ROLE_CHANGED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM membership WHERE id = $1`, m)},
			done:  authzQ(`SELECT count(*) FROM membership WHERE id = $1 AND role = 'COUNCIL_MEMBER' AND version = 2`, m),
		}
	}},
	{"recordMemberLeaving", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		org := f.org(t, "SCHOOL")
		m := f.membership(t, org)
		id := relay.ID(relay.TypeMembership, m)
		return authzTarget{
			members: map[string]int64{authzOwner: org},
			input:   map[string]any{"id": id, "version": 1, "leftOn": "2024-06-30"},
			kind:    "MEMBER_LEFT", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM membership WHERE id = $1`, m)},
			done:  authzQ(`SELECT count(*) FROM membership WHERE id = $1 AND left_on = '2024-06-30' AND version = 2`, m),
		}
	}},
	{"proposePartnership", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner, authzPartner}, func(t *testing.T, f *authzFixtures) authzTarget {
		lead, partner := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		title := authzName("proposal")
		return authzTarget{
			members: map[string]int64{authzOwner: lead, authzPartner: partner},
			input: map[string]any{"allianceId": f.allianceID(), "title": authzBilingual(title), "kind": "ORDER_CLASS", "participants": []map[string]any{
				{"organizationId": authzOrgID(lead), "role": "LEAD"}, {"organizationId": authzOrgID(partner), "role": "PARTNER"}}},
			kind: "PARTNERSHIP_PROPOSED",
			state: []authzQuery{authzQ(`SELECT * FROM partnership WHERE title_en = $1`, title), authzQ(`SELECT * FROM partnership_participant WHERE organization_id IN ($1, $2)`, lead, partner),
				authzQ(`SELECT * FROM partnership_invitation WHERE organization_id IN ($1, $2)`, lead, partner)},
			// A member's organization takes part and the other is invited; ADMIN's named both.
			done: authzQ(`SELECT count(*) FROM partnership p WHERE title_en = $1 AND status = 'PROPOSED' AND version = 1
				AND (SELECT count(*) FROM partnership_participant x WHERE x.partnership_id = p.id AND x.organization_id IN ($2, $3))
					+ (SELECT count(*) FROM partnership_invitation x WHERE x.partnership_id = p.id AND x.organization_id IN ($2, $3) AND x.status = 'PENDING') = 2`, title, lead, partner),
		}
	}},
	{"updatePartnership", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner, authzPartner}, func(t *testing.T, f *authzFixtures) authzTarget {
		lead, partner := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		p := f.partnership(t, "PROPOSED", lead, partner)
		id := relay.ID(relay.TypePartnership, p)
		return authzTarget{
			members: map[string]int64{authzOwner: lead, authzPartner: partner},
			input:   map[string]any{"id": id, "version": 1, "description": "Updated by authz"},
			kind:    "PARTNERSHIP_UPDATED", subject: id,
			state: partnershipState(p),
			done:  authzQ(`SELECT count(*) FROM partnership WHERE id = $1 AND description = 'Updated by authz' AND version = 2`, p),
		}
	}},
	{"signPartnership", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		lead, partner := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		p := f.partnership(t, "PROPOSED", lead, partner)
		id := relay.ID(relay.TypePartnership, p)
		return authzTarget{
			members: map[string]int64{authzOwner: lead, authzPartner: partner},
			input:   map[string]any{"id": id, "version": 1, "signedOn": "2024-05-01"},
			kind:    "PARTNERSHIP_STATUS_CHANGED", subject: id,
			state: partnershipState(p),
			done:  authzQ(`SELECT count(*) FROM partnership WHERE id = $1 AND status = 'SIGNED' AND signed_on = '2024-05-01' AND version = 2`, p),
		}
	}},
	{"changePartnershipStatus", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		lead, partner := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		p := f.partnership(t, "SIGNED", lead, partner)
		id := relay.ID(relay.TypePartnership, p)
		return authzTarget{
			members: map[string]int64{authzOwner: lead, authzPartner: partner},
			input:   map[string]any{"id": id, "version": 1, "status": "ACTIVE"},
			kind:    "PARTNERSHIP_STATUS_CHANGED", subject: id,
			state: partnershipState(p),
			done:  authzQ(`SELECT count(*) FROM partnership WHERE id = $1 AND status = 'ACTIVE' AND version = 2`, p),
		}
	}},
	{"addPartnershipParticipant", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		lead, partner, newcomer := f.org(t, "SCHOOL"), f.org(t, "COMPANY"), f.org(t, "GOVERNMENT_AGENCY")
		p := f.partnership(t, "SIGNED", lead, partner)
		id := relay.ID(relay.TypePartnership, p)
		return authzTarget{
			members: map[string]int64{authzOwner: lead, authzPartner: partner},
			input:   map[string]any{"partnershipId": id, "version": 1, "organizationId": authzOrgID(newcomer), "role": "SPONSOR"},
			kind:    "PARTICIPANT_ADDED", subject: id,
			kinds: map[string]string{authzOwner: "PARTICIPANT_INVITED"}, // the lead's addition is an invitation
			state: partnershipState(p),
			done: authzQ(`SELECT count(*) FROM partnership WHERE id = $1 AND version = 2
				AND (EXISTS (SELECT 1 FROM partnership_participant WHERE partnership_id = $1 AND organization_id = $2 AND role = 'SPONSOR')
					<> EXISTS (SELECT 1 FROM partnership_invitation WHERE partnership_id = $1 AND organization_id = $2 AND role = 'SPONSOR' AND status = 'PENDING'))`, p, newcomer),
		}
	}},
	{"removePartnershipParticipant", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		lead, partner, leaving := f.org(t, "SCHOOL"), f.org(t, "COMPANY"), f.org(t, "COMPANY")
		p := f.partnership(t, "ACTIVE", lead, partner, leaving)
		id := relay.ID(relay.TypePartnership, p)
		return authzTarget{
			members: map[string]int64{authzOwner: lead, authzPartner: partner},
			input:   map[string]any{"partnershipId": id, "version": 1, "organizationId": authzOrgID(leaving)},
			kind:    "PARTICIPANT_REMOVED", subject: id,
			state: partnershipState(p),
			done: authzQ(`SELECT count(*) FROM partnership p WHERE id = $1 AND version = 2
				AND NOT EXISTS (SELECT 1 FROM partnership_participant x WHERE x.partnership_id = p.id AND x.organization_id = $2)
				AND (SELECT count(*) FROM partnership_participant x WHERE x.partnership_id = p.id) = 2`, p, leaving),
		}
	}},
	{"acceptPartnershipInvitation", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner}, answerInvitationCase("INVITATION_ACCEPTED",
		`EXISTS (SELECT 1 FROM partnership_participant x WHERE x.partnership_id = i.partnership_id AND x.organization_id = i.organization_id AND x.role = 'PARTNER')
			AND i.status = 'ACCEPTED'`)},
	{"declinePartnershipInvitation", []string{authzOwner, authzPartner}, []string{authzAdmin, authzOwner}, answerInvitationCase("INVITATION_DECLINED",
		`NOT EXISTS (SELECT 1 FROM partnership_participant x WHERE x.partnership_id = i.partnership_id AND x.organization_id = i.organization_id)
			AND i.status = 'DECLINED'`)},
	{"shareTrainingFacility", []string{authzOwner}, []string{authzAdmin, authzOwner}, shareCase("TRAINING_FACILITY", "SCHOOL", "RESOURCE_SHARED", "capacity = 40",
		map[string]any{"capacity": 40, "equipment": []string{"CNC lathe"}})},
	{"updateTrainingFacility", []string{authzOwner}, []string{authzAdmin, authzOwner}, changeCase("TRAINING_FACILITY", "SCHOOL", "RESOURCE_UPDATED", "capacity = 77 AND version = 2",
		map[string]any{"capacity": 77})},
	{"postJobOpening", []string{authzOwner}, []string{authzAdmin, authzOwner}, shareCase("JOB_OPENING", "COMPANY", "RESOURCE_SHARED", "positions = 2 AND filled = 0 AND opening_status = 'OPEN'",
		map[string]any{"positions": 2, "employmentType": "INTERNSHIP"})},
	{"updateJobOpening", []string{authzOwner}, []string{authzAdmin, authzOwner}, changeCase("JOB_OPENING", "COMPANY", "RESOURCE_UPDATED", "positions = 9 AND version = 2",
		map[string]any{"positions": 9})},
	{"closeJobOpening", []string{authzOwner}, []string{authzAdmin, authzOwner}, changeCase("JOB_OPENING", "COMPANY", "OPENING_CLOSED", "opening_status = 'CLOSED' AND version = 2",
		map[string]any{})},
	{"shareTeacher", []string{authzOwner}, []string{authzAdmin, authzOwner}, shareCase("TEACHER", "SCHOOL", "RESOURCE_SHARED", "teacher_name = 'Wang Laoshi' AND dual_qualified",
		map[string]any{"name": "Wang Laoshi", "dualQualified": true})},
	{"updateTeacher", []string{authzOwner}, []string{authzAdmin, authzOwner}, changeCase("TEACHER", "SCHOOL", "RESOURCE_UPDATED", "years_experience = 12 AND version = 2",
		map[string]any{"yearsExperience": 12})},
	{"shareTrainingCourse", []string{authzOwner}, []string{authzAdmin, authzOwner}, shareCase("TRAINING_COURSE", "SCHOOL", "RESOURCE_SHARED", "hours = 16 AND seats = 12 AND enrolled = 0",
		map[string]any{"hours": 16, "seats": 12})},
	{"updateTrainingCourse", []string{authzOwner}, []string{authzAdmin, authzOwner}, changeCase("TRAINING_COURSE", "SCHOOL", "RESOURCE_UPDATED", "seats = 30 AND version = 2",
		map[string]any{"seats": 30})},
	{"recordCompetitionResult", []string{authzOwner}, []string{authzAdmin, authzOwner}, shareCase("COMPETITION_RESULT", "SCHOOL", "RESULT_RECORDED", "competition = 'Authz Skills Cup' AND award = 'SILVER'",
		map[string]any{"competition": "Authz Skills Cup", "level": "CITY", "award": "SILVER", "awardedOn": "2024-04-01"})},
	{"updateCompetitionResult", []string{authzOwner}, []string{authzAdmin, authzOwner}, changeCase("COMPETITION_RESULT", "SCHOOL", "RESOURCE_UPDATED", "award = 'GOLD' AND version = 2",
		map[string]any{"award": "GOLD"})},
	{"withdrawResource", []string{authzOwner}, []string{authzAdmin, authzOwner}, changeCase("TEACHER", "COMPANY", "RESOURCE_WITHDRAWN", "withdrawn_on IS NOT NULL AND version = 2",
		map[string]any{})},
	{"bookFacility", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, park := f.org(t, "SCHOOL"), f.org(t, "INDUSTRIAL_PARK")
		f.membership(t, school)
		facility := f.resource(t, "TRAINING_FACILITY", park)
		start := noonOn(demoDay)().UTC().Truncate(time.Hour).Add(48 * time.Hour) // the server's clock
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: park},
			input: map[string]any{"facilityId": authzResID(facility), "organizationId": authzOrgID(school), "purpose": "Authz welding class",
				"start": start.Format(time.RFC3339), "end": start.Add(2 * time.Hour).Format(time.RFC3339), "trainees": 8},
			kind:  "FACILITY_BOOKED",
			state: []authzQuery{authzQ(`SELECT id, purpose, cancelled_at FROM facility_booking WHERE facility_id = $1`, facility), authzQ(`SELECT * FROM resource WHERE id = $1`, facility)},
			done:  authzQ(`SELECT count(*) FROM facility_booking WHERE facility_id = $1 AND organization_id = $2 AND trainees = 8 AND cancelled_at IS NULL`, facility, school),
		}
	}},
	{"cancelFacilityBooking", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner, authzProvider}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, park := f.org(t, "SCHOOL"), f.org(t, "INDUSTRIAL_PARK")
		facility := f.resource(t, "TRAINING_FACILITY", park)
		b := authzInsert(t, `INSERT INTO facility_booking (facility_id, organization_id, period, purpose, booked_by)
			VALUES ($1, $2, tstzrange(now() + interval '1 day', now() + interval '1 day 2 hours'), 'Authz class', 'authz') RETURNING id`, facility, school)
		id := relay.ID(relay.TypeBooking, b)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: park},
			input:   map[string]any{"id": id, "version": 1},
			kind:    "FACILITY_BOOKING_CANCELLED", subject: id,
			state: []authzQuery{authzQ(`SELECT id, version, cancelled_at FROM facility_booking WHERE id = $1`, b)},
			done:  authzQ(`SELECT count(*) FROM facility_booking WHERE id = $1 AND cancelled_at IS NOT NULL AND version = 2`, b),
		}
	}},
	// Teacher secondments: the owner asks for the provider's teacher; the provider decides.
	{"requestSecondment", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, company := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		f.membership(t, school)
		teacher := f.resource(t, "TEACHER", company)
		from := time.Now().UTC().AddDate(0, 0, 3)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: company},
			input: map[string]any{"teacherId": authzResID(teacher), "requesterId": authzOrgID(school), "purpose": "Authz robot programming",
				"from": from.Format(time.DateOnly), "to": from.AddDate(0, 0, 4).Format(time.DateOnly), "hours": 20},
			kind:  "SECONDMENT_REQUESTED",
			state: []authzQuery{authzQ(`SELECT id, state FROM secondment WHERE teacher_id = $1`, teacher), authzQ(`SELECT * FROM resource WHERE id = $1`, teacher)},
			done:  authzQ(`SELECT count(*) FROM secondment WHERE teacher_id = $1 AND requester_id = $2 AND hours = 20 AND state = 'REQUESTED'`, teacher, school),
		}
	}},
	{"decideSecondment", []string{authzOwner, authzProvider}, []string{authzAdmin, authzProvider}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, company := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		teacher := f.resource(t, "TEACHER", company)
		sec := authzInsert(t, `INSERT INTO secondment (teacher_id, requester_id, provider_id, period, hours, purpose, requested_by)
			VALUES ($1, $2, $3, daterange(current_date + 2, current_date + 5, '[]'), 16, 'Authz secondment', 'authz') RETURNING id`, teacher, school, company)
		id := relay.ID(relay.TypeSecondment, sec)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: company},
			input:   map[string]any{"id": id, "version": 1, "accept": true, "note": "Authz note"},
			kind:    "SECONDMENT_ACCEPTED", subject: id,
			state: []authzQuery{authzQ(`SELECT id, version, state, decided_at, decision_note FROM secondment WHERE id = $1`, sec)},
			done:  authzQ(`SELECT count(*) FROM secondment WHERE id = $1 AND state = 'ACCEPTED' AND decision_note = 'Authz note' AND version = 2`, sec),
		}
	}},
	{"cancelSecondment", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner, authzProvider}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, company := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		teacher := f.resource(t, "TEACHER", company)
		sec := authzInsert(t, `INSERT INTO secondment (teacher_id, requester_id, provider_id, period, hours, purpose, requested_by)
			VALUES ($1, $2, $3, daterange(current_date + 2, current_date + 5, '[]'), 16, 'Authz secondment', 'authz') RETURNING id`, teacher, school, company)
		id := relay.ID(relay.TypeSecondment, sec)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: company},
			input:   map[string]any{"id": id, "version": 1},
			kind:    "SECONDMENT_CANCELLED", subject: id,
			state: []authzQuery{authzQ(`SELECT id, version, state, cancelled_at FROM secondment WHERE id = $1`, sec)},
			done:  authzQ(`SELECT count(*) FROM secondment WHERE id = $1 AND state = 'CANCELLED' AND cancelled_at IS NOT NULL AND version = 2`, sec),
		}
	}},
	// Competitions: the owner organizes an edition or enters its student in one that the
	// provider organizes; entries are seen by ADMIN, their member and the organizer only,
	// so that another member withdrawing one finds nothing.
	{"scheduleCompetition", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		org := f.org(t, "SCHOOL")
		f.membership(t, org)
		name := authzName("skills cup")
		return authzTarget{
			members: map[string]int64{authzOwner: org},
			input: map[string]any{"allianceId": f.allianceID(), "name": authzBilingual(name), "level": "CITY", "organizerId": authzOrgID(org),
				"startsOn": compDay(30), "endsOn": compDay(31), "registrationDeadline": compDay(20), "skillIds": []string{relay.ID(relay.TypeSkill, f.skills[0])}},
			kind:  "COMPETITION_SCHEDULED",
			state: []authzQuery{authzQ(`SELECT * FROM competition WHERE name_en = $1 OR organizer_id = $2`, name, org)},
			done: authzQ(`SELECT count(*) FROM competition c WHERE name_en = $1 AND organizer_id = $2 AND version = 1
				AND EXISTS (SELECT 1 FROM competition_skill s WHERE s.competition_id = c.id AND s.skill_id = $3)`, name, org, f.skills[0]),
		}
	}},
	{"updateCompetition", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		org := f.org(t, "SCHOOL")
		comp := authzCompetition(t, f, org)
		id := relay.ID(relay.TypeCompetition, comp)
		return authzTarget{
			members: map[string]int64{authzOwner: org},
			input:   map[string]any{"id": id, "version": 1, "level": "WORLD", "registrationDeadline": compDay(25)},
			kind:    "COMPETITION_UPDATED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM competition WHERE id = $1`, comp), authzQ(`SELECT * FROM competition_skill WHERE competition_id = $1`, comp)},
			done:  authzQ(`SELECT count(*) FROM competition WHERE id = $1 AND level = 'WORLD' AND registration_deadline = $2 AND version = 2`, comp, compDay(25)),
		}
	}},
	{"registerForCompetition", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, organizer := f.org(t, "SCHOOL"), f.org(t, "SCHOOL")
		tal := f.talent(t, school, 0)
		comp := authzCompetition(t, f, organizer)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: organizer},
			input:   map[string]any{"competitionId": relay.ID(relay.TypeCompetition, comp), "talentId": relay.ID(relay.TypeTalent, tal), "organizationId": authzOrgID(school)},
			kind:    "COMPETITION_REGISTERED",
			state:   []authzQuery{authzQ(`SELECT * FROM competition_registration WHERE competition_id = $1`, comp), authzQ(`SELECT * FROM competition WHERE id = $1`, comp)},
			done: authzQ(`SELECT count(*) FROM competition_registration WHERE competition_id = $1 AND talent_id = $2 AND organization_id = $3
				AND state = 'REGISTERED' AND version = 1`, comp, tal, school),
		}
	}},
	{"withdrawCompetitionRegistration", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, organizer := f.org(t, "SCHOOL"), f.org(t, "SCHOOL")
		tal := f.talent(t, school, 0)
		comp := authzCompetition(t, f, organizer)
		reg := authzInsert(t, `INSERT INTO competition_registration (competition_id, talent_id, organization_id, registered_by) VALUES ($1, $2, $3, 'authz') RETURNING id`,
			comp, tal, school)
		id := relay.ID(relay.TypeRegistration, reg)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: organizer},
			input:   map[string]any{"id": id, "version": 1},
			kind:    "COMPETITION_REGISTRATION_WITHDRAWN", subject: id,
			state:   []authzQuery{authzQ(`SELECT * FROM competition_registration WHERE id = $1`, reg)},
			done:    authzQ(`SELECT count(*) FROM competition_registration WHERE id = $1 AND state = 'WITHDRAWN' AND withdrawn_at IS NOT NULL AND version = 2`, reg),
			refused: map[string]string{authzOtherMember: "NOT_FOUND"},
		}
	}},
	{"applyForJob", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, employer := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		tal := f.talent(t, school, 0)
		opening := f.resource(t, "JOB_OPENING", employer)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: employer},
			input:   map[string]any{"openingId": authzResID(opening), "talentId": relay.ID(relay.TypeTalent, tal)},
			kind:    "APPLICATION_RECORDED",
			state:   []authzQuery{authzQ(`SELECT * FROM placement WHERE talent_id = $1`, tal), authzQ(`SELECT * FROM resource WHERE id = $1`, opening)},
			done:    authzQ(`SELECT count(*) FROM placement WHERE talent_id = $1 AND opening_id = $2 AND status = 'APPLIED' AND version = 1`, tal, opening),
		}
	}},
	{"updatePlacementStatus", []string{authzOwner, authzTalentOrg}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, employer := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		tal := f.talent(t, school, 0)
		opening := f.resource(t, "JOB_OPENING", employer)
		pl := authzInsert(t, `INSERT INTO placement (opening_id, talent_id, status, applied_on) VALUES ($1, $2, 'APPLIED', '2024-02-01') RETURNING id`, opening, tal)
		id := relay.ID(relay.TypePlacement, pl)
		return authzTarget{
			members: map[string]int64{authzOwner: employer, authzTalentOrg: school},
			input:   map[string]any{"id": id, "version": 1, "status": "SHORTLISTED"},
			kind:    "PLACEMENT_STATUS_CHANGED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM placement WHERE id = $1`, pl), authzQ(`SELECT * FROM resource WHERE id = $1`, opening)},
			done:  authzQ(`SELECT count(*) FROM placement WHERE id = $1 AND status = 'SHORTLISTED' AND version = 2`, pl),
		}
	}},
	{"enrollInCourse", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		employer, school := f.org(t, "COMPANY"), f.org(t, "SCHOOL")
		tal := f.talent(t, 0, employer)
		course := f.resource(t, "TRAINING_COURSE", school)
		return authzTarget{
			members: map[string]int64{authzOwner: employer, authzProvider: school},
			input:   map[string]any{"courseId": authzResID(course), "talentId": relay.ID(relay.TypeTalent, tal)},
			kind:    "TALENT_ENROLLED", subject: authzResID(course),
			state: []authzQuery{authzQ(`SELECT * FROM enrollment WHERE talent_id = $1`, tal), authzQ(`SELECT * FROM resource WHERE id = $1`, course)},
			done: authzQ(`SELECT count(*) FROM enrollment WHERE talent_id = $1 AND course_id = $2
				AND (SELECT enrolled FROM resource WHERE id = $2) = 1`, tal, course),
		}
	}},
	// Enrolment to certificate: the talent's organization (owner) or the course's
	// provider may drop; only the provider assesses and certifies.
	{"dropEnrollment", []string{authzOwner, authzProvider}, []string{authzAdmin, authzOwner, authzProvider}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, provider := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		tal := f.talent(t, school, 0)
		course, en := authzEnrollment(t, f, provider, tal, "2027-01-10", false)
		id := relay.ID(relay.TypeEnrollment, en)
		return authzTarget{
			members: map[string]int64{authzOwner: school, authzProvider: provider},
			input:   map[string]any{"id": id},
			kind:    "ENROLLMENT_DROPPED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM enrollment WHERE id = $1`, en), authzQ(`SELECT enrolled, version FROM resource WHERE id = $1`, course)},
			done:  authzQ(`SELECT count(*) FROM enrollment WHERE id = $1 AND state = 'DROPPED' AND (SELECT enrolled FROM resource WHERE id = $2) = 0`, en, course),
		}
	}},
	{"completeEnrollment", []string{authzOwner, authzTalentOrg}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, provider := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		tal := f.talent(t, school, 0)
		_, en := authzEnrollment(t, f, provider, tal, "2026-11-02", false)
		id := relay.ID(relay.TypeEnrollment, en)
		return authzTarget{
			members: map[string]int64{authzOwner: provider, authzTalentOrg: school},
			input:   map[string]any{"id": id, "result": "PASSED", "score": 88},
			kind:    "ENROLLMENT_COMPLETED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM enrollment WHERE id = $1`, en)},
			done:  authzQ(`SELECT count(*) FROM enrollment WHERE id = $1 AND state = 'COMPLETED' AND result = 'PASSED' AND score = 88`, en),
		}
	}},
	{"issueCertificate", []string{authzOwner, authzTalentOrg}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school, provider := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		tal := f.talent(t, school, 0)
		_, en := authzEnrollment(t, f, provider, tal, "2026-11-02", true)
		number := fmt.Sprintf("AUTHZ-CERT-%d", authzSeq.Add(1))
		return authzTarget{
			members: map[string]int64{authzOwner: provider, authzTalentOrg: school},
			input:   map[string]any{"enrollmentId": relay.ID(relay.TypeEnrollment, en), "level": "SENIOR_WORKER", "number": number},
			kind:    "CERTIFICATE_ISSUED",
			state:   []authzQuery{authzQ(`SELECT * FROM certificate WHERE enrollment_id = $1`, en), authzQ(`SELECT * FROM talent_skill WHERE talent_id = $1`, tal)},
			done: authzQ(`SELECT count(*) FROM certificate c JOIN talent_skill ts ON ts.talent_id = c.talent_id AND ts.skill_id = c.skill_id
				WHERE c.enrollment_id = $1 AND c.number = $2 AND ts.level >= 3 AND ts.certified_on IS NOT NULL`, en, number),
		}
	}},
	{"createSkill", nil, []string{authzAdmin}, func(t *testing.T, f *authzFixtures) authzTarget {
		code := fmt.Sprintf("AUTHZ-NEW.%d", authzSeq.Add(1))
		return authzTarget{
			input: map[string]any{"code": code, "name": authzBilingual("Authz skill"), "category": "DIGITAL"},
			kind:  "SKILL_CREATED",
			state: []authzQuery{authzQ(`SELECT * FROM skill WHERE code = $1`, code)},
			done:  authzQ(`SELECT count(*) FROM skill WHERE code = $1 AND category = 'DIGITAL' AND version = 1`, code),
		}
	}},
	{"updateSkill", nil, []string{authzAdmin}, func(t *testing.T, f *authzFixtures) authzTarget {
		k := f.skill(t)
		id := relay.ID(relay.TypeSkill, k)
		return authzTarget{
			input: map[string]any{"id": id, "version": 1, "description": "Updated by authz"},
			kind:  "SKILL_UPDATED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM skill WHERE id = $1`, k)},
			done:  authzQ(`SELECT count(*) FROM skill WHERE id = $1 AND description = 'Updated by authz' AND version = 2`, k),
		}
	}},
	{"registerTalent", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school := f.org(t, "SCHOOL")
		name := authzName("registered talent")
		return authzTarget{
			members: map[string]int64{authzOwner: school},
			input:   map[string]any{"allianceId": f.allianceID(), "fullName": name, "email": "new.talent@authz.example", "status": "STUDENT", "schoolId": authzOrgID(school)},
			kind:    "TALENT_REGISTERED",
			state:   []authzQuery{authzQ(`SELECT * FROM talent WHERE full_name = $1 OR school_id = $2`, name, school)},
			done:    authzQ(`SELECT count(*) FROM talent WHERE full_name = $1 AND school_id = $2 AND email = 'new.talent@authz.example' AND version = 1`, name, school),
		}
	}},
	{"updateTalent", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school := f.org(t, "SCHOOL")
		tal := f.talent(t, school, 0)
		id := relay.ID(relay.TypeTalent, tal)
		return authzTarget{
			members: map[string]int64{authzOwner: school},
			input:   map[string]any{"id": id, "version": 1, "phone": "+86 24 5555 0101", "status": "JOB_SEEKING"},
			kind:    "TALENT_UPDATED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM talent WHERE id = $1`, tal)},
			done:  authzQ(`SELECT count(*) FROM talent WHERE id = $1 AND phone = '+86 24 5555 0101' AND status = 'JOB_SEEKING' AND version = 2`, tal),
		}
	}},
	{"setTalentSkill", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		employer := f.org(t, "COMPANY")
		tal := f.talent(t, 0, employer)
		id := relay.ID(relay.TypeTalent, tal)
		return authzTarget{
			members: map[string]int64{authzOwner: employer},
			input:   map[string]any{"talentId": id, "version": 1, "skill": map[string]any{"skillId": relay.ID(relay.TypeSkill, f.skills[0]), "level": 4}},
			kind:    "TALENT_UPDATED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM talent WHERE id = $1`, tal), authzQ(`SELECT * FROM talent_skill WHERE talent_id = $1`, tal)},
			done: authzQ(`SELECT count(*) FROM talent_skill WHERE talent_id = $1 AND skill_id = $2 AND level = 4
				AND (SELECT version FROM talent WHERE id = $1) = 2`, tal, f.skills[0]),
		}
	}},
	{"removeTalentSkill", []string{authzOwner}, []string{authzAdmin, authzOwner}, func(t *testing.T, f *authzFixtures) authzTarget {
		school := f.org(t, "SCHOOL")
		tal := f.talent(t, school, 0)
		authzExec(t, `INSERT INTO talent_skill (talent_id, skill_id, level) VALUES ($1, $2, 2), ($1, $3, 3)`, tal, f.skills[0], f.skills[1])
		id := relay.ID(relay.TypeTalent, tal)
		return authzTarget{
			members: map[string]int64{authzOwner: school},
			input:   map[string]any{"talentId": id, "version": 1, "skillId": relay.ID(relay.TypeSkill, f.skills[1])},
			kind:    "TALENT_UPDATED", subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM talent WHERE id = $1`, tal), authzQ(`SELECT * FROM talent_skill WHERE talent_id = $1`, tal)},
			done: authzQ(`SELECT count(*) FROM talent t WHERE id = $1 AND version = 2
				AND NOT EXISTS (SELECT 1 FROM talent_skill x WHERE x.talent_id = t.id AND x.skill_id = $2)
				AND EXISTS (SELECT 1 FROM talent_skill x WHERE x.talent_id = t.id AND x.skill_id = $3)`, tal, f.skills[1], f.skills[0]),
		}
	}},
	{"acceptEmployment", []string{authzOwner, authzTalentOrg}, []string{authzAdmin, authzOwner}, answerEmploymentCase("EMPLOYMENT_ACCEPTED", "employer_id = $2")},
	{"declineEmployment", []string{authzOwner, authzTalentOrg}, []string{authzAdmin, authzOwner}, answerEmploymentCase("EMPLOYMENT_DECLINED", "employer_id IS NULL AND $2::bigint IS NOT NULL")},
}

func partnershipState(p int64) []authzQuery {
	return []authzQuery{authzQ(`SELECT * FROM partnership WHERE id = $1`, p), authzQ(`SELECT * FROM partnership_participant WHERE partnership_id = $1`, p),
		authzQ(`SELECT * FROM partnership_invitation WHERE partnership_id = $1`, p)}
}

// answerInvitationCase prepares a proposal led by one member (the partner viewer, who may
// not answer for others) that invites another (the owner viewer); done is the condition
// on the answered invitation i.
func answerInvitationCase(kind, done string) func(*testing.T, *authzFixtures) authzTarget {
	return func(t *testing.T, f *authzFixtures) authzTarget {
		lead, partner, invited := f.org(t, "SCHOOL"), f.org(t, "COMPANY"), f.org(t, "COMPANY")
		p := f.partnership(t, "PROPOSED", lead, partner)
		authzExec(t, `INSERT INTO partnership_invitation (partnership_id, organization_id, role, invited_on) VALUES ($1, $2, 'PARTNER', '2024-05-01')`, p, invited)
		id := relay.ID(relay.TypePartnership, p)
		return authzTarget{
			members: map[string]int64{authzOwner: invited, authzPartner: lead},
			input:   map[string]any{"partnershipId": id, "version": 1, "organizationId": authzOrgID(invited)},
			kind:    kind, subject: id,
			state: partnershipState(p),
			done: authzQ(`SELECT count(*) FROM partnership_invitation i WHERE i.partnership_id = $1 AND i.organization_id = $2 AND i.answered_on IS NOT NULL
				AND (SELECT version FROM partnership WHERE id = $1) = 2 AND `+done, p, invited),
		}
	}
}

// answerEmploymentCase prepares a talent of a school (the talent viewer) that named a
// company (the owner viewer) as employer; done is the condition on the talent after the
// answer, with the company as $2.
func answerEmploymentCase(kind, done string) func(*testing.T, *authzFixtures) authzTarget {
	return func(t *testing.T, f *authzFixtures) authzTarget {
		school, company := f.org(t, "SCHOOL"), f.org(t, "COMPANY")
		tal := f.talent(t, school, 0)
		authzExec(t, `UPDATE talent SET pending_employer_id = $2, employer_proposed_on = '2024-06-01' WHERE id = $1`, tal, company)
		id := relay.ID(relay.TypeTalent, tal)
		return authzTarget{
			members: map[string]int64{authzOwner: company, authzTalentOrg: school},
			input:   map[string]any{"talentId": id, "version": 1},
			kind:    kind, subject: id,
			state: []authzQuery{authzQ(`SELECT * FROM talent WHERE id = $1`, tal)},
			done: authzQ(`SELECT count(*) FROM talent WHERE id = $1 AND pending_employer_id IS NULL AND employer_proposed_on IS NULL AND version = 2
				AND `+done, tal, company),
		}
	}
}

// shareCase prepares sharing a new resource of category by a fresh provider of
// providerKind; fields are the category's input, done the condition on the new row.
func shareCase(category, providerKind, kind, done string, fields map[string]any) func(*testing.T, *authzFixtures) authzTarget {
	return func(t *testing.T, f *authzFixtures) authzTarget {
		provider := f.org(t, providerKind)
		title := authzName("shared " + category)
		input := map[string]any{"allianceId": f.allianceID(), "providerId": authzOrgID(provider), "title": authzBilingual(title)}
		for k, v := range fields {
			input[k] = v
		}
		return authzTarget{
			members: map[string]int64{authzOwner: provider},
			input:   input,
			kind:    kind,
			state:   []authzQuery{authzQ(`SELECT * FROM resource WHERE provider_id = $1`, provider)},
			done: authzQ(`SELECT count(*) FROM resource WHERE provider_id = $1 AND title_en = $2 AND category = $3 AND version = 1 AND withdrawn_on IS NULL AND `+done,
				provider, title, category),
		}
	}
}

// changeCase prepares changing a fresh resource of category, shared by a fresh provider
// of providerKind; fields are the change besides id and version.
func changeCase(category, providerKind, kind, done string, fields map[string]any) func(*testing.T, *authzFixtures) authzTarget {
	return func(t *testing.T, f *authzFixtures) authzTarget {
		provider := f.org(t, providerKind)
		r := f.resource(t, category, provider)
		input := map[string]any{"id": authzResID(r), "version": 1}
		for k, v := range fields {
			input[k] = v
		}
		return authzTarget{
			members: map[string]int64{authzOwner: provider},
			input:   input,
			kind:    kind, subject: authzResID(r),
			state: []authzQuery{authzQ(`SELECT * FROM resource WHERE id = $1`, r), authzQ(`SELECT * FROM resource_share WHERE resource_id = $1`, r),
				authzQ(`SELECT * FROM resource_skill WHERE resource_id = $1`, r)},
			done: authzQ(`SELECT count(*) FROM resource WHERE id = $1 AND `+done, r),
		}
	}
}

// authzRows renders the rows of q as JSON text, in a stable order.
func authzRows(t *testing.T, q authzQuery) string {
	t.Helper()
	var s string
	if err := writeDB.DB.Get(&s, `SELECT coalesce(json_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text), '[]')::text FROM (`+q.sql+`) r`, q.args...); err != nil {
		t.Fatalf("state %q: %v", q.sql, err)
	}
	return s
}

func authzState(t *testing.T, qs []authzQuery) []string {
	t.Helper()
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = authzRows(t, q)
	}
	return out
}

func authzLoadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gqlErr != nil {
		t.Fatalf("load schema: %v", gqlErr)
	}
	return schema
}

// authzMutation is a mutation's document, built from the schema: every object of its
// payload by id, and its user errors.
type authzMutation struct {
	query   string
	objects []string // the payload's object fields, in schema order
}

func buildAuthzMutation(t *testing.T, schema *ast.Schema, f *ast.FieldDefinition) authzMutation {
	t.Helper()
	if len(f.Arguments) != 1 || f.Arguments[0].Name != "input" {
		t.Fatalf("mutation %s does not take one input argument", f.Name)
	}
	payload := schema.Types[f.Type.Name()]
	var m authzMutation
	var sel []string
	for _, pf := range payload.Fields {
		if pf.Name == "userErrors" {
			sel = append(sel, "userErrors { field code message }")
			continue
		}
		m.objects = append(m.objects, pf.Name)
		sel = append(sel, pf.Name+" { id }")
	}
	m.query = fmt.Sprintf("mutation($input: %s) { %s(input: $input) { %s } }", f.Arguments[0].Type.String(), f.Name, strings.Join(sel, " "))
	return m
}

func authzViewer(name string, members map[string]int64, other int64) auth.Viewer {
	switch name {
	case authzAnonymous:
		return auth.Viewer{}
	case authzAdmin:
		return admin
	case authzAnalyst:
		return analyst
	case authzOtherMember:
		return memberOf(other)
	}
	return memberOf(members[name])
}

type authzEvent struct {
	Kind      string `db:"kind"`
	SubjectID string `db:"subject_id"`
	Actor     string `db:"actor"`
	ActorRole string `db:"actor_role"`
}

func TestEveryRoleAgainstEveryMutation(t *testing.T) {
	schema := authzLoadSchema(t)
	var fields, covered []string
	for _, f := range schema.Mutation.Fields {
		fields = append(fields, f.Name)
	}
	for _, c := range authzCases {
		covered = append(covered, c.mutation)
	}
	var missing, unknown []string
	for _, name := range fields {
		if !slices.Contains(covered, name) {
			missing = append(missing, name)
		}
	}
	for _, name := range covered {
		if !slices.Contains(fields, name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(fields)
	sort.Strings(covered)
	if len(missing)+len(unknown) > 0 || !slices.Equal(fields, covered) {
		t.Fatalf("every Mutation field needs exactly one case: no case for %v; cases for fields Mutation lacks (or duplicated): %v (cases %v)", missing, unknown, covered)
	}

	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	other := f.org(t, "COMPANY") // takes part in nothing any case prepares
	attempts := 0
	for _, c := range authzCases {
		m := buildAuthzMutation(t, schema, schema.Mutation.Fields.ForName(c.mutation))
		viewers := append(append([]string{authzAnonymous, authzAdmin, authzAnalyst}, c.members...), authzOtherMember)
		t.Run(c.mutation, func(t *testing.T) {
			for _, vn := range viewers {
				attempts++
				t.Run(vn, func(t *testing.T) {
					tg := c.prepare(t, f)
					for _, name := range c.members {
						if tg.members[name] == 0 {
							t.Fatalf("the fixture names no organization for %s", name)
						}
					}
					v := authzViewer(vn, tg.members, other)
					allowed := slices.Contains(c.allowed, vn)
					before := authzState(t, tg.state)
					if n := sqlIntIn(t, writeDB, tg.done.sql, tg.done.args...); n != 0 {
						t.Fatalf("the fresh fixture already shows the change (%d rows)", n)
					}
					lastEvent := sqlIntIn(t, writeDB, "SELECT coalesce(max(id), 0) FROM event")

					r := ts.queryAs(t, v, m.query, map[string]any{"input": tg.input})

					var data map[string]json.RawMessage
					if len(r.Data) > 0 {
						if err := json.Unmarshal(r.Data, &data); err != nil {
							t.Fatalf("decode data %s: %v", r.Data, err)
						}
					}
					var events []authzEvent
					if err := writeDB.DB.Select(&events, "SELECT kind, subject_id, actor, actor_role FROM event WHERE id > $1 ORDER BY id", lastEvent); err != nil {
						t.Fatal(err)
					}
					done := sqlIntIn(t, writeDB, tg.done.sql, tg.done.args...)

					if allowed {
						if len(r.Errors) > 0 {
							t.Fatalf("%s may %s but got errors %+v", vn, c.mutation, r.Errors)
						}
						var payload map[string]json.RawMessage
						if err := json.Unmarshal(data[c.mutation], &payload); err != nil {
							t.Fatalf("decode payload %s: %v", data[c.mutation], err)
						}
						var userErrors []userError
						json.Unmarshal(payload["userErrors"], &userErrors)
						if len(userErrors) > 0 {
							t.Fatalf("user errors %+v", userErrors)
						}
						var subject string
						for i, name := range m.objects {
							var obj *struct{ ID string }
							json.Unmarshal(payload[name], &obj)
							if obj == nil || obj.ID == "" {
								t.Fatalf("payload field %s is null after an allowed change: %s", name, data[c.mutation])
							}
							if i == 0 {
								subject = obj.ID
							}
						}
						if tg.subject != "" && subject != tg.subject {
							t.Errorf("payload returned %s, want the target %s", subject, tg.subject)
						}
						if done != 1 {
							t.Errorf("the change is not in the database: %q counts %d rows, want 1", tg.done.sql, done)
						}
						if len(events) != 1 {
							t.Fatalf("recorded %d events %+v, want one %s", len(events), events, tg.kind)
						}
						kind := tg.kind
						if k, ok := tg.kinds[vn]; ok {
							kind = k
						}
						want := authzEvent{Kind: kind, SubjectID: subject, Actor: v.Subject, ActorRole: string(v.Role)}
						if events[0] != want {
							t.Errorf("event %+v, want %+v", events[0], want)
						}
						return
					}

					if code, ok := tg.refused[vn]; ok {
						var payload map[string]json.RawMessage
						json.Unmarshal(data[c.mutation], &payload)
						var userErrors []userError
						json.Unmarshal(payload["userErrors"], &userErrors)
						if len(r.Errors) > 0 || len(userErrors) != 1 || userErrors[0].Code != code {
							t.Errorf("%s may not %s: got errors %+v, user errors %+v, want one user error %s", vn, c.mutation, r.Errors, userErrors, code)
						}
						for _, name := range m.objects {
							if p := payload[name]; string(p) != "null" {
								t.Errorf("payload field %s is %s after a refused call, want null", name, p)
							}
						}
					} else {
						code := "FORBIDDEN"
						if v.Anonymous() {
							code = "UNAUTHENTICATED"
						}
						if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != code || fmt.Sprint(r.Errors[0].Path) != fmt.Sprintf("[%s]", c.mutation) {
							t.Errorf("%s may not %s: got errors %+v, want one %s at [%s]", vn, c.mutation, r.Errors, code, c.mutation)
						}
						if p, ok := data[c.mutation]; ok && string(p) != "null" {
							t.Errorf("payload %s, want null", p)
						}
					}
					if done != 0 {
						t.Errorf("a denied call made the change: %q counts %d rows", tg.done.sql, done)
					}
					if len(events) != 0 {
						t.Errorf("a denied call recorded events %+v", events)
					}
					if after := authzState(t, tg.state); !slices.Equal(before, after) {
						for i := range before {
							if before[i] != after[i] {
								t.Errorf("a denied call changed %q:\nbefore %s\nafter  %s", tg.state[i].sql, before[i], after[i])
							}
						}
					}
				})
			}
		})
	}
	t.Logf("%d mutations, %d attempts", len(authzCases), attempts)
}

func TestPersonalFieldsAreVisibleOnlyToAdminAndTheTalentsOrganization(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	school, employer, other := f.org(t, "SCHOOL"), f.org(t, "COMPANY"), f.org(t, "SCHOOL")
	talents := []struct {
		name     string
		key, org int64
	}{
		{"with-school", f.talent(t, school, 0), school},
		{"with-employer", f.talent(t, 0, employer), employer},
	}
	fields := []struct{ gql, column string }{
		{"fullName", "full_name"}, {"nameZh", "name_zh"}, {"email", "email"}, {"phone", "phone"}, {"birthDate", "to_char(birth_date, 'YYYY-MM-DD')"},
	}
	viewers := []struct {
		name string
		code string // "" when the viewer sees the field
	}{
		{authzAnonymous, "UNAUTHENTICATED"}, {authzAdmin, ""}, {authzAnalyst, "FORBIDDEN"}, {authzOwner, ""}, {authzOtherMember, "FORBIDDEN"},
	}
	for _, tal := range talents {
		id := relay.ID(relay.TypeTalent, tal.key)
		var status string
		if err := writeDB.DB.Get(&status, "SELECT status FROM talent WHERE id = $1", tal.key); err != nil {
			t.Fatal(err)
		}
		t.Run(tal.name, func(t *testing.T) {
			for _, fl := range fields {
				var want string
				if err := writeDB.DB.Get(&want, "SELECT "+fl.column+" FROM talent WHERE id = $1", tal.key); err != nil || want == "" {
					t.Fatalf("oracle %s = %q: %v", fl.column, want, err)
				}
				q := fmt.Sprintf(`query($id: ID!) { node(id: $id) { ... on Talent { id alias status %s } } }`, fl.gql)
				t.Run(fl.gql, func(t *testing.T) {
					for _, vw := range viewers {
						t.Run(vw.name, func(t *testing.T) {
							v := authzViewer(vw.name, map[string]int64{authzOwner: tal.org}, other)
							r := ts.queryAs(t, v, q, map[string]any{"id": id})
							var out struct {
								Node *struct {
									ID, Alias, Status string
									Value             *string
								}
							}
							// Rename the field so one struct decodes every query.
							raw := strings.Replace(string(r.Data), `"`+fl.gql+`":`, `"value":`, 1)
							if err := json.Unmarshal([]byte(raw), &out); err != nil {
								t.Fatalf("decode %s: %v", r.Data, err)
							}
							if out.Node == nil || out.Node.ID != id || out.Node.Alias == "" || out.Node.Status != status {
								t.Fatalf("the talent did not resolve: %s (errors %+v)", r.Data, r.Errors)
							}
							if vw.code == "" {
								if len(r.Errors) > 0 {
									t.Fatalf("errors %+v", r.Errors)
								}
								if out.Node.Value == nil || *out.Node.Value != want {
									t.Errorf("%s = %v, want %q", fl.gql, out.Node.Value, want)
								}
								return
							}
							if out.Node.Value != nil {
								t.Errorf("%s leaked %s = %q", vw.name, fl.gql, *out.Node.Value)
							}
							if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != vw.code || fmt.Sprint(r.Errors[0].Path) != fmt.Sprintf("[node %s]", fl.gql) {
								t.Errorf("errors %+v, want one %s at [node %s]", r.Errors, vw.code, fl.gql)
							}
						})
					}
				})
			}
		})
	}
}

func TestResourcesSharedWithNamedMembersAreHiddenFromOthers(t *testing.T) {
	ts := newWriteServer(t)
	f := newAuthzFixtures(t)
	provider, named, otherMember := f.org(t, "COMPANY"), f.org(t, "SCHOOL"), f.org(t, "SCHOOL")
	hidden := f.resource(t, "JOB_OPENING", provider)
	authzExec(t, "UPDATE resource SET shared_with_all = false WHERE id = $1", hidden)
	authzExec(t, "INSERT INTO resource_share (resource_id, organization_id) VALUES ($1, $2)", hidden, named)
	public := f.resource(t, "JOB_OPENING", provider)
	hiddenID, publicID := authzResID(hidden), authzResID(public)
	members := map[string]int64{authzProvider: provider, "named-member": named}
	viewers := []struct {
		name string
		sees bool
	}{
		{authzAnonymous, false}, {authzAdmin, true}, {authzAnalyst, false}, {authzProvider, true}, {"named-member", true}, {authzOtherMember, false},
	}
	lists := map[string]string{
		"resources":   `query($p: ID!) { list: resources(first: 100, filter: {providers: [$p]}) { totalCount edges { node { id } } } }`,
		"jobOpenings": `query($p: ID!) { list: jobOpenings(first: 100, filter: {providers: [$p]}) { totalCount edges { node { id } } } }`,
	}
	for _, vw := range viewers {
		t.Run(vw.name, func(t *testing.T) {
			v := authzViewer(vw.name, members, otherMember)
			want := []string{publicID}
			if vw.sees {
				want = []string{hiddenID, publicID}
			}
			sort.Strings(want)
			for name, q := range lists {
				r := ts.queryAs(t, v, q, map[string]any{"p": authzOrgID(provider)})
				if len(r.Errors) > 0 {
					t.Fatalf("%s: errors %+v", name, r.Errors)
				}
				var out struct {
					List struct {
						TotalCount int
						Edges      []struct{ Node struct{ ID string } }
					}
				}
				if err := json.Unmarshal(r.Data, &out); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range out.List.Edges {
					got = append(got, e.Node.ID)
				}
				sort.Strings(got)
				if !slices.Equal(got, want) || out.List.TotalCount != len(want) {
					t.Errorf("%s lists %v (totalCount %d), want %v", name, got, out.List.TotalCount, want)
				}
			}
			r := ts.queryAs(t, v, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": hiddenID})
			var out struct{ Node *struct{ ID string } }
			if err := json.Unmarshal(r.Data, &out); err != nil {
				t.Fatal(err)
			}
			if vw.sees {
				if len(r.Errors) > 0 || out.Node == nil || out.Node.ID != hiddenID {
					t.Errorf("node(%s) = %s, errors %+v; want the resource", hiddenID, r.Data, r.Errors)
				}
				return
			}
			if out.Node != nil {
				t.Errorf("node(%s) revealed %+v", hiddenID, out.Node)
			}
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" || fmt.Sprint(r.Errors[0].Path) != "[node]" {
				t.Errorf("errors %+v, want one NOT_FOUND at [node]", r.Errors)
			}
		})
	}
}
