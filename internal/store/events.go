package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// EventFilter selects events.
type EventFilter struct {
	Alliances []int64
	Kinds     []EventKind
	Subjects  []string
	From, To  *time.Time
	// Hidden are kinds the viewer may not read.
	Hidden []EventKind
	// Scope hides events about resources the viewer may not see.
	Scope Scope
}

var eventOrders = map[string]sortKey{"SEQUENCE": {"e.id", "bigint"}}

func eventList(f EventFilter, o Order) *list {
	l := &list{cols: "e.*", from: "event e", id: "e.id", orders: eventOrders, order: o}
	inIDs(l, "e.alliance_id", f.Alliances)
	in(l, "e.kind", f.Kinds)
	in(l, "e.subject_id", f.Subjects)
	if len(f.Hidden) > 0 {
		hidden := make([]string, len(f.Hidden))
		for i, k := range f.Hidden {
			hidden[i] = string(k)
		}
		l.where("NOT (e.kind = ANY(" + l.arg(stringArray(hidden)) + "))")
	}
	if !f.Scope.All {
		l.where("(NOT e.restricted OR EXISTS (SELECT 1 FROM resource r WHERE r.id = e.resource_id AND " + f.Scope.condition("r", l.arg) + "))")
	}
	if f.From != nil {
		l.where("e.occurred_at >= " + l.arg(*f.From))
	}
	if f.To != nil {
		l.where("e.occurred_at <= " + l.arg(*f.To))
	}
	return l
}

func eventID(e *Event) int64 { return e.ID }

// Events lists the event log.
func (s *Store) Events(ctx context.Context, f EventFilter, o Order, p Page) (Result[Event], error) {
	return page(ctx, s, "events", eventList(f, o), p, eventID)
}

// CountEvents counts the events f selects.
func (s *Store) CountEvents(ctx context.Context, f EventFilter) (int, error) {
	return count(ctx, s, "events", eventList(f, Order{}))
}

// Visibility is what a viewer may see: the resources within Resources, the events of
// any kind but HiddenEvents that are about no resource outside it, and who made each
// change when Actors (otherwise only the role it was made with).
type Visibility struct {
	Resources    Scope
	HiddenEvents []EventKind
	Actors       bool
	// Bookings: whether the viewer may read facility bookings (who booked, when, what
	// for), of the facilities its resource scope sees; everyone who sees a facility
	// sees its free time.
	Bookings bool
	// Secondments: whether the viewer may read teacher secondments (which member asks
	// for which teacher, when, and the answer), of the teachers its resource scope sees.
	Secondments bool
	// Enrollments: whose enrolments and certificates the viewer may read, of the
	// courses its resource scope sees.
	Enrollments EnrollmentScope
	// Registrations: whose entries of talents in competitions the viewer reads.
	Registrations RegistrationScope
}

// is reports whether a list's visibility w is v's: its resource scope, and its hidden
// event kinds when the list is of events.
func (v Visibility) is(w Visibility, events bool) bool {
	return v.Resources == w.Resources && (!events || slices.Equal(v.HiddenEvents, w.HiddenEvents))
}

func (f EventFilter) within() Visibility {
	return Visibility{Resources: f.Scope, HiddenEvents: f.Hidden}
}

// EventsByID loads the events among ids that v sees; the others are absent.
func (s *Store) EventsByID(ctx context.Context, v Visibility, ids []int64) (map[int64]*Event, error) {
	l := eventList(EventFilter{Hidden: v.HiddenEvents, Scope: v.Resources}, Order{})
	l.where("e.id = ANY(" + l.arg(int64Array(ids)) + ")")
	var rows []Event
	if err := s.selectRows(ctx, &rows, "SELECT e.* FROM event e"+l.whereClause(sortKey{}, Page{}), l.args...); err != nil {
		return nil, fmt.Errorf("load events %v: %w", ids, err)
	}
	out := make(map[int64]*Event, len(rows))
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// PersonsByID loads talents with their personal data by id.
func (s *Store) PersonsByID(ctx context.Context, ids []int64) (map[int64]*Person, error) {
	return byID(ctx, s, "talents", "SELECT * FROM talent WHERE id = ANY($1)", ids, func(p *Person) int64 { return p.ID })
}

// EventsAfter reads up to limit events with ids above after, in id order, which is
// commit order.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	var rows []Event
	if err := s.selectRows(ctx, &rows, "SELECT * FROM event WHERE id > $1 ORDER BY id LIMIT $2", after, limit); err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	return rows, nil
}

// LatestEventID is the id of the last committed event, 0 when there is none.
func (s *Store) LatestEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.getRow(ctx, &id, "SELECT COALESCE(max(id), 0) FROM event"); err != nil {
		return 0, fmt.Errorf("read the latest event id: %w", err)
	}
	return id, nil
}

// ResourceVisible reports whether scope sees a resource.
func (s *Store) ResourceVisible(ctx context.Context, scope Scope, resource int64) (bool, error) {
	var ok bool
	q, args := scoped("SELECT EXISTS (SELECT 1 FROM resource r WHERE r.id = $1 AND {scope})", "r", scope, 1)
	err := s.getRow(ctx, &ok, q, append([]any{resource}, args...)...)
	if err != nil {
		return false, fmt.Errorf("check visibility of resource %d: %w", resource, err)
	}
	return ok, nil
}
