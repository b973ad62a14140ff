package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// MaxPendingInvitationsListed bounds an organization's list of invitations to answer:
// proposals are cheap to make, and the list is read with every directory page that
// selects it.
const MaxPendingInvitationsListed = 100

// InvitationsOf lists each partnership's invitations, pending first, then by role (lead
// first) and organization name. Whom a viewer may see is decided by the caller.
func (s *Store) InvitationsOf(ctx context.Context, partnerships []int64) (map[int64][]Invitation, error) {
	return groupBy(ctx, s, "invitations", `
		SELECT i.* FROM partnership_invitation i JOIN organization o ON o.id = i.organization_id
		WHERE i.partnership_id = ANY($1)
		ORDER BY i.status <> 'PENDING', array_position(ARRAY['LEAD','PARTNER','SPONSOR'], i.role), o.name_en COLLATE name_order, o.id`,
		partnerships, func(i *Invitation) int64 { return i.PartnershipID })
}

// PendingInvitationsTo lists, per organization, the invitations it has not answered,
// newest first, at most MaxPendingInvitationsListed each.
func (s *Store) PendingInvitationsTo(ctx context.Context, orgs []int64) (map[int64][]Invitation, error) {
	return groupBy(ctx, s, "pending invitations", fmt.Sprintf(`
		SELECT i.* FROM unnest($1::bigint[]) AS q(org) CROSS JOIN LATERAL (
			SELECT * FROM partnership_invitation x
			WHERE x.organization_id = q.org AND x.status = 'PENDING'
			ORDER BY x.invited_on DESC, x.partnership_id DESC LIMIT %d) i`, MaxPendingInvitationsListed),
		orgs, func(i *Invitation) int64 { return i.OrganizationID })
}

// Invitations reads a partnership's invitations, locking them until the transaction
// ends so that an answer cannot slip past a signing that checked them.
func (t *Tx) Invitations(ctx context.Context, partnership int64) ([]Invitation, error) {
	var out []Invitation
	if err := t.selectRows(ctx, &out, "SELECT * FROM partnership_invitation WHERE partnership_id = $1 ORDER BY organization_id FOR UPDATE", partnership); err != nil {
		return nil, fmt.Errorf("read invitations of partnership %d: %w", partnership, err)
	}
	return out, nil
}

// Invite records an invitation of an organization to a partnership. An organization
// that declined may be invited again; ErrDuplicate when it has an invitation pending or
// accepted.
func (t *Tx) Invite(ctx context.Context, i Invitation) error {
	res, err := t.exec(ctx, `INSERT INTO partnership_invitation (partnership_id, organization_id, role, invited_on) VALUES ($1, $2, $3, $4)
		ON CONFLICT (partnership_id, organization_id) DO UPDATE
			SET status = 'PENDING', role = EXCLUDED.role, invited_on = EXCLUDED.invited_on, answered_on = NULL
			WHERE partnership_invitation.status = 'DECLINED'`,
		i.PartnershipID, i.OrganizationID, string(i.Role), i.InvitedOn)
	if err != nil {
		return fmt.Errorf("invite organization %d to partnership %d: %w", i.OrganizationID, i.PartnershipID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrDuplicate
	}
	return nil
}

// AnswerInvitation records an organization's answer to its pending invitation and
// returns the invitation as answered; ErrNotFound when none is pending.
func (t *Tx) AnswerInvitation(ctx context.Context, partnership, org int64, answer InvitationStatus, on time.Time) (*Invitation, error) {
	var i Invitation
	err := t.get(ctx, &i, `UPDATE partnership_invitation SET status = $3, answered_on = $4
		WHERE partnership_id = $1 AND organization_id = $2 AND status = 'PENDING' RETURNING *`, partnership, org, string(answer), on)
	if err != nil {
		return nil, fmt.Errorf("answer the invitation of organization %d to partnership %d: %w", org, partnership, err)
	}
	return &i, nil
}

// WithdrawInvitation removes an organization's pending invitation and reports whether
// there was one.
func (t *Tx) WithdrawInvitation(ctx context.Context, partnership, org int64) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM partnership_invitation WHERE partnership_id = $1 AND organization_id = $2 AND status = 'PENDING'", partnership, org)
	if err != nil {
		return false, fmt.Errorf("withdraw the invitation of organization %d to partnership %d: %w", org, partnership, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// OrganizationNames returns the English names of those of ids that exist.
func (t *Tx) OrganizationNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	var rows []struct {
		ID   int64  `db:"id"`
		Name string `db:"name_en"`
	}
	if err := t.selectRows(ctx, &rows, "SELECT id, name_en FROM organization WHERE id = ANY($1)", pq.Int64Array(ids)); err != nil {
		return nil, fmt.Errorf("read names of organizations %v: %w", ids, err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
