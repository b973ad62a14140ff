package change

import (
	"context"
	"errors"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// AdmitMemberInput admits an organization to an alliance.
type AdmitMemberInput struct {
	AllianceID     string
	OrganizationID string
	Role           store.MembershipRole
	JoinedOn       *time.Time
}

// ChangeMemberRoleInput changes a member's role.
type ChangeMemberRoleInput struct {
	ID      string
	Version int
	Role    store.MembershipRole
}

// RecordMemberLeavingInput records a member's leaving.
type RecordMemberLeavingInput struct {
	ID      string
	Version int
	LeftOn  *time.Time
}

// AdmitMember admits an organization to an alliance (ADMIN).
func (s *Service) AdmitMember(ctx context.Context, in AdmitMemberInput) (*store.Membership, error) {
	if err := policy.Admin(auth.ViewerFrom(ctx), "admit members"); err != nil {
		return nil, err
	}
	var p problems
	m := &store.Membership{Role: in.Role, JoinedOn: s.today()}
	m.AllianceID = p.key("allianceId", relay.TypeAlliance, in.AllianceID)
	m.OrganizationID = p.key("organizationId", relay.TypeOrganization, in.OrganizationID)
	if in.JoinedOn != nil {
		m.JoinedOn = *in.JoinedOn
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *store.Tx) error {
		if err := p.exist(ctx, tx, "alliance", "allianceId", []int64{m.AllianceID}); err != nil {
			return err
		}
		if err := p.organizations(ctx, tx, "organizationId", []int64{m.OrganizationID}); err != nil {
			return err
		}
		if err := p.err(); err != nil {
			return err
		}
		id, err := tx.CreateMembership(ctx, m)
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(Duplicate, "organizationId", "is already a member of this alliance")
		}
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, store.EventMemberAdmitted, &m.AllianceID, relay.ID(relay.TypeMembership, id),
			map[string]any{"organization": in.OrganizationID, "role": m.Role}); err != nil {
			return err
		}
		m, err = tx.Membership(ctx, id)
		return err
	})
	return m, err
}

// ChangeMemberRole changes a member's role (ADMIN).
func (s *Service) ChangeMemberRole(ctx context.Context, in ChangeMemberRoleInput) (*store.Membership, error) {
	if err := policy.Admin(auth.ViewerFrom(ctx), "change member roles"); err != nil {
		return nil, err
	}
	return s.changeMembership(ctx, in.ID, in.Version, nil, func(p *problems, m *store.Membership) (store.EventKind, map[string]any) {
		if m.LeftOn != nil {
			p.add(InvalidTransition, "id", "the member left on %s", m.LeftOn.Format(time.DateOnly))
		}
		m.Role = in.Role
		return store.EventMemberRoleChanged, map[string]any{"role": in.Role}
	})
}

// RecordMemberLeaving records that a member left (ADMIN, or MEMBER for itself).
func (s *Service) RecordMemberLeaving(ctx context.Context, in RecordMemberLeavingInput) (*store.Membership, error) {
	return s.changeMembership(ctx, in.ID, in.Version, func(m *store.Membership) error {
		return policy.ActFor(auth.ViewerFrom(ctx), "record members leaving", m.OrganizationID)
	}, func(p *problems, m *store.Membership) (store.EventKind, map[string]any) {
		left := s.today()
		if in.LeftOn != nil {
			left = *in.LeftOn
		}
		if m.LeftOn != nil {
			p.add(InvalidTransition, "id", "the member already left on %s", m.LeftOn.Format(time.DateOnly))
		}
		p.ordered("leftOn", &m.JoinedOn, &left)
		m.LeftOn = &left
		return store.EventMemberLeft, map[string]any{"leftOn": left.Format(time.DateOnly)}
	})
}

// changeMembership reads a membership, lets allow refuse the caller, lets apply change
// it, and writes it with its event.
func (s *Service) changeMembership(ctx context.Context, gid string, version int, allow func(*store.Membership) error,
	apply func(*problems, *store.Membership) (store.EventKind, map[string]any)) (*store.Membership, error) {
	var p problems
	id := p.key("id", relay.TypeMembership, gid)
	if err := p.err(); err != nil {
		return nil, err
	}
	var m *store.Membership
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if m, err = tx.Membership(ctx, id); err != nil {
			return err
		}
		if allow != nil {
			if err := allow(m); err != nil {
				return err
			}
		}
		m.Version = version
		kind, payload := apply(&p, m)
		if err := p.err(); err != nil {
			return err
		}
		if err := tx.UpdateMembership(ctx, m); err != nil {
			return err
		}
		if err := s.event(ctx, tx, kind, &m.AllianceID, gid, payload); err != nil {
			return err
		}
		m, err = tx.Membership(ctx, id)
		return err
	})
	return m, err
}
