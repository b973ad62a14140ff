package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// maxNodes caps nodes(ids:), like the page size caps connections.
const maxNodes = relay.MaxPageSize

// node resolves a global ID through the loader of its type, so that nodes(ids:) and
// many node(id:) fields in one query share batches.
func node(ctx context.Context, field, id string) (model.Node, error) {
	t, key, err := relay.ParseID(id)
	if err != nil {
		return nil, errcode.BadInput(field, "is not an ID issued by this API")
	}
	l := loader.From(ctx)
	var n model.Node
	switch t {
	case relay.TypeAlliance:
		n, err = one(ctx, l.Alliance, key, "alliance", wrapAlliance)
	case relay.TypeOrganization:
		n, err = one(ctx, l.Organization, key, "organization", wrapOrganization)
	case relay.TypeMembership:
		n, err = one(ctx, l.Membership, key, "membership", wrapMembership)
	case relay.TypePartnership:
		n, err = one(ctx, l.Partnership, key, "partnership", wrapPartnership)
	case relay.TypeTrainingCenter:
		n, err = one(ctx, l.TrainingCenter, key, "training centre", wrapCenter)
	case relay.TypeResource:
		// The loader sees only what the viewer may: a resource shared with named members
		// only is NOT_FOUND to everyone else, as if it did not exist.
		n, err = one(ctx, l.Resource, key, "resource", wrapResource)
	case relay.TypeSkill:
		n, err = one(ctx, l.Skill, key, "skill", wrapSkill)
	case relay.TypeTalent:
		n, err = one(ctx, l.Talent, key, "talent", wrapTalent)
	case relay.TypePlacement:
		n, err = one(ctx, l.Placement, key, "placement", wrapPlacement)
	case relay.TypeEvent:
		n, err = one(ctx, l.Event, key, "event", wrapEvent)
	case relay.TypeBooking:
		// Only signed-in viewers see bookings, of the facilities they see.
		n, err = one(ctx, l.Booking, key, "facility booking", wrapBooking)
	case relay.TypeSecondment:
		// Only signed-in viewers see secondments, of the teachers they see.
		n, err = one(ctx, l.Secondment, key, "secondment", wrapSecondment)
	case relay.TypeEnrollment:
		// Enrolments and certificates name people: only within the viewer's enrolment scope.
		n, err = one(ctx, l.Enrollment, key, "enrollment", wrapEnrollment)
	case relay.TypeCertificate:
		n, err = one(ctx, l.Certificate, key, "certificate", wrapCertificate)
	case relay.TypeCompetition:
		n, err = one(ctx, l.Competition, key, "competition", wrapCompetition)
	case relay.TypeRegistration:
		// Entries name talents: only within the viewer's registration scope.
		n, err = one(ctx, l.Registration, key, "competition registration", wrapRegistration)
	default:
		return nil, fmt.Errorf("no loader for node type %s", t)
	}
	var ce *errcode.Error
	if errors.As(err, &ce) && ce.Code == errcode.NotFound {
		return nil, errcode.Missing("nothing has the ID %q", id)
	}
	return n, err
}

// alliance resolves the alliance(id:, slug:) root field.
func (r *queryResolver) allianceBy(ctx context.Context, id, slug *string) (*model.Alliance, error) {
	switch {
	case id != nil && slug != nil:
		return nil, errcode.BadInput("slug", "cannot be combined with \"id\"; give one of them")
	case id != nil:
		key, err := relay.ParseIDOf(relay.TypeAlliance, *id)
		if err != nil {
			return nil, errcode.BadInput("id", "is not the ID of an alliance")
		}
		a, err := one(ctx, loader.From(ctx).Alliance, key, "alliance", wrapAlliance)
		var ce *errcode.Error
		if errors.As(err, &ce) && ce.Code == errcode.NotFound {
			return nil, errcode.Missing("no alliance has the ID %q", *id)
		}
		return a, err
	case slug != nil:
		a, err := r.Store.AllianceBySlug(ctx, *slug)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errcode.Missing("no alliance has the slug %q", *slug)
		}
		if err != nil {
			return nil, err
		}
		return wrapAlliance(a), nil
	default:
		a, err := r.Store.FirstAlliance(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errcode.Missing("this server holds no alliance yet")
		}
		if err != nil {
			return nil, err
		}
		return wrapAlliance(a), nil
	}
}
