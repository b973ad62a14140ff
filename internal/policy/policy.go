// Package policy is the one place that decides who may do and see what:
//
//   - anonymous callers read public data only;
//   - ADMIN (the alliance secretariat) does everything;
//   - MEMBER acts for its own organization: its profile, its resources and openings, its
//     talents, and the partnerships it takes part in (those it leads for signing and
//     membership changes);
//   - ANALYST reads everything except personal data and resources shared with named
//     members only, and writes nothing.
//
// Talent personal data is visible to ADMIN and to the talent's own school or employer.
// Resources shared with named members only are visible to ADMIN, the provider and those
// members (see ResourceScope).
package policy

import (
	"slices"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

func unauthenticated(what string) error {
	return &errcode.Error{Code: errcode.Unauthenticated, Message: "sign in to " + what + ": send an Authorization: Bearer token"}
}

func forbidden(what string) error {
	return &errcode.Error{Code: errcode.Forbidden, Message: "your role may not " + what}
}

// RequireRole checks that v holds one of roles; what says what is being attempted.
func RequireRole(v auth.Viewer, what string, roles ...auth.Role) error {
	if v.Anonymous() {
		return unauthenticated(what)
	}
	if !slices.Contains(roles, v.Role) {
		return forbidden(what)
	}
	return nil
}

// ActFor checks that v may change data belonging to any of orgs: ADMIN always, MEMBER
// when it acts for one of them.
func ActFor(v auth.Viewer, what string, orgs ...int64) error {
	if err := RequireRole(v, what, auth.RoleAdmin, auth.RoleMember); err != nil {
		return err
	}
	if v.Role == auth.RoleAdmin || slices.Contains(orgs, v.OrganizationID) {
		return nil
	}
	return forbidden(what + " for another organization")
}

// Admin checks that v is ADMIN.
func Admin(v auth.Viewer, what string) error { return RequireRole(v, what, auth.RoleAdmin) }

// SeePersonal reports whether v may see the personal data of t. t.EmployerID is the
// employer that accepted the link; a company only named as employer (PendingEmployerID)
// sees nothing until it accepts.
func SeePersonal(v auth.Viewer, t *store.Talent) bool {
	switch v.Role {
	case auth.RoleAdmin:
		return true
	case auth.RoleMember:
		return (t.SchoolID != nil && *t.SchoolID == v.OrganizationID) || (t.EmployerID != nil && *t.EmployerID == v.OrganizationID)
	}
	return false
}

// PersonalDenied is the error for a personal field v may not see.
func PersonalDenied(v auth.Viewer) error {
	if v.Anonymous() {
		return unauthenticated("see personal data")
	}
	return forbidden("see this talent's personal data")
}

// TalentNameScope is whose talents v may find by name, since names are personal data:
// every talent for ADMIN, a member's own students and employees, none for anyone else.
func TalentNameScope(v auth.Viewer) *store.Scope {
	switch v.Role {
	case auth.RoleAdmin:
		return &store.Scope{All: true}
	case auth.RoleMember:
		return &store.Scope{Organization: v.OrganizationID}
	}
	return nil
}

// ResourceScope is what v may see of the resources: everything for ADMIN; for a MEMBER,
// what is shared with the whole alliance, what it provides and what is shared with it by
// name; for everyone else (ANALYST included: a share names its members, and the
// secretariat's analysts are not among them) only what is shared with the whole
// alliance. Every read of a resource row, and every write on one, goes through the
// store with this scope, so a resource outside it is as absent as one that never
// existed (NOT_FOUND).
func ResourceScope(v auth.Viewer) store.Scope {
	switch v.Role {
	case auth.RoleAdmin:
		return store.Scope{All: true}
	case auth.RoleMember:
		return store.Scope{Organization: v.OrganizationID}
	}
	return store.Scope{}
}

// Audience is all of v that decides what v may see and do: every function of this
// package, the @requires and @personal directives and the resolvers read no more of a
// viewer than its role and organization. Viewers with the same audience are shown the
// same rows and fields; the server resolves a subscription once for all subscribers of
// one audience, running it as the audience itself, so that no part of one subscriber's
// credential (its subject, its expiry) can reach another's answer.
func Audience(v auth.Viewer) auth.Viewer {
	return auth.Viewer{Role: v.Role, OrganizationID: v.OrganizationID}
}

// Visibility is everything v may see, for the loaders of one request.
func Visibility(v auth.Viewer) store.Visibility {
	return store.Visibility{Resources: ResourceScope(v), HiddenEvents: EventKindsHidden(v), Actors: seesActors(v), Bookings: seesBookings(v),
		Secondments: seesSecondments(v), Enrollments: EnrollmentScope(v), Registrations: RegistrationScope(v)}
}

// EnrollmentScope is whose enrolments and certificates v may read: a trainee list names
// people and their results, so ADMIN reads every one; a MEMBER those of the courses it
// provides (its trainee lists) and those of its own students and employees (the
// talents whose personal data it sees); ANALYST and anonymous callers none. The talent
// of an enrolment is shown as everywhere else: personal fields by SeePersonal.
func EnrollmentScope(v auth.Viewer) store.EnrollmentScope {
	switch v.Role {
	case auth.RoleAdmin:
		return store.EnrollmentScope{All: true}
	case auth.RoleMember:
		return store.EnrollmentScope{Organization: v.OrganizationID}
	}
	return store.EnrollmentScope{}
}

// RegistrationScope is whose entries in competitions v may read: an entry names a
// talent and its school or employer, so ADMIN reads every one; a MEMBER those it made
// and those of the editions it organizes (its list of contestants); ANALYST and
// anonymous callers none, and read only how many talents an edition has.
func RegistrationScope(v auth.Viewer) store.RegistrationScope {
	switch v.Role {
	case auth.RoleAdmin:
		return store.RegistrationScope{All: true}
	case auth.RoleMember:
		return store.RegistrationScope{Organization: v.OrganizationID}
	}
	return store.RegistrationScope{}
}

// seesBookings says whether v may read who booked a facility, when and what for: any
// signed-in caller, of the facilities it sees. Anonymous callers see a facility's free
// time only, since a booking tells one member's plans.
func seesBookings(v auth.Viewer) bool { return !v.Anonymous() }

// seesSecondments says whether v may read teacher secondments (which member asks for
// which teacher, when, what for, and the answer): any signed-in caller, of the teachers
// it sees, as with facility bookings. A secondment is an arrangement between members,
// not personal data, and the alliance's members and analysts plan with it; anonymous
// callers see none, since it tells one member's plans.
func seesSecondments(v auth.Viewer) bool { return !v.Anonymous() }

// privateEvents are the event kinds about talents and applications, about invitations
// not (yet) accepted, about facility bookings, about teacher secondments, about talents' competition entries and about a
// talent's way from enrolment to certificate, which anonymous callers do not see.
var privateEvents = []store.EventKind{"APPLICATION_RECORDED", "PLACEMENT_STATUS_CHANGED", "TALENT_ENROLLED", "TALENT_REGISTERED", "TALENT_UPDATED",
	store.EventEmploymentAccepted, store.EventEmploymentDeclined, store.EventParticipantInvited, store.EventInvitationDeclined, store.EventInvitationWithdrawn,
	store.EventFacilityBooked, store.EventBookingCancelled,
	store.EventSecondmentRequested, store.EventSecondmentAccepted, store.EventSecondmentDeclined, store.EventSecondmentCancelled,
	store.EventTalentWaitlisted, store.EventWaitlistPromoted, store.EventEnrollmentDropped, store.EventEnrollmentCompleted, store.EventCertificateIssued,
	store.EventCompetitionRegistered, store.EventCompetitionEntryWithdrawn}

// EventKindsHidden lists the event kinds v may not read.
func EventKindsHidden(v auth.Viewer) []store.EventKind {
	if v.Anonymous() {
		return privateEvents
	}
	return nil
}

// seesActors says whether v may read the credential a change was made with.
func seesActors(v auth.Viewer) bool { return v.Role == auth.RoleAdmin }

// EventActor is who made a change, as v may read it: the token subject or API key for
// ADMIN, and for everyone else only the role it was made with, since a subject or a
// key's prefix identifies a credential.
func EventActor(v auth.Viewer, e *store.Event) string {
	if seesActors(v) || e.ActorRole == "" {
		return e.Actor
	}
	return string(e.ActorRole)
}
