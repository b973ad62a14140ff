package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/booking"
)

// Booking is a row of facility_booking: a member's use of a facility for [Start, End).
type Booking struct {
	Keyset
	ID             int64      `db:"id"`
	FacilityID     int64      `db:"facility_id"`
	OrganizationID int64      `db:"organization_id"`
	Start          time.Time  `db:"starts_at"`
	End            time.Time  `db:"ends_at"`
	Purpose        string     `db:"purpose"`
	Trainees       *int       `db:"trainees"`
	CourseID       *int64     `db:"course_id"`
	IdempotencyKey *string    `db:"idempotency_key"`
	BookedBy       string     `db:"booked_by"`
	BookedAt       time.Time  `db:"booked_at"`
	CancelledAt    *time.Time `db:"cancelled_at"`
	Version        int        `db:"version"`
}

func bookingID(b *Booking) int64 { return b.ID }

// bookingCols reads a booking aliased b, its period split in two.
const bookingCols = "b.id, b.facility_id, b.organization_id, lower(b.period) AS starts_at, upper(b.period) AS ends_at, b.purpose, " +
	"b.trainees, b.course_id, b.idempotency_key, b.booked_by, b.booked_at, b.cancelled_at, b.version"

// BookingFilter selects a facility's bookings that overlap [From, To).
type BookingFilter struct {
	From, To         time.Time
	IncludeCancelled bool
}

var bookingOrders = map[string]sortKey{"START": {"lower(b.period)", "timestamptz"}}

// ErrOverlap reports a booking that overlaps another of its facility; Other is that one.
type ErrOverlap struct{ Other Booking }

func (e *ErrOverlap) Error() string {
	return fmt.Sprintf("overlaps booking %d, %s to %s", e.Other.ID, e.Other.Start.Format(time.RFC3339), e.Other.End.Format(time.RFC3339))
}

// overlapping is the condition that booking b meets [from, to), two placeholders; a
// cancelled booking takes no time unless cancelled ones are asked for.
func overlapping(from, to string, cancelled bool) string {
	c := "b.period && tstzrange(" + from + ", " + to + ")"
	if !cancelled {
		c += " AND b.cancelled_at IS NULL"
	}
	return c
}

func facilityBookingList(f BookingFilter, o Order) *list {
	l := &list{cols: bookingCols, from: "facility_booking b", id: "b.id", parent: "b.facility_id", orders: bookingOrders, order: o}
	l.where(overlapping(l.arg(f.From), l.arg(f.To), f.IncludeCancelled))
	return l
}

// FacilityBookings lists each facility's bookings in the filter's window. The
// facilities are the caller's to check: these are the bookings of facilities already
// read through the viewer's scope.
func (s *Store) FacilityBookings(ctx context.Context, facilities []int64, f BookingFilter, o Order, p Page) (map[int64]Result[Booking], error) {
	return pages(ctx, s, "facility bookings", facilityBookingList(f, o), facilities, p, bookingID)
}

// CountFacilityBookings counts each facility's bookings in the filter's window.
func (s *Store) CountFacilityBookings(ctx context.Context, facilities []int64, f BookingFilter) (map[int64]int, error) {
	return counts(ctx, s, "facility bookings", facilityBookingList(f, Order{}), facilities)
}

// BusyPeriods lists, for each facility, the periods its standing bookings take in
// [from, to), in order; a facility with none has an empty list.
func (s *Store) BusyPeriods(ctx context.Context, facilities []int64, w BookingFilter) (map[int64][]Booking, error) {
	q := "SELECT b.facility_id, lower(b.period) AS starts_at, upper(b.period) AS ends_at FROM facility_booking b " +
		"WHERE b.facility_id = ANY($1) AND " + overlapping("$2", "$3", false) + " ORDER BY b.facility_id, lower(b.period)"
	return groupBy(ctx, s, "busy periods", q, facilities, func(b *Booking) int64 { return b.FacilityID }, w.From, w.To)
}

// BookingsByID loads the bookings among ids that v sees: none unless v may see
// bookings, and only those of facilities v's scope sees.
func (s *Store) BookingsByID(ctx context.Context, v Visibility, ids []int64) (map[int64]*Booking, error) {
	if !v.Bookings {
		return map[int64]*Booking{}, nil
	}
	q, args := scoped("SELECT "+bookingCols+" FROM facility_booking b JOIN resource r ON r.id = b.facility_id WHERE b.id = ANY($1) AND {scope}", "r", v.Resources, 1)
	return byID(ctx, s, "bookings", q, ids, bookingID, args...)
}

// MayUseFacility reports whether org may book facility: its provider, a current member
// of its alliance when it is shared with all, or a member it is shared with by name.
func (t *Tx) MayUseFacility(ctx context.Context, facility, org int64) (bool, error) {
	var ok bool
	err := t.get(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM resource r WHERE r.id = $1 AND (r.provider_id = $2
		OR (r.shared_with_all AND EXISTS (SELECT 1 FROM membership m WHERE m.alliance_id = r.alliance_id AND m.organization_id = $2 AND m.left_on IS NULL))
		OR EXISTS (SELECT 1 FROM resource_share rs WHERE rs.resource_id = r.id AND rs.organization_id = $2)))`, facility, org)
	if err != nil {
		return false, fmt.Errorf("may %d use facility %d: %w", org, facility, err)
	}
	return ok, nil
}

// BookFacility inserts b and returns its id. A booking overlapping a standing one of
// the facility is refused with *ErrOverlap naming it, one whose idempotency key the
// organization used before with ErrDuplicate; either way the transaction goes on, as
// if the insert had not been tried.
func (t *Tx) BookFacility(ctx context.Context, b *Booking) (int64, error) {
	if _, err := t.exec(ctx, "SAVEPOINT book"); err != nil {
		return 0, fmt.Errorf("book facility %d: %w", b.FacilityID, err)
	}
	var id int64
	err := t.get(ctx, &id, `INSERT INTO facility_booking (facility_id, organization_id, period, purpose, trainees, course_id, idempotency_key, booked_by)
		VALUES ($1, $2, tstzrange($3, $4), $5, $6, $7, $8, $9) RETURNING id`,
		b.FacilityID, b.OrganizationID, b.Start, b.End, b.Purpose, b.Trainees, b.CourseID, b.IdempotencyKey, b.BookedBy)
	if err == nil {
		_, err = t.exec(ctx, "RELEASE SAVEPOINT book")
		return id, err
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || (pqErr.Code != "23P01" && pqErr.Code != "23505") {
		return 0, fmt.Errorf("book facility %d: %w", b.FacilityID, err)
	}
	if _, rerr := t.exec(ctx, "ROLLBACK TO SAVEPOINT book"); rerr != nil {
		return 0, fmt.Errorf("book facility %d: %w", b.FacilityID, rerr)
	}
	if pqErr.Code == "23505" {
		return 0, ErrDuplicate
	}
	// The constraint waited for the booking it met to commit, so a new statement sees it.
	var other Booking
	if err := t.get(ctx, &other, "SELECT "+bookingCols+" FROM facility_booking b WHERE b.facility_id = $1 AND "+overlapping("$2", "$3", false)+
		" ORDER BY lower(b.period) LIMIT 1", b.FacilityID, b.Start, b.End); err != nil {
		return 0, fmt.Errorf("read the booking %d's overlaps: %w", b.FacilityID, err)
	}
	return 0, &ErrOverlap{Other: other}
}

// BookingByKey reads the booking org made with an idempotency key; ErrNotFound if none.
func (t *Tx) BookingByKey(ctx context.Context, org int64, key string) (*Booking, error) {
	var b Booking
	if err := t.get(ctx, &b, "SELECT "+bookingCols+" FROM facility_booking b WHERE b.organization_id = $1 AND b.idempotency_key = $2", org, key); err != nil {
		return nil, fmt.Errorf("read booking of %d by key: %w", org, err)
	}
	return &b, nil
}

// LockBooking reads a booking of a facility scope sees and locks it until the
// transaction ends; ErrNotFound if there is none.
func (t *Tx) LockBooking(ctx context.Context, scope Scope, id int64) (*Booking, error) {
	var b Booking
	q, args := scoped("SELECT "+bookingCols+" FROM facility_booking b JOIN resource r ON r.id = b.facility_id WHERE b.id = $1 AND {scope} FOR UPDATE OF b", "r", scope, 1)
	if err := t.get(ctx, &b, q, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("lock booking %d: %w", id, err)
	}
	return &b, nil
}

// Booking reads a booking as it is now in the transaction; ErrNotFound if none.
func (t *Tx) Booking(ctx context.Context, id int64) (*Booking, error) {
	var b Booking
	if err := t.get(ctx, &b, "SELECT "+bookingCols+" FROM facility_booking b WHERE b.id = $1", id); err != nil {
		return nil, fmt.Errorf("read booking %d: %w", id, err)
	}
	return &b, nil
}

// CancelBooking cancels booking id at version; ErrConflict if it changed since.
func (t *Tx) CancelBooking(ctx context.Context, id int64, version int) error {
	res, err := t.exec(ctx, "UPDATE facility_booking SET cancelled_at = now(), version = version + 1 WHERE id = $1 AND version = $2 AND cancelled_at IS NULL", id, version)
	if err != nil {
		return fmt.Errorf("cancel booking %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return ErrConflict
	}
	return nil
}

// BookingsOf selects the standing bookings of a facility or of a course's meetings;
// with Outside, only those starting outside it.
type BookingsOf struct {
	Facility, Course int64
	Outside          *booking.Period
}

// CancelBookingsFrom cancels the standing bookings of sel that start at from or later,
// and returns them as they are now.
func (t *Tx) CancelBookingsFrom(ctx context.Context, sel BookingsOf, from time.Time) ([]Booking, error) {
	q := "UPDATE facility_booking b SET cancelled_at = now(), version = b.version + 1 WHERE b.cancelled_at IS NULL AND lower(b.period) >= $1"
	args := []any{from}
	switch {
	case sel.Facility != 0:
		q += " AND b.facility_id = $2"
		args = append(args, sel.Facility)
	case sel.Course != 0:
		q += " AND b.course_id = $2"
		args = append(args, sel.Course)
	default:
		return nil, errors.New("cancel bookings: neither a facility nor a course")
	}
	if sel.Outside != nil {
		q += " AND NOT (lower(b.period) >= $3 AND lower(b.period) < $4)"
		args = append(args, sel.Outside.Start, sel.Outside.End)
	}
	var out []Booking
	if err := t.selectRows(ctx, &out, q+" RETURNING "+bookingCols, args...); err != nil {
		return nil, fmt.Errorf("cancel bookings of %+v from %s: %w", sel, from.Format(time.RFC3339), err)
	}
	return out, nil
}

// OpeningHours are a facility's week as the resource row keeps it: JSON, NULL when the
// facility is always open.
type OpeningHours booking.Hours

// Value writes the week as JSON, or NULL for none.
func (h OpeningHours) Value() (driver.Value, error) {
	if len(h) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("write opening hours: %w", err)
	}
	return string(b), nil
}

// Scan reads the week from JSON; NULL is none.
func (h *OpeningHours) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*h = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("read opening hours from %T", src)
	}
	if err := json.Unmarshal(b, (*booking.Hours)(h)); err != nil {
		return fmt.Errorf("read opening hours: %w", err)
	}
	return nil
}
