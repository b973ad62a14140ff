package change

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// ParticipantInput is an organization taking part in a new partnership.
type ParticipantInput struct {
	OrganizationID string
	Role           store.ParticipantRole
}

// ProposePartnershipInput proposes a partnership.
type ProposePartnershipInput struct {
	AllianceID   string
	Title        Bilingual
	Kind         store.PartnershipKind
	Description  *string
	StartsOn     *time.Time
	EndsOn       *time.Time
	Participants []ParticipantInput
}

// UpdatePartnershipInput changes a partnership's texts and dates.
type UpdatePartnershipInput struct {
	ID          string
	Version     int
	Title       *Bilingual
	Description *string
	StartsOn    *time.Time
	EndsOn      *time.Time
}

// SignPartnershipInput signs a proposed partnership.
type SignPartnershipInput struct {
	ID       string
	Version  int
	SignedOn *time.Time
}

// ChangePartnershipStatusInput moves a partnership to another status.
type ChangePartnershipStatusInput struct {
	ID       string
	Version  int
	Status   store.PartnershipStatus
	SignedOn *time.Time
}

// AddPartnershipParticipantInput adds an organization to a partnership.
type AddPartnershipParticipantInput struct {
	PartnershipID  string
	Version        int
	OrganizationID string
	Role           store.ParticipantRole
}

// RemovePartnershipParticipantInput removes an organization from a partnership.
type RemovePartnershipParticipantInput struct {
	PartnershipID  string
	Version        int
	OrganizationID string
}

// AnswerPartnershipInvitationInput is an invited organization's answer.
type AnswerPartnershipInvitationInput struct {
	PartnershipID  string
	Version        int
	OrganizationID string
}

// MaxNamed is how many organizations one proposal may name, the proposer included. The
// alliance's partnerships have two to five participants; a proposal naming dozens is the
// spam the issue saw (one member named 49). Larger projects grow by
// addPartnershipParticipant, whose invitations MaxPendingInvitations bounds.
const MaxNamed = 20

// MaxPendingInvitations is how many invitations one partnership may have waiting for an
// answer at once.
const MaxPendingInvitations = MaxNamed

// partnershipMoves are the allowed status transitions.
var partnershipMoves = map[store.PartnershipStatus][]store.PartnershipStatus{
	"PROPOSED": {"SIGNED", "TERMINATED"},
	"SIGNED":   {"ACTIVE", "TERMINATED"},
	"ACTIVE":   {"COMPLETED", "TERMINATED"},
}

// ProposePartnership proposes a partnership (ADMIN, or MEMBER taking part in it). A
// member's own organization takes part at once; every other organization it names is
// invited and takes part only when it accepts. ADMIN's proposals need no answers.
func (s *Service) ProposePartnership(ctx context.Context, in ProposePartnershipInput) (*store.Partnership, error) {
	var p problems
	pt := &store.Partnership{Kind: in.Kind, Status: "PROPOSED", StartsOn: in.StartsOn, EndsOn: in.EndsOn}
	pt.AllianceID = p.key("allianceId", relay.TypeAlliance, in.AllianceID)
	pt.TitleEn, pt.TitleZh = p.bilingual("title", in.Title)
	pt.Description = p.text("description", deref(in.Description), false, maxDescription)
	p.ordered("endsOn", in.StartsOn, in.EndsOn)
	var parts []store.Participant
	var orgs []int64
	leads := 0
	for i, pi := range in.Participants {
		org := p.key(fmt.Sprintf("participants.%d.organizationId", i), relay.TypeOrganization, pi.OrganizationID)
		if slices.Contains(orgs, org) {
			p.add(Duplicate, fmt.Sprintf("participants.%d.organizationId", i), "names an organization twice")
		}
		orgs = append(orgs, org)
		if pi.Role == "LEAD" {
			leads++
		}
		parts = append(parts, store.Participant{OrganizationID: org, Role: pi.Role})
	}
	if len(parts) < 2 || len(parts) > MaxNamed {
		p.add(OutOfRange, "participants", "must name 2 to %d organizations (got %d)", MaxNamed, len(parts))
	}
	if leads != 1 {
		p.add(Invalid, "participants", "must have exactly one LEAD (got %d)", leads)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	if err := policy.ActFor(v, "propose partnerships", orgs...); err != nil {
		return nil, err
	}
	var joining []store.Participant
	var invited []store.Invitation
	for _, pp := range parts {
		if policy.Consents(v, pp.OrganizationID) {
			joining = append(joining, pp)
		} else {
			invited = append(invited, store.Invitation{OrganizationID: pp.OrganizationID, Role: pp.Role, InvitedOn: s.today()})
		}
	}
	err := s.tx(ctx, func(tx *store.Tx) error {
		if err := p.exist(ctx, tx, "alliance", "allianceId", []int64{pt.AllianceID}); err != nil {
			return err
		}
		if err := p.organizations(ctx, tx, "participants", orgs); err != nil {
			return err
		}
		if err := p.err(); err != nil {
			return err
		}
		id, err := tx.CreatePartnership(ctx, pt, joining)
		if err != nil {
			return err
		}
		for _, inv := range invited {
			inv.PartnershipID = id
			if err := tx.Invite(ctx, inv); err != nil {
				return err
			}
		}
		if err := s.event(ctx, tx, store.EventPartnershipProposed, &pt.AllianceID, relay.ID(relay.TypePartnership, id),
			map[string]any{"kind": pt.Kind, "participants": len(joining), "invited": len(invited)}); err != nil {
			return err
		}
		pt, err = tx.Partnership(ctx, id)
		return err
	})
	return pt, err
}

// UpdatePartnership changes a partnership's texts and dates (ADMIN, or a participant).
func (s *Service) UpdatePartnership(ctx context.Context, in UpdatePartnershipInput) (*store.Partnership, error) {
	return s.changePartnership(ctx, "id", in.ID, in.Version, false, func(p *problems, tx *store.Tx, pt *store.Partnership) (store.EventKind, map[string]any, error) {
		if in.Title != nil {
			pt.TitleEn, pt.TitleZh = p.bilingual("title", *in.Title)
		}
		if in.Description != nil {
			pt.Description = p.text("description", *in.Description, false, maxDescription)
		}
		set(&pt.StartsOn, in.StartsOn)
		set(&pt.EndsOn, in.EndsOn)
		p.ordered("endsOn", pt.StartsOn, pt.EndsOn)
		return store.EventPartnershipUpdated, nil, nil
	})
}

// SignPartnership signs a proposed partnership (ADMIN, or its lead).
func (s *Service) SignPartnership(ctx context.Context, in SignPartnershipInput) (*store.Partnership, error) {
	return s.ChangePartnershipStatus(ctx, ChangePartnershipStatusInput{ID: in.ID, Version: in.Version, Status: "SIGNED", SignedOn: in.SignedOn})
}

// ChangePartnershipStatus moves a partnership on (ADMIN, or its lead). It is signed and
// started only by consent: while any organization it names has not answered, or with
// fewer than two participants or no lead, it stays where it is.
func (s *Service) ChangePartnershipStatus(ctx context.Context, in ChangePartnershipStatusInput) (*store.Partnership, error) {
	return s.changePartnership(ctx, "id", in.ID, in.Version, true, func(p *problems, tx *store.Tx, pt *store.Partnership) (store.EventKind, map[string]any, error) {
		if !slices.Contains(partnershipMoves[pt.Status], in.Status) {
			p.add(InvalidTransition, "status", "a %s partnership cannot become %s", pt.Status, in.Status)
		} else if in.Status == "SIGNED" || in.Status == "ACTIVE" {
			if err := s.agreed(ctx, p, tx, pt, in.Status); err != nil {
				return "", nil, err
			}
		}
		from := pt.Status
		pt.Status = in.Status
		if in.Status == "SIGNED" {
			signed := s.today()
			if in.SignedOn != nil {
				signed = *in.SignedOn
			}
			pt.SignedOn = &signed
		} else if in.SignedOn != nil {
			p.add(Invalid, "signedOn", "applies only when the new status is SIGNED")
		}
		return store.EventPartnershipStatusChanged, map[string]any{"from": from, "to": in.Status}, nil
	})
}

// agreed records a user error unless pt may become status: no invitation is waiting for
// an answer, at least two organizations take part, and one of them leads.
func (s *Service) agreed(ctx context.Context, p *problems, tx *store.Tx, pt *store.Partnership, status store.PartnershipStatus) error {
	invs, err := tx.Invitations(ctx, pt.ID)
	if err != nil {
		return err
	}
	var pending []int64
	for _, i := range invs {
		if i.Status == store.InvitationPending {
			pending = append(pending, i.OrganizationID)
		}
	}
	if len(pending) > 0 {
		names, err := tx.OrganizationNames(ctx, pending)
		if err != nil {
			return err
		}
		named := make([]string, len(pending))
		for i, id := range pending {
			named[i] = fmt.Sprintf("%s (%s)", names[id], relay.ID(relay.TypeOrganization, id))
		}
		p.add(PendingInvitations, "id", "cannot become %s while %d invited organizations have not answered: %s; they accept or decline, or the lead withdraws their invitations with removePartnershipParticipant",
			status, len(pending), strings.Join(named, ", "))
		return nil
	}
	parts, err := tx.Participants(ctx, pt.ID)
	if err != nil {
		return err
	}
	if len(parts) < 2 {
		p.add(OutOfRange, "id", "cannot become %s with %d participant; a partnership needs at least two", status, len(parts))
	} else if !slices.ContainsFunc(parts, func(x store.Participant) bool { return x.Role == "LEAD" }) {
		p.add(Invalid, "id", "cannot become %s without a lead: the invited lead declined", status)
	}
	return nil
}

// AddPartnershipParticipant adds an organization to a partnership (ADMIN, or its lead).
// A lead's addition is an invitation, which the organization accepts or declines.
func (s *Service) AddPartnershipParticipant(ctx context.Context, in AddPartnershipParticipantInput) (*store.Partnership, error) {
	return s.changePartnership(ctx, "partnershipId", in.PartnershipID, in.Version, true, func(p *problems, tx *store.Tx, pt *store.Partnership) (store.EventKind, map[string]any, error) {
		org := p.key("organizationId", relay.TypeOrganization, in.OrganizationID)
		if in.Role == "LEAD" {
			p.add(Invalid, "role", "a partnership has one lead; add PARTNER or SPONSOR")
		}
		if closed(pt.Status) {
			p.add(InvalidTransition, "partnershipId", "a %s partnership takes no new participants", pt.Status)
		}
		if err := p.err(); err != nil {
			return "", nil, err
		}
		if err := p.organizations(ctx, tx, "organizationId", []int64{org}); err != nil || p.err() != nil {
			return "", nil, errors.Join(err, p.err())
		}
		parts, err := tx.Participants(ctx, pt.ID)
		if err != nil {
			return "", nil, err
		}
		if slices.ContainsFunc(parts, func(x store.Participant) bool { return x.OrganizationID == org }) {
			return "", nil, refuse(Duplicate, "organizationId", "already takes part")
		}
		invs, err := tx.Invitations(ctx, pt.ID)
		if err != nil {
			return "", nil, err
		}
		pending := 0
		for _, i := range invs {
			if i.Status != store.InvitationPending {
				continue
			}
			if i.OrganizationID == org {
				return "", nil, refuse(Duplicate, "organizationId", "is already invited; it (or ADMIN on its behalf) answers with acceptPartnershipInvitation")
			}
			pending++
		}
		payload := map[string]any{"organization": in.OrganizationID, "role": in.Role}
		if policy.Consents(auth.ViewerFrom(ctx), org) {
			err := tx.AddParticipant(ctx, store.Participant{PartnershipID: pt.ID, OrganizationID: org, Role: in.Role, JoinedOn: ptr(s.today())})
			return store.EventParticipantAdded, payload, err
		}
		if pending >= MaxPendingInvitations {
			return "", nil, refuse(OutOfRange, "organizationId", "the partnership already has %d invitations waiting for an answer, the most it may have", pending)
		}
		err = tx.Invite(ctx, store.Invitation{PartnershipID: pt.ID, OrganizationID: org, Role: in.Role, InvitedOn: s.today()})
		if errors.Is(err, store.ErrDuplicate) {
			return "", nil, refuse(Duplicate, "organizationId", "is already invited")
		}
		return store.EventParticipantInvited, payload, err
	})
}

// RemovePartnershipParticipant removes an organization from a partnership (ADMIN, or
// its lead), or withdraws its invitation if it has not answered. The lead stays, and so
// do at least two participants.
func (s *Service) RemovePartnershipParticipant(ctx context.Context, in RemovePartnershipParticipantInput) (*store.Partnership, error) {
	return s.changePartnership(ctx, "partnershipId", in.PartnershipID, in.Version, true, func(p *problems, tx *store.Tx, pt *store.Partnership) (store.EventKind, map[string]any, error) {
		org := p.key("organizationId", relay.TypeOrganization, in.OrganizationID)
		if err := p.err(); err != nil {
			return "", nil, err
		}
		parts, err := tx.Participants(ctx, pt.ID)
		if err != nil {
			return "", nil, err
		}
		i := slices.IndexFunc(parts, func(x store.Participant) bool { return x.OrganizationID == org })
		if i < 0 {
			withdrawn, err := tx.WithdrawInvitation(ctx, pt.ID, org)
			if err != nil || withdrawn {
				return store.EventInvitationWithdrawn, map[string]any{"organization": in.OrganizationID}, err
			}
		}
		switch {
		case i < 0:
			p.add(NotFound, "organizationId", "neither takes part in this partnership nor has an invitation pending")
		case parts[i].Role == "LEAD":
			p.add(Invalid, "organizationId", "is the lead, who cannot leave")
		case len(parts) <= 2:
			p.add(OutOfRange, "organizationId", "a partnership keeps at least two participants")
		}
		if err := p.err(); err != nil {
			return "", nil, err
		}
		return store.EventParticipantRemoved, map[string]any{"organization": in.OrganizationID}, tx.RemoveParticipant(ctx, pt.ID, org)
	})
}

// AcceptPartnershipInvitation makes an invited organization a participant (ADMIN, or a
// member acting for that organization).
func (s *Service) AcceptPartnershipInvitation(ctx context.Context, in AnswerPartnershipInvitationInput) (*store.Partnership, error) {
	return s.answerInvitation(ctx, in, store.InvitationAccepted)
}

// DeclinePartnershipInvitation records that an invited organization will not take part
// (ADMIN, or a member acting for that organization).
func (s *Service) DeclinePartnershipInvitation(ctx context.Context, in AnswerPartnershipInvitationInput) (*store.Partnership, error) {
	return s.answerInvitation(ctx, in, store.InvitationDeclined)
}

func (s *Service) answerInvitation(ctx context.Context, in AnswerPartnershipInvitationInput, answer store.InvitationStatus) (*store.Partnership, error) {
	var p problems
	id := p.key("partnershipId", relay.TypePartnership, in.PartnershipID)
	org := p.key("organizationId", relay.TypeOrganization, in.OrganizationID)
	if err := p.err(); err != nil {
		return nil, err
	}
	// Checked before anything is read, so that a caller answering for another
	// organization learns nothing about its invitations.
	if err := policy.ActFor(auth.ViewerFrom(ctx), "answer invitations", org); err != nil {
		return nil, err
	}
	var pt *store.Partnership
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		pt, err = tx.Partnership(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NotFound, "partnershipId", "no partnership has this ID")
		} else if err != nil {
			return err
		}
		if answer == store.InvitationAccepted && closed(pt.Status) {
			return refuse(InvalidTransition, "partnershipId", "a %s partnership takes no new participants", pt.Status)
		}
		inv, err := tx.AnswerInvitation(ctx, id, org, answer, s.today())
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NotFound, "organizationId", "has no invitation to this partnership waiting for an answer")
		} else if err != nil {
			return err
		}
		kind := store.EventInvitationDeclined
		if answer == store.InvitationAccepted {
			kind = store.EventInvitationAccepted
			// Those who accept before the signing join with it; joinedOn is for later arrivals.
			var joined *time.Time
			if pt.Status != "PROPOSED" {
				joined = ptr(s.today())
			}
			if err := tx.AddParticipant(ctx, store.Participant{PartnershipID: id, OrganizationID: org, Role: inv.Role, JoinedOn: joined}); err != nil {
				return fmt.Errorf("add accepting organization %d to partnership %d: %w", org, id, err)
			}
		}
		pt.Version = in.Version
		if err := tx.UpdatePartnership(ctx, pt); err != nil {
			return err
		}
		if err := s.event(ctx, tx, kind, &pt.AllianceID, in.PartnershipID, map[string]any{"organization": in.OrganizationID, "role": inv.Role}); err != nil {
			return err
		}
		pt, err = tx.Partnership(ctx, id)
		return err
	})
	return pt, err
}

func closed(s store.PartnershipStatus) bool { return s == "COMPLETED" || s == "TERMINATED" }

// changePartnership reads a partnership, checks that the caller acts for its lead (or
// any participant unless leadOnly), lets apply change it, then writes it with its event.
func (s *Service) changePartnership(ctx context.Context, field, gid string, version int, leadOnly bool,
	apply func(*problems, *store.Tx, *store.Partnership) (store.EventKind, map[string]any, error)) (*store.Partnership, error) {
	var p problems
	id := p.key(field, relay.TypePartnership, gid)
	if err := p.err(); err != nil {
		return nil, err
	}
	var pt *store.Partnership
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if pt, err = tx.Partnership(ctx, id); err != nil {
			return err
		}
		parts, err := tx.Participants(ctx, id)
		if err != nil {
			return err
		}
		var allowed []int64
		for _, x := range parts {
			if !leadOnly || x.Role == "LEAD" {
				allowed = append(allowed, x.OrganizationID)
			}
		}
		what := "change partnerships you do not take part in"
		if leadOnly {
			what = "change partnerships you do not lead"
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), what, allowed...); err != nil {
			return err
		}
		pt.Version = version
		kind, payload, err := apply(&p, tx, pt)
		if err != nil {
			return err
		}
		if err := p.err(); err != nil {
			return err
		}
		if err := tx.UpdatePartnership(ctx, pt); err != nil {
			return err
		}
		if err := s.event(ctx, tx, kind, &pt.AllianceID, gid, payload); err != nil {
			return err
		}
		pt, err = tx.Partnership(ctx, id)
		return err
	})
	return pt, err
}
