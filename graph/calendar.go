package graph

import (
	"context"
	"time"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// calendarEntries pages the alliance's calendar in a window, as the viewer may see it.
func (r *Resolver) calendarEntries(ctx context.Context, from, to time.Time, kinds []store.CalendarKind, organization *string, includeCancelled *bool, first *int, after *string) (*model.CalendarConnection, error) {
	if field, msg, ok := calendar.CheckEntriesWindow(from, to); !ok {
		return nil, errcode.BadInput(field, "%s", msg)
	}
	req, err := paging(first, after, nil, nil, nil, "START")
	if err != nil {
		return nil, err
	}
	var a args
	f := store.CalendarFilter{From: from, To: to, Kinds: kinds, Organization: a.optionalKey("organization", relay.TypeOrganization, organization),
		Cancelled: includeCancelled != nil && *includeCancelled, Visibility: policy.Visibility(auth.ViewerFrom(ctx))}
	if a.err != nil {
		return nil, a.err
	}
	res, err := r.Store.Calendar(ctx, f, req.page)
	if err != nil {
		return nil, err
	}
	return connection(req, res, func(e *store.CalendarEntry) *model.CalendarEntry { return &model.CalendarEntry{CalendarEntry: *e} },
		func(ctx context.Context) (int, error) { return r.Store.CountCalendar(ctx, f) }), nil
}

// entryCourse is the course an entry is or meets for.
func entryCourse(ctx context.Context, e *model.CalendarEntry) (*model.TrainingCourse, error) {
	id := e.CourseID
	if e.Kind == store.CalendarCourse {
		id = &e.SourceID
	}
	return hidden(optional(ctx, loader.From(ctx).Resource, id, "course", wrapCourse))
}

// entryBooking is the booking an entry is.
func entryBooking(ctx context.Context, e *model.CalendarEntry) (*model.FacilityBooking, error) {
	if e.Kind != store.CalendarClassMeeting && e.Kind != store.CalendarBooking {
		return nil, nil
	}
	return hidden(one(ctx, loader.From(ctx).Booking, e.SourceID, "booking", wrapBooking))
}

// entryCompetition is the competition an entry is.
func (r *Resolver) entryCompetition(ctx context.Context, e *model.CalendarEntry) (*model.Competition, error) {
	if e.Kind != store.CalendarCompetition && e.Kind != store.CalendarDeadline {
		return nil, nil
	}
	return hidden(one(ctx, loader.From(ctx).Competition, e.SourceID, "competition", wrapCompetition))
}

// entrySecondment is the secondment an entry is.
func entrySecondment(ctx context.Context, e *model.CalendarEntry) (*model.Secondment, error) {
	if e.Kind != store.CalendarSecondment {
		return nil, nil
	}
	return hidden(one(ctx, loader.From(ctx).Secondment, e.SourceID, "secondment", wrapSecondment))
}
