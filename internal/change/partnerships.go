package change

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// partnershipMoves are the allowed status transitions.
var partnershipMoves = map[store.PartnershipStatus][]store.PartnershipStatus{
	"PROPOSED": {"SIGNED", "TERMINATED"},
	"SIGNED":   {"ACTIVE", "TERMINATED"},
	"ACTIVE":   {"COMPLETED", "TERMINATED"},
}

// ProposePartnership proposes a partnership (ADMIN, or MEMBER taking part in it).
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
	if len(parts) < 2 || len(parts) > 50 {
		p.add(OutOfRange, "participants", "must name 2 to 50 organizations (got %d)", len(parts))
	}
	if leads != 1 {
		p.add(Invalid, "participants", "must have exactly one LEAD (got %d)", leads)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := policy.ActFor(auth.ViewerFrom(ctx), "propose partnerships", orgs...); err != nil {
		return nil, err
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
		id, err := tx.CreatePartnership(ctx, pt, parts)
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, "PARTNERSHIP_PROPOSED", &pt.AllianceID, relay.ID(relay.TypePartnership, id),
			map[string]any{"kind": pt.Kind, "participants": len(parts)}); err != nil {
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
		return "PARTNERSHIP_UPDATED", nil, nil
	})
}

// SignPartnership signs a proposed partnership (ADMIN, or its lead).
func (s *Service) SignPartnership(ctx context.Context, in SignPartnershipInput) (*store.Partnership, error) {
	return s.ChangePartnershipStatus(ctx, ChangePartnershipStatusInput{ID: in.ID, Version: in.Version, Status: "SIGNED", SignedOn: in.SignedOn})
}

// ChangePartnershipStatus moves a partnership on (ADMIN, or its lead).
func (s *Service) ChangePartnershipStatus(ctx context.Context, in ChangePartnershipStatusInput) (*store.Partnership, error) {
	return s.changePartnership(ctx, "id", in.ID, in.Version, true, func(p *problems, tx *store.Tx, pt *store.Partnership) (store.EventKind, map[string]any, error) {
		if !slices.Contains(partnershipMoves[pt.Status], in.Status) {
			p.add(InvalidTransition, "status", "a %s partnership cannot become %s", pt.Status, in.Status)
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
		return "PARTNERSHIP_STATUS_CHANGED", map[string]any{"from": from, "to": in.Status}, nil
	})
}

// AddPartnershipParticipant adds an organization to a partnership (ADMIN, or its lead).
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
		err := tx.AddParticipant(ctx, store.Participant{PartnershipID: pt.ID, OrganizationID: org, Role: in.Role, JoinedOn: ptr(s.today())})
		if errors.Is(err, store.ErrDuplicate) {
			return "", nil, refuse(Duplicate, "organizationId", "already takes part")
		}
		return "PARTICIPANT_ADDED", map[string]any{"organization": in.OrganizationID, "role": in.Role}, err
	})
}

// RemovePartnershipParticipant removes an organization from a partnership (ADMIN, or
// its lead). The lead stays, and so do at least two participants.
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
		switch {
		case i < 0:
			p.add(NotFound, "organizationId", "does not take part in this partnership")
		case parts[i].Role == "LEAD":
			p.add(Invalid, "organizationId", "is the lead, who cannot leave")
		case len(parts) <= 2:
			p.add(OutOfRange, "organizationId", "a partnership keeps at least two participants")
		}
		if err := p.err(); err != nil {
			return "", nil, err
		}
		return "PARTICIPANT_REMOVED", map[string]any{"organization": in.OrganizationID}, tx.RemoveParticipant(ctx, pt.ID, org)
	})
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
