package graph

import (
	"context"
	"fmt"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// orgInvitations are the invitations org has to answer, for those who may see them.
func orgInvitations(ctx context.Context, org int64) ([]*model.PartnershipInvitation, error) {
	v := auth.ViewerFrom(ctx)
	if !policy.SeeInvitationsTo(v, org) {
		return nil, policy.Denied(v, "see another organization's invitations")
	}
	rows, err := loader.From(ctx).InvitationsTo.Load(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("load invitations to organization %d: %w", org, err)
	}
	return wrapInvitations(rows), nil
}

// partnershipInvitations are the invitations of a partnership that the viewer may see.
func partnershipInvitations(ctx context.Context, partnership int64) ([]*model.PartnershipInvitation, error) {
	l := loader.From(ctx)
	rows, err := l.Invitations.Load(ctx, partnership)
	if err != nil || len(rows) == 0 {
		if err != nil {
			err = fmt.Errorf("load invitations of partnership %d: %w", partnership, err)
		}
		return nil, err
	}
	parts, err := l.Participants.Load(ctx, partnership)
	if err != nil {
		return nil, fmt.Errorf("load participants of partnership %d: %w", partnership, err)
	}
	orgs := make([]int64, len(parts))
	for i, p := range parts {
		orgs[i] = p.OrganizationID
	}
	v := auth.ViewerFrom(ctx)
	var visible []store.Invitation
	for _, i := range rows {
		if policy.SeeInvitation(v, i.OrganizationID, orgs) {
			visible = append(visible, i)
		}
	}
	return wrapInvitations(visible), nil
}

func wrapInvitations(rows []store.Invitation) []*model.PartnershipInvitation {
	out := make([]*model.PartnershipInvitation, len(rows))
	for i := range rows {
		out[i] = &model.PartnershipInvitation{Invitation: rows[i]}
	}
	return out
}

// pendingEmployees are the talents waiting for company's answer, for those who may see
// them.
func pendingEmployees(ctx context.Context, company int64, first *int, after *string, last *int, before *string, filter *model.TalentFilter, orderBy *model.Order) (*model.TalentConnection, error) {
	v := auth.ViewerFrom(ctx)
	if !policy.SeeInvitationsTo(v, company) {
		return nil, policy.Denied(v, "see who named another company as employer")
	}
	return nestedTalents(ctx, store.TalentsPendingFor, company, first, after, last, before, filter, orderBy)
}
