package policy

import (
	"slices"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Consent: naming an organization in a partnership, or a company as a talent's employer,
// binds that organization only when its own word is given. A member's word binds its own
// organization; ADMIN (the secretariat) may answer for any.

// Consents reports whether v's word binds org, so that naming org needs no answer from it.
func Consents(v auth.Viewer, org int64) bool {
	return v.Role == auth.RoleAdmin || (v.Role == auth.RoleMember && v.OrganizationID == org)
}

// SeeInvitation reports whether v may see that org is invited to a partnership whose
// accepted participants are participants: ADMIN, ANALYST, the invited organization and
// the participants. Others are not told whom a proposal named, since naming needs no
// consent.
func SeeInvitation(v auth.Viewer, org int64, participants []int64) bool {
	switch v.Role {
	case auth.RoleAdmin, auth.RoleAnalyst:
		return true
	case auth.RoleMember:
		return v.OrganizationID == org || slices.Contains(participants, v.OrganizationID)
	}
	return false
}

// SeeInvitationsTo reports whether v may list the invitations org has to answer.
func SeeInvitationsTo(v auth.Viewer, org int64) bool { return SeeInvitation(v, org, nil) }

// SeePendingEmployer reports whether v may see which company was named as t's employer
// and has not answered: ADMIN, ANALYST, the talent's school and employer, and that
// company.
func SeePendingEmployer(v auth.Viewer, t *store.Talent) bool {
	if t.PendingEmployerID == nil {
		return false
	}
	switch v.Role {
	case auth.RoleAdmin, auth.RoleAnalyst:
		return true
	case auth.RoleMember:
		for _, id := range []*int64{t.SchoolID, t.EmployerID, t.PendingEmployerID} {
			if id != nil && *id == v.OrganizationID {
				return true
			}
		}
	}
	return false
}

// Denied is the error for a list of consent answers v may not see; what says what.
func Denied(v auth.Viewer, what string) error {
	if v.Anonymous() {
		return unauthenticated(what)
	}
	return forbidden(what)
}
