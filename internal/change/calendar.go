package change

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// calendarBatch bounds the rows one transaction of the calendar moves, so that a
// backlog (a server down for days, a large import) is worked off in short transactions
// that hold few locks.
const calendarBatch = 200

// CalendarMoves counts what a pass of the calendar changed.
type CalendarMoves struct {
	OpeningsClosed int
	CoursesMoved   int
}

// FollowCalendar brings the graph to the alliance's day: every OPEN job opening whose
// closing date is past is closed (OPENING_CLOSED), and every course whose state by its
// dates differs from the one last announced moves to it (COURSE_STATE_CHANGED, from and
// to), each batch of changes with its events in one transaction. The server makes these
// changes itself: the events' actor and role are SYSTEM, and events about a resource
// shared with named members only are restricted like any other. Servers may run it at
// the same time: each change is made, and announced, by one of them. A course never
// announced (course_state NULL, as after a demo load) takes its state without an
// event.
func (s *Service) FollowCalendar(ctx context.Context) (CalendarMoves, error) {
	today := s.today()
	var moved CalendarMoves
	for {
		n, err := s.closeLapsedOpenings(ctx, today)
		if err != nil {
			return moved, err
		}
		moved.OpeningsClosed += n
		if n == 0 {
			break
		}
	}
	for {
		n, err := s.moveCourseStates(ctx, today)
		if err != nil {
			return moved, err
		}
		moved.CoursesMoved += n
		if n == 0 {
			break
		}
	}
	return moved, nil
}

func (s *Service) closeLapsedOpenings(ctx context.Context, today time.Time) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		closed, err := tx.CloseLapsedOpenings(ctx, today, calendarBatch)
		if err != nil {
			return err
		}
		for i := range closed {
			o := &closed[i]
			payload := map[string]any{"category": o.Category, "closesOn": o.ClosesOn.Format(time.DateOnly)}
			if err := system(ctx, tx, about(store.EventOpeningClosed, relay.ID(relay.TypeResource, o.ID), o), payload); err != nil {
				return err
			}
		}
		n = len(closed)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("close openings past their closing date: %w", err)
	}
	return n, nil
}

func (s *Service) moveCourseStates(ctx context.Context, today time.Time) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		moves, err := tx.MoveCourseStates(ctx, today, calendarBatch)
		if err != nil {
			return err
		}
		for i := range moves {
			m := &moves[i]
			if m.From == nil {
				continue
			}
			if err := system(ctx, tx, courseMoved(&m.Resource), courseMove(*m.From, *m.CourseState)); err != nil {
				return err
			}
		}
		n = len(moves)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("move the states of courses: %w", err)
	}
	return n, nil
}

// courseMoved is the event of the course c moving to another state; courseMove its
// payload.
func courseMoved(c *store.Resource) store.Event {
	return about(store.EventCourseStateChanged, relay.ID(relay.TypeResource, c.ID), c)
}

func courseMove(from, to calendar.CourseState) map[string]any {
	return map[string]any{"from": from, "to": to}
}

// system appends an event of a change the server made by itself.
func system(ctx context.Context, tx *store.Tx, e store.Event, payload map[string]any) error {
	e.Actor, e.ActorRole = string(store.ActorSystem), store.ActorSystem
	return write(ctx, tx, e, payload)
}

// KeepCalendar runs FollowCalendar at once, then as each day begins in Shenyang, and
// every recheck in between (so that a change missed, a failed run, or a closing date
// moved into the past by hand is caught within recheck), until ctx ends. A failed run is
// logged and tried again at the next of these times.
func (s *Service) KeepCalendar(ctx context.Context, log *slog.Logger, recheck time.Duration) {
	for {
		moved, err := s.FollowCalendar(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("calendar: following the day failed; retrying at the next check", "err", err.Error(), "retry_in", recheck.String())
		case moved != CalendarMoves{}:
			log.Info("calendar: followed the day", "day", s.today().Format(time.DateOnly), "openings_closed", moved.OpeningsClosed, "courses_moved", moved.CoursesMoved)
		}
		now := s.now()
		wait := min(calendar.NextMidnight(now).Sub(now), recheck)
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
