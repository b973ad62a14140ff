package change

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/secondment"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// RequestSecondmentInput asks for a shared teacher for a period and hours.
type RequestSecondmentInput struct {
	TeacherID string
	// RequesterID is the member asking; a MEMBER's own organization when omitted.
	RequesterID *string
	From        time.Time
	To          time.Time
	Hours       int
	Purpose     string
	// IdempotencyKey makes a retry of the same request return the secondment it made.
	IdempotencyKey *string
}

// DecideSecondmentInput answers a request for a teacher.
type DecideSecondmentInput struct {
	ID      string
	Version int
	Accept  bool
	Note    *string
}

// CancelSecondmentInput cancels a secondment.
type CancelSecondmentInput struct {
	ID      string
	Version int
}

const maxDecisionNote = 1000

// RequestSecondment asks, for a member, for a teacher another member shares with it,
// for the days [from, to] and a number of teaching hours. Requests for the same days
// may compete: the teacher's organization accepts one (DecideSecondment). A request
// repeated with the same idempotency key returns the secondment the first made, and
// writes nothing more.
func (s *Service) RequestSecondment(ctx context.Context, in RequestSecondmentInput) (*store.Secondment, error) {
	v := auth.ViewerFrom(ctx)
	var p problems
	teacher := p.key("teacherId", relay.TypeResource, in.TeacherID)
	var requester int64
	switch {
	case in.RequesterID != nil:
		requester = p.key("requesterId", relay.TypeOrganization, *in.RequesterID)
	case v.Role == auth.RoleMember:
		requester = v.OrganizationID
	case !v.Anonymous():
		p.add(Required, "requesterId", "names the member asking for the teacher; only a MEMBER's token implies it")
	}
	sec := &store.Secondment{TeacherID: teacher, RequesterID: requester, From: in.From, To: in.To, Hours: in.Hours,
		Purpose: p.text("purpose", in.Purpose, true, maxName), IdempotencyKey: p.optText("idempotencyKey", in.IdempotencyKey, maxIdempotencyKey),
		RequestedBy: actor(v)}
	for _, problem := range secondment.CheckRequest(sec.Period(), in.Hours, s.today()) {
		code := OutOfRange
		if problem.OutOfOrder {
			code = DatesOutOfOrder
		}
		p.add(code, problem.Field, "%s", problem.Message)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := policy.ActFor(v, "request secondments", requester); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.Resource(ctx, resourceScope(ctx), teacher)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return refuse(NotFound, "teacherId", "no teacher you can see has this ID")
		case err != nil:
			return err
		case r.Category != store.CategoryTeacher:
			return refuse(Invalid, "teacherId", "is the ID of a %s, not of a teacher", r.Category)
		case r.WithdrawnOn != nil:
			return refuse(InvalidTransition, "teacherId", "was withdrawn on %s", r.WithdrawnOn.Format(time.DateOnly))
		case r.ProviderID == requester:
			return refuse(Invalid, "requesterId", "is the teacher's own organization: a secondment lends a teacher to another member")
		}
		sec.ProviderID = r.ProviderID
		if done, err := s.replaySecondment(ctx, tx, sec); done != nil || err != nil {
			sec = done
			return err
		}
		shared, err := tx.SharedWith(ctx, teacher, requester)
		if err != nil {
			return err
		}
		if !shared {
			return refuse(Invalid, "requesterId", "the teacher is not shared with this member")
		}
		id, err := tx.RequestSecondment(ctx, sec)
		switch {
		case errors.Is(err, store.ErrDuplicate):
			// A twin of this request, with the same key, committed first.
			if done, rerr := s.replaySecondment(ctx, tx, sec); done != nil || rerr != nil {
				sec = done
				return rerr
			}
			return fmt.Errorf("request teacher %d: %w", teacher, err)
		case err != nil:
			return err
		}
		if err := s.eventAbout(ctx, tx, store.EventSecondmentRequested, relay.ID(relay.TypeSecondment, id), r, map[string]any{
			"teacher": relay.ID(relay.TypeResource, teacher), "requester": relay.ID(relay.TypeOrganization, requester),
			"provider": relay.ID(relay.TypeOrganization, r.ProviderID),
			"from":     sec.From.Format(time.DateOnly), "to": sec.To.Format(time.DateOnly), "hours": sec.Hours,
		}); err != nil {
			return err
		}
		sec, err = tx.Secondment(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sec, nil
}

// replaySecondment returns the secondment an earlier request with sec's idempotency key
// made, if that request asked for the same thing; one that asked for something else
// refuses the key.
func (s *Service) replaySecondment(ctx context.Context, tx *store.Tx, sec *store.Secondment) (*store.Secondment, error) {
	if sec.IdempotencyKey == nil {
		return nil, nil
	}
	prior, err := tx.SecondmentByKey(ctx, sec.RequesterID, *sec.IdempotencyKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case prior.TeacherID != sec.TeacherID || !prior.From.Equal(sec.From) || !prior.To.Equal(sec.To) || prior.Hours != sec.Hours || prior.Purpose != sec.Purpose:
		return nil, refuse(Duplicate, "idempotencyKey", "was used for another secondment, %s; use a new key for a new request", relay.ID(relay.TypeSecondment, prior.ID))
	}
	return prior, nil
}

// DecideSecondment accepts or declines a requested secondment: the teacher's
// organization may. Accepting one whose days overlap an accepted secondment of the
// teacher is refused with OVERLAP naming it: of concurrent acceptances of overlapping
// requests, the database lets exactly one stand.
func (s *Service) DecideSecondment(ctx context.Context, in DecideSecondmentInput) (*store.Secondment, error) {
	var p problems
	id := p.key("id", relay.TypeSecondment, in.ID)
	note := p.optText("note", in.Note, maxDecisionNote)
	if err := p.err(); err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	var sec *store.Secondment
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if sec, err = tx.LockSecondment(ctx, resourceScope(ctx), id); err != nil {
			return err
		}
		if err := policy.ActFor(v, "decide secondments of another organization's teacher", sec.ProviderID); err != nil {
			return err
		}
		r, err := tx.Resource(ctx, resourceScope(ctx), sec.TeacherID)
		if err != nil {
			return err
		}
		state, kind := secondment.Declined, store.EventSecondmentDeclined
		if in.Accept {
			state, kind = secondment.Accepted, store.EventSecondmentAccepted
		}
		switch {
		case !sec.State.Decidable():
			return refuse(InvalidTransition, "id", "is %s already: only a REQUESTED secondment is decided", sec.State)
		case in.Accept && sec.Period().Ended(s.today()):
			return refuse(InvalidTransition, "accept", "its last day, %s, has passed", sec.To.Format(time.DateOnly))
		case in.Accept && r.WithdrawnOn != nil:
			return refuse(InvalidTransition, "accept", "the teacher was withdrawn on %s", r.WithdrawnOn.Format(time.DateOnly))
		}
		err = tx.DecideSecondment(ctx, id, in.Version, state, actor(v), note)
		var overlap *store.ErrSecondmentOverlap
		switch {
		case errors.As(err, &overlap):
			o := overlap.Other
			return refuse(Overlap, "id", "the teacher is seconded from %s to %s (secondment %s)",
				o.From.Format(time.DateOnly), o.To.Format(time.DateOnly), relay.ID(relay.TypeSecondment, o.ID))
		case err != nil:
			return err
		}
		payload := secondmentPayload(sec)
		if note != nil {
			payload["note"] = *note
		}
		if err := s.eventAbout(ctx, tx, kind, in.ID, r, payload); err != nil {
			return err
		}
		sec, err = tx.Secondment(ctx, id)
		return err
	})
	return sec, err
}

// CancelSecondment cancels a secondment requested or accepted whose last day has not
// passed: the member that asked for it or the teacher's organization may.
func (s *Service) CancelSecondment(ctx context.Context, in CancelSecondmentInput) (*store.Secondment, error) {
	var p problems
	id := p.key("id", relay.TypeSecondment, in.ID)
	if err := p.err(); err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	var sec *store.Secondment
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if sec, err = tx.LockSecondment(ctx, resourceScope(ctx), id); err != nil {
			return err
		}
		if err := policy.ActFor(v, "cancel secondments", sec.RequesterID, sec.ProviderID); err != nil {
			return err
		}
		switch {
		case !sec.State.Cancellable():
			return refuse(InvalidTransition, "id", "is %s: only a REQUESTED or ACCEPTED secondment is cancelled", sec.State)
		case sec.Period().Ended(s.today()):
			return refuse(InvalidTransition, "id", "ended on %s", sec.To.Format(time.DateOnly))
		}
		r, err := tx.Resource(ctx, resourceScope(ctx), sec.TeacherID)
		if err != nil {
			return err
		}
		if err := tx.CancelSecondment(ctx, id, in.Version, actor(v)); err != nil {
			return err
		}
		payload := secondmentPayload(sec)
		payload["was"] = string(sec.State)
		if err := s.eventAbout(ctx, tx, store.EventSecondmentCancelled, in.ID, r, payload); err != nil {
			return err
		}
		sec, err = tx.Secondment(ctx, id)
		return err
	})
	return sec, err
}

// secondmentPayload names the parties of a secondment, for its events.
func secondmentPayload(sec *store.Secondment) map[string]any {
	return map[string]any{
		"teacher": relay.ID(relay.TypeResource, sec.TeacherID), "requester": relay.ID(relay.TypeOrganization, sec.RequesterID),
		"provider": relay.ID(relay.TypeOrganization, sec.ProviderID),
		"from":     sec.From.Format(time.DateOnly), "to": sec.To.Format(time.DateOnly),
	}
}
