package graph

import (
	"context"
	"time"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/booking"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

func wrapBooking(b *store.Booking) *model.FacilityBooking { return &model.FacilityBooking{Booking: *b} }

// bookingWindow reads the from/to arguments of a facility's calendar, whose length
// bounds what reading it costs.
func bookingWindow(from, to time.Time) (store.BookingFilter, error) {
	if p := booking.CheckWindow(booking.Period{Start: from, End: to}); p != nil {
		return store.BookingFilter{}, errcode.BadInput(p.Field, "%s", p.Message)
	}
	return store.BookingFilter{From: from, To: to}, nil
}

// facilityBookings pages a facility's bookings in a window; the loader lists none for
// a viewer who may not see bookings.
func facilityBookings(ctx context.Context, obj *model.TrainingFacility, from, to time.Time, includeCancelled *bool, first *int, after *string, last *int, before *string) (*model.FacilityBookingConnection, error) {
	f, err := bookingWindow(from, to)
	if err != nil {
		return nil, err
	}
	f.IncludeCancelled = includeCancelled != nil && *includeCancelled
	return nestedPage(ctx, pageArgs{first, after, last, before, nil, "START"}, f,
		func(context.Context, store.BookingFilter) (store.BookingFilter, error) { return f, nil },
		loader.From(ctx).FacilityBookings, obj.Resource.ID, wrapBooking)
}

// facilityAvailability is a facility's free time in a window. A withdrawn facility
// takes no bookings, so it has none.
func facilityAvailability(ctx context.Context, obj *model.TrainingFacility, from, to time.Time, minimumMinutes *int) ([]*model.TimeSlot, error) {
	w, err := bookingWindow(from, to)
	if err != nil {
		return nil, err
	}
	minimum := booking.DefaultMinimumFree
	if minimumMinutes != nil {
		if *minimumMinutes < 1 || *minimumMinutes > 24*60 {
			return nil, errcode.BadInput("minimumMinutes", "must be between 1 and 1440 (got %d)", *minimumMinutes)
		}
		minimum = time.Duration(*minimumMinutes) * time.Minute
	}
	if obj.Resource.WithdrawnOn != nil {
		return []*model.TimeSlot{}, nil
	}
	busy, err := loader.From(ctx).Busy.Load(ctx, obj.Resource.ID, w)
	if err != nil {
		return nil, err
	}
	periods := make([]booking.Period, len(busy))
	for i, b := range busy {
		periods[i] = booking.Period{Start: b.Start, End: b.End}
	}
	// The slots read in UTC, as every stored time does, whatever zone the window was given in.
	open := booking.Hours(obj.Resource.OpeningHours).Open(booking.Period{Start: from.UTC(), End: to.UTC()})
	free := booking.FreeWithin(open, periods, minimum)
	out := make([]*model.TimeSlot, len(free))
	for i, p := range free {
		out[i] = &model.TimeSlot{Start: p.Start, End: p.End}
	}
	return out, nil
}

// openingHours reads a facility's week as the contract does, Monday first.
func openingHours(h store.OpeningHours) []*model.OpeningHours {
	week := booking.Hours(h).Sorted()
	out := make([]*model.OpeningHours, len(week))
	for i, o := range week {
		out[i] = &model.OpeningHours{Day: booking.DayOf(o.Day), Opens: booking.Clock(o.Opens), Closes: booking.Clock(o.Closes)}
	}
	return out
}
