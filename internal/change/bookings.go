package change

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/booking"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// BookFacilityInput books a facility for a member.
type BookFacilityInput struct {
	FacilityID string
	// OrganizationID is the member the booking is for; a MEMBER's own when omitted.
	OrganizationID *string
	Start          time.Time
	End            time.Time
	Purpose        string
	Trainees       *int
	// IdempotencyKey makes a retry of the same request return the booking it made.
	IdempotencyKey *string
}

// CancelFacilityBookingInput cancels a booking.
type CancelFacilityBookingInput struct {
	ID      string
	Version int
}

const (
	maxTrainees       = 10_000
	maxIdempotencyKey = 100
)

// BookFacility books a facility for a time and a purpose. The facility must be one the
// caller sees, and shared with the member booking it; the time must be free: of two
// overlapping requests, however close, the database lets one stand and the other is
// refused with OVERLAP naming it. A request repeated with the same idempotency key
// returns the booking the first made, and writes nothing more.
func (s *Service) BookFacility(ctx context.Context, in BookFacilityInput) (*store.Booking, error) {
	v := auth.ViewerFrom(ctx)
	var p problems
	facility := p.key("facilityId", relay.TypeResource, in.FacilityID)
	var org int64
	switch {
	case in.OrganizationID != nil:
		org = p.key("organizationId", relay.TypeOrganization, *in.OrganizationID)
	case v.Role == auth.RoleMember:
		org = v.OrganizationID
	case !v.Anonymous():
		p.add(Required, "organizationId", "names the member the booking is for; only a MEMBER's token implies it")
	}
	b := &store.Booking{FacilityID: facility, OrganizationID: org, Start: in.Start, End: in.End,
		Purpose: p.text("purpose", in.Purpose, true, maxName), Trainees: p.between("trainees", in.Trainees, 1, maxTrainees),
		IdempotencyKey: p.optText("idempotencyKey", in.IdempotencyKey, maxIdempotencyKey), BookedBy: actor(v)}
	for _, problem := range booking.CheckBooking(booking.Period{Start: in.Start, End: in.End}, s.now()) {
		p.add(OutOfRange, problem.Field, "%s", problem.Message)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := policy.ActFor(v, "book facilities", org); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.Resource(ctx, resourceScope(ctx), facility)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return refuse(NotFound, "facilityId", "no facility you can see has this ID")
		case err != nil:
			return err
		case r.Category != store.CategoryFacility:
			return refuse(Invalid, "facilityId", "is the ID of a %s, not of a training facility", r.Category)
		case r.WithdrawnOn != nil:
			return refuse(InvalidTransition, "facilityId", "was withdrawn on %s", r.WithdrawnOn.Format(time.DateOnly))
		case b.Trainees != nil && r.Capacity != nil && *b.Trainees > *r.Capacity:
			return refuse(Full, "trainees", "the facility holds at most %d trainees", *r.Capacity)
		}
		if err := outsideHours("start", r, booking.Period{Start: b.Start, End: b.End}); err != nil {
			return err
		}
		if done, err := s.replay(ctx, tx, b); done != nil || err != nil {
			b = done
			return err
		}
		may, err := tx.MayUseFacility(ctx, facility, org)
		if err != nil {
			return err
		}
		if !may {
			return refuse(Invalid, "organizationId", "the facility is not shared with this member")
		}
		id, err := tx.BookFacility(ctx, b)
		var overlap *store.ErrOverlap
		switch {
		case errors.As(err, &overlap) || errors.Is(err, store.ErrDuplicate):
			// A twin of this request, with the same key, may have won the race.
			if done, rerr := s.replay(ctx, tx, b); done != nil || rerr != nil {
				b = done
				return rerr
			}
			if overlap == nil {
				return fmt.Errorf("book facility %d: %w", facility, err)
			}
			return overlapRefusal("start", overlap.Other)
		case err != nil:
			return err
		}
		if err := s.booked(ctx, tx, id, b, r); err != nil {
			return err
		}
		b, err = tx.Booking(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// replay returns the booking an earlier request with b's idempotency key made, if
// that request asked for the same thing; one that asked for something else refuses
// the key.
func (s *Service) replay(ctx context.Context, tx *store.Tx, b *store.Booking) (*store.Booking, error) {
	if b.IdempotencyKey == nil {
		return nil, nil
	}
	prior, err := tx.BookingByKey(ctx, b.OrganizationID, *b.IdempotencyKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case prior.FacilityID != b.FacilityID || !prior.Start.Equal(b.Start) || !prior.End.Equal(b.End) || prior.Purpose != b.Purpose:
		return nil, refuse(Duplicate, "idempotencyKey", "was used for another booking, %s; use a new key for a new request", relay.ID(relay.TypeBooking, prior.ID))
	}
	return prior, nil
}

// CancelFacilityBooking cancels a booking that has not ended: the member that booked
// it or the facility's provider may.
func (s *Service) CancelFacilityBooking(ctx context.Context, in CancelFacilityBookingInput) (*store.Booking, error) {
	var p problems
	id := p.key("id", relay.TypeBooking, in.ID)
	if err := p.err(); err != nil {
		return nil, err
	}
	var b *store.Booking
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if b, err = tx.LockBooking(ctx, resourceScope(ctx), id); err != nil {
			return err
		}
		r, err := tx.Resource(ctx, resourceScope(ctx), b.FacilityID)
		if err != nil {
			return err
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "cancel bookings", b.OrganizationID, r.ProviderID); err != nil {
			return err
		}
		switch {
		case b.CancelledAt != nil:
			return refuse(InvalidTransition, "id", "was cancelled at %s", b.CancelledAt.UTC().Format(time.RFC3339))
		case !b.End.After(s.now()):
			return refuse(InvalidTransition, "id", "ended at %s", b.End.UTC().Format(time.RFC3339))
		}
		if err := tx.CancelBooking(ctx, id, in.Version); err != nil {
			return err
		}
		if err := s.eventAbout(ctx, tx, store.EventBookingCancelled, in.ID, r, map[string]any{
			"facility": relay.ID(relay.TypeResource, b.FacilityID), "organization": relay.ID(relay.TypeOrganization, b.OrganizationID),
		}); err != nil {
			return err
		}
		b, err = tx.Booking(ctx, id)
		return err
	})
	return b, err
}

// actor is how the credential v made a change with is recorded.
func actor(v auth.Viewer) string {
	if v.Subject != "" {
		return v.Subject
	}
	return string(v.Role)
}

// maxMeetings bounds the class meetings one change books.
const maxMeetings = 200

// meetings checks a course's class meetings: each a booking that could be made now,
// held on one of the course's days, in a facility the course names.
func (p *problems) meetings(in []booking.Period, facility bool, startsOn, endsOn *time.Time, now time.Time) []booking.Period {
	if len(in) == 0 {
		return nil
	}
	if len(in) > maxMeetings {
		p.add(OutOfRange, "meetings", "must hold at most %d meetings (got %d)", maxMeetings, len(in))
	}
	if !facility {
		p.add(Required, "facilityId", "names the facility the meetings book")
	}
	for i, m := range in {
		f := fmt.Sprintf("meetings.%d", i)
		for _, problem := range booking.CheckBooking(m, now) {
			p.add(OutOfRange, f+"."+problem.Field, "%s", problem.Message)
		}
		day := calendar.Today(m.Start)
		switch {
		case startsOn != nil && day.Before(*startsOn):
			p.add(OutOfRange, f+".start", "is before the course's first day, %s", startsOn.Format(time.DateOnly))
		case endsOn != nil && day.After(*endsOn):
			p.add(OutOfRange, f+".start", "is after the course's last day, %s", endsOn.Format(time.DateOnly))
		}
	}
	return in
}

// bookMeetings books the facility of course r, for its provider, for each of its class
// meetings; a meeting that overlaps a booking refuses the whole change.
func (s *Service) bookMeetings(ctx context.Context, tx *store.Tx, r *store.Resource, meetings []booking.Period) error {
	if len(meetings) == 0 || r.FacilityID == nil {
		return nil
	}
	facility, err := tx.Resource(ctx, resourceScope(ctx), *r.FacilityID)
	if err != nil {
		return err
	}
	may, err := tx.MayUseFacility(ctx, facility.ID, r.ProviderID)
	if err != nil {
		return err
	}
	if !may {
		return refuse(Invalid, "facilityId", "the facility is not shared with the course's provider")
	}
	for i, m := range meetings {
		if err := outsideHours(fmt.Sprintf("meetings.%d.start", i), facility, m); err != nil {
			return err
		}
		b := &store.Booking{FacilityID: facility.ID, OrganizationID: r.ProviderID, Start: m.Start, End: m.End,
			Purpose: booking.ClassMeetingPurpose[0], CourseID: &r.ID, BookedBy: actor(auth.ViewerFrom(ctx))}
		id, err := tx.BookFacility(ctx, b)
		var overlap *store.ErrOverlap
		switch {
		case errors.As(err, &overlap):
			return overlapRefusal(fmt.Sprintf("meetings.%d.start", i), overlap.Other)
		case err != nil:
			return err
		}
		if err := s.booked(ctx, tx, id, b, facility); err != nil {
			return err
		}
	}
	return nil
}

// overlapRefusal refuses a booking, at field, whose time booking o already holds.
func overlapRefusal(field string, o store.Booking) error {
	return refuse(Overlap, field, "the facility is booked from %s to %s (booking %s)",
		o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339), relay.ID(relay.TypeBooking, o.ID))
}

// booked records the event of booking id, made as b of facility.
func (s *Service) booked(ctx context.Context, tx *store.Tx, id int64, b *store.Booking, facility *store.Resource) error {
	payload := map[string]any{
		"facility": relay.ID(relay.TypeResource, b.FacilityID), "organization": relay.ID(relay.TypeOrganization, b.OrganizationID),
		"start": b.Start.UTC().Format(time.RFC3339), "end": b.End.UTC().Format(time.RFC3339),
	}
	if b.CourseID != nil {
		payload["course"] = relay.ID(relay.TypeResource, *b.CourseID)
	}
	return s.eventAbout(ctx, tx, store.EventFacilityBooked, relay.ID(relay.TypeBooking, id), facility, payload)
}

// followBookings keeps the bookings of a changed resource in step with it, from now on:
// a withdrawn facility takes no more bookings, so those yet to start are cancelled; a
// withdrawn course holds no more meetings; a course's new meetings replace those yet to
// start; and its new days cancel those yet to start that fall outside them. Meetings
// that have started stay, as what happened. Each cancellation is announced.
func (s *Service) followBookings(ctx context.Context, tx *store.Tx, r *store.Resource, rel *related) error {
	now := s.now()
	var cancelled []store.Booking
	var err error
	switch {
	case r.Category == store.CategoryFacility && r.WithdrawnOn != nil:
		cancelled, err = tx.CancelBookingsFrom(ctx, store.BookingsOf{Facility: r.ID}, now)
	case r.Category != store.CategoryCourse:
		return nil
	case r.WithdrawnOn != nil || rel.replaceMeetings:
		cancelled, err = tx.CancelBookingsFrom(ctx, store.BookingsOf{Course: r.ID}, now)
	default:
		keep := booking.Period{Start: time.Time{}, End: calendar.Date(9999, 1, 1)}
		if r.StartsOn != nil {
			keep.Start = r.StartsOn.Add(-calendar.UTCOffset)
		}
		if r.EndsOn != nil {
			keep.End = r.EndsOn.AddDate(0, 0, 1).Add(-calendar.UTCOffset)
		}
		cancelled, err = tx.CancelBookingsFrom(ctx, store.BookingsOf{Course: r.ID, Outside: &keep}, now)
	}
	if err != nil {
		return err
	}
	if len(cancelled) > 0 {
		// Every booking cancelled here is of one facility: the withdrawn one, or the
		// course's. It is read whatever the caller sees, to restrict the events as it is.
		facility, err := tx.Resource(ctx, store.Scope{All: true}, cancelled[0].FacilityID)
		if err != nil {
			return err
		}
		for _, b := range cancelled {
			payload := map[string]any{"facility": relay.ID(relay.TypeResource, b.FacilityID), "organization": relay.ID(relay.TypeOrganization, b.OrganizationID)}
			if b.CourseID != nil {
				payload["course"] = relay.ID(relay.TypeResource, *b.CourseID)
			}
			if err := s.eventAbout(ctx, tx, store.EventBookingCancelled, relay.ID(relay.TypeBooking, b.ID), facility, payload); err != nil {
				return err
			}
		}
	}
	if rel.replaceMeetings && r.WithdrawnOn == nil {
		return s.bookMeetings(ctx, tx, r, rel.meetings)
	}
	return nil
}

// openingHours reads a facility's week, stretch by stretch.
func (p *problems) openingHours(field string, in []OpeningHoursInput) store.OpeningHours {
	if len(in) == 0 {
		return nil
	}
	hours := make(booking.Hours, len(in))
	parsed := true
	for i, o := range in {
		at := fmt.Sprintf("%s.%d", field, i)
		day, ok := o.Day.Weekday()
		if !ok {
			p.add(Invalid, at+".day", "is not a day of the week")
		}
		opens, err := booking.ParseClock(o.Opens)
		if err != nil {
			p.add(Invalid, at+".opens", "%s", err)
		}
		closes, cerr := booking.ParseClock(o.Closes)
		if cerr != nil {
			p.add(Invalid, at+".closes", "%s", cerr)
		}
		parsed = parsed && ok && err == nil && cerr == nil
		hours[i] = booking.Opening{Day: day, Opens: opens, Closes: closes}
	}
	if parsed {
		for _, problem := range booking.CheckHours(hours) {
			f := field
			if problem.Field != "" {
				f += "." + problem.Field
			}
			p.add(OutOfRange, f, "%s", problem.Message)
		}
	}
	return store.OpeningHours(hours)
}

// outsideHours refuses, at field, a booking of facility r outside its opening hours.
func outsideHours(field string, r *store.Resource, p booking.Period) error {
	hours := booking.Hours(r.OpeningHours)
	if hours.Within(p) {
		return nil
	}
	return refuse(OutOfRange, field, "is outside the facility's opening hours (Shenyang time): %s", hours)
}
