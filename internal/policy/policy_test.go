package policy_test

import (
	"slices"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

var (
	anonymous = auth.Viewer{}
	admin     = auth.Viewer{Role: auth.RoleAdmin, Subject: "secretariat"}
	analyst   = auth.Viewer{Role: auth.RoleAnalyst, Subject: "analyst"}
	member    = auth.Viewer{Role: auth.RoleMember, OrganizationID: 7, Subject: "apikey:ab12"}
)

func TestResourceScopeSeesRestrictedResourcesOnlyForAdminsAndTheirMembers(t *testing.T) {
	tests := []struct {
		name string
		v    auth.Viewer
		want store.Scope
	}{
		{"anonymous sees what is shared with everyone", anonymous, store.Scope{}},
		{"an analyst is not named by any share", analyst, store.Scope{}},
		{"a member sees what it provides or is named in", member, store.Scope{Organization: 7}},
		{"the secretariat sees everything", admin, store.Scope{All: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.ResourceScope(tt.v); got != tt.want {
				t.Errorf("ResourceScope = %+v, want %+v", got, tt.want)
			}
			if got := policy.Visibility(tt.v).Resources; got != tt.want {
				t.Errorf("Visibility().Resources = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEventsNameTheirCredentialOnlyToAdmins(t *testing.T) {
	e := &store.Event{Actor: "apikey:ab12", ActorRole: "MEMBER"}
	for _, tt := range []struct {
		v    auth.Viewer
		want string
	}{{anonymous, "MEMBER"}, {analyst, "MEMBER"}, {member, "MEMBER"}, {admin, "apikey:ab12"}} {
		if got := policy.EventActor(tt.v, e); got != tt.want {
			t.Errorf("%q reads actor %q, want %q", tt.v.Role, got, tt.want)
		}
	}
}

func TestAnonymousCallersReadNoPrivateEvents(t *testing.T) {
	if len(policy.EventKindsHidden(anonymous)) == 0 {
		t.Error("anonymous callers may read every event kind, talents' included")
	}
	for _, v := range []auth.Viewer{admin, analyst, member} {
		if hidden := policy.EventKindsHidden(v); len(hidden) > 0 {
			t.Errorf("%s may not read %v", v.Role, hidden)
		}
	}
}

// A starting salary is personal data: medians of outcomes need enough hires that none is
// a person's, and one hire's salary reaches only those who see the talent's personal
// data and the company that agreed it.
func TestStartingSalariesStayPersonal(t *testing.T) {
	if policy.MinHiresForMedian < 5 {
		t.Errorf("medians are published from %d hires: a group of fewer than 5 comes close to a person's salary", policy.MinHiresForMedian)
	}
	school, employer, provider := int64(7), int64(8), int64(9)
	talent := &store.Talent{SchoolID: &school, EmployerID: &employer}
	for _, tt := range []struct {
		name string
		v    auth.Viewer
		want bool
	}{
		{"the secretariat", admin, true},
		{"the talent's school", auth.Viewer{Role: auth.RoleMember, OrganizationID: school}, true},
		{"its employer", auth.Viewer{Role: auth.RoleMember, OrganizationID: employer}, true},
		{"the hiring company", auth.Viewer{Role: auth.RoleMember, OrganizationID: provider}, true},
		{"another member", auth.Viewer{Role: auth.RoleMember, OrganizationID: 10}, false},
		{"an analyst", analyst, false},
		{"anonymous", anonymous, false},
	} {
		if got := policy.SeeStartingSalary(tt.v, talent, provider); got != tt.want {
			t.Errorf("%s sees the salary: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAudiencesAreEqualExactlyWhenRoleAndOrganizationAre(t *testing.T) {
	soon := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	sameOrgOtherPerson := auth.Viewer{Role: auth.RoleMember, OrganizationID: 7, Subject: "someone else", ExpiresAt: soon}
	tests := []struct {
		name string
		a, b auth.Viewer
		same bool
	}{
		{"two anonymous callers", anonymous, auth.Viewer{}, true},
		{"two persons of one member", member, sameOrgOtherPerson, true},
		{"two admins", admin, auth.Viewer{Role: auth.RoleAdmin, Subject: "other admin", ExpiresAt: soon}, true},
		{"anonymous and an analyst", anonymous, analyst, false},
		{"an analyst and an admin", analyst, admin, false},
		{"members of two organizations", member, auth.Viewer{Role: auth.RoleMember, OrganizationID: 8, Subject: "apikey:ab12"}, false},
		{"a member and an admin of the same organization", member, auth.Viewer{Role: auth.RoleAdmin, OrganizationID: 7}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := policy.Audience(tt.a), policy.Audience(tt.b)
			if (a == b) != tt.same {
				t.Errorf("Audience(%+v) == Audience(%+v) is %v, want %v", tt.a, tt.b, a == b, tt.same)
			}
			// What the audience decides is what the viewer is shown.
			if policy.ResourceScope(a) != policy.ResourceScope(tt.a) || policy.EventActor(a, &store.Event{Actor: "x", ActorRole: "ADMIN"}) != policy.EventActor(tt.a, &store.Event{Actor: "x", ActorRole: "ADMIN"}) {
				t.Errorf("the audience of %+v is shown other rows than the viewer", tt.a)
			}
		})
	}
}

func TestEnrolmentsAreForAdminsProvidersAndTheTalentsOrganizations(t *testing.T) {
	tests := []struct {
		name string
		v    auth.Viewer
		want store.EnrollmentScope
	}{
		{"anonymous sees none", anonymous, store.EnrollmentScope{}},
		{"an analyst sees none: a trainee list names people", analyst, store.EnrollmentScope{}},
		{"a member sees its courses' trainees and its own talents'", member, store.EnrollmentScope{Organization: 7}},
		{"the secretariat sees every one", admin, store.EnrollmentScope{All: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.EnrollmentScope(tt.v); got != tt.want {
				t.Errorf("EnrollmentScope = %+v, want %+v", got, tt.want)
			}
			if got := policy.Visibility(tt.v).Enrollments; got != tt.want {
				t.Errorf("Visibility().Enrollments = %+v, want %+v", got, tt.want)
			}
		})
	}
	for _, k := range []store.EventKind{store.EventTalentWaitlisted, store.EventWaitlistPromoted, store.EventEnrollmentDropped,
		store.EventEnrollmentCompleted, store.EventCertificateIssued} {
		if !slices.Contains(policy.EventKindsHidden(anonymous), k) {
			t.Errorf("anonymous callers see %s", k)
		}
	}
}
