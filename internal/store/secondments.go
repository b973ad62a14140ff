package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/secondment"
	"github.com/lib/pq"
)

// Secondment is a row of secondment: a member's request for a teacher another member
// shares with it, for the days [From, To] (both included) and a number of hours.
type Secondment struct {
	Keyset
	ID             int64            `db:"id"`
	TeacherID      int64            `db:"teacher_id"`
	RequesterID    int64            `db:"requester_id"`
	ProviderID     int64            `db:"provider_id"`
	From           time.Time        `db:"starts_on"`
	To             time.Time        `db:"ends_on"`
	Hours          int              `db:"hours"`
	Purpose        string           `db:"purpose"`
	State          secondment.State `db:"state"`
	IdempotencyKey *string          `db:"idempotency_key"`
	RequestedBy    string           `db:"requested_by"`
	RequestedAt    time.Time        `db:"requested_at"`
	DecidedBy      *string          `db:"decided_by"`
	DecidedAt      *time.Time       `db:"decided_at"`
	DecisionNote   *string          `db:"decision_note"`
	CancelledBy    *string          `db:"cancelled_by"`
	CancelledAt    *time.Time       `db:"cancelled_at"`
	Version        int              `db:"version"`
}

// Period is the secondment's days.
func (s *Secondment) Period() secondment.Period { return secondment.Period{From: s.From, To: s.To} }

func secondmentID(s *Secondment) int64 { return s.ID }

// secondmentCols reads a secondment aliased s, its period as its first and last day.
const secondmentCols = "s.id, s.teacher_id, s.requester_id, s.provider_id, lower(s.period) AS starts_on, upper(s.period) - 1 AS ends_on, " +
	"s.hours, s.purpose, s.state, s.idempotency_key, s.requested_by, s.requested_at, s.decided_by, s.decided_at, s.decision_note, " +
	"s.cancelled_by, s.cancelled_at, s.version"

// SecondmentFilter selects secondments in some states (any when empty) whose days meet
// the window [From, To], when given.
type SecondmentFilter struct {
	States   []secondment.State
	From, To *time.Time
}

var secondmentOrders = map[string]sortKey{"START": {"lower(s.period)", "date"}}

// ErrSecondmentOverlap reports an acceptance that overlaps another accepted secondment
// of the teacher; Other is that one.
type ErrSecondmentOverlap struct{ Other Secondment }

func (e *ErrSecondmentOverlap) Error() string {
	return fmt.Sprintf("overlaps secondment %d, %s to %s", e.Other.ID, e.Other.From.Format(time.DateOnly), e.Other.To.Format(time.DateOnly))
}

// dateArg is a day as PostgreSQL reads a date whatever the session's time zone.
func dateArg(t time.Time) string { return t.Format(time.DateOnly) }

func (f SecondmentFilter) apply(l *list) {
	in(l, "s.state", f.States)
	if f.From != nil {
		l.where("upper(s.period) > " + l.arg(dateArg(*f.From)) + "::date")
	}
	if f.To != nil {
		l.where("lower(s.period) <= " + l.arg(dateArg(*f.To)) + "::date")
	}
}

func teacherSecondmentList(f SecondmentFilter, o Order) *list {
	l := &list{cols: secondmentCols, from: "secondment s", id: "s.id", parent: "s.teacher_id", orders: secondmentOrders, order: o}
	f.apply(l)
	return l
}

// partySecondmentList lists the secondments an organization takes part in, as the
// requester or as the teacher's organization: each row appears once for either party,
// so that each branch reads its own index. Only those of teachers scope sees.
func partySecondmentList(scope Scope, f SecondmentFilter, o Order) *list {
	l := &list{cols: secondmentCols,
		from: "(SELECT x.*, x.requester_id AS party_id FROM secondment x UNION ALL SELECT x.*, x.provider_id FROM secondment x) s " +
			"JOIN resource r ON r.id = s.teacher_id",
		id: "s.id", parent: "s.party_id", orders: secondmentOrders, order: o}
	if c := scope.condition("r", l.arg); c != "true" {
		l.where(c)
	}
	f.apply(l)
	return l
}

// TeacherSecondments lists each teacher's secondments. The teachers are the caller's to
// check: these are the secondments of teachers already read through the viewer's scope.
func (s *Store) TeacherSecondments(ctx context.Context, teachers []int64, f SecondmentFilter, o Order, p Page) (map[int64]Result[Secondment], error) {
	return pages(ctx, s, "teacher secondments", teacherSecondmentList(f, o), teachers, p, secondmentID)
}

// CountTeacherSecondments counts each teacher's secondments.
func (s *Store) CountTeacherSecondments(ctx context.Context, teachers []int64, f SecondmentFilter) (map[int64]int, error) {
	return counts(ctx, s, "teacher secondments", teacherSecondmentList(f, Order{}), teachers)
}

// OrganizationSecondments lists the secondments each organization asked for or lends
// its teacher to, of the teachers scope sees.
func (s *Store) OrganizationSecondments(ctx context.Context, scope Scope, orgs []int64, f SecondmentFilter, o Order, p Page) (map[int64]Result[Secondment], error) {
	return pages(ctx, s, "organization secondments", partySecondmentList(scope, f, o), orgs, p, secondmentID)
}

// CountOrganizationSecondments counts each organization's secondments.
func (s *Store) CountOrganizationSecondments(ctx context.Context, scope Scope, orgs []int64, f SecondmentFilter) (map[int64]int, error) {
	return counts(ctx, s, "organization secondments", partySecondmentList(scope, f, Order{}), orgs)
}

// SecondmentsByID loads the secondments among ids that v sees: none unless v may see
// secondments, and only those of teachers v's scope sees.
func (s *Store) SecondmentsByID(ctx context.Context, v Visibility, ids []int64) (map[int64]*Secondment, error) {
	if !v.Secondments {
		return map[int64]*Secondment{}, nil
	}
	q, args := scoped("SELECT "+secondmentCols+" FROM secondment s JOIN resource r ON r.id = s.teacher_id WHERE s.id = ANY($1) AND {scope}", "r", v.Resources, 1)
	return byID(ctx, s, "secondments", q, ids, secondmentID, args...)
}

// SharedWith reports whether resource is shared with org, an organization other than
// its provider: with every current member of its alliance, or with org by name.
func (t *Tx) SharedWith(ctx context.Context, resource, org int64) (bool, error) {
	var ok bool
	err := t.get(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM resource r WHERE r.id = $1 AND r.provider_id <> $2
		AND ((r.shared_with_all AND EXISTS (SELECT 1 FROM membership m WHERE m.alliance_id = r.alliance_id AND m.organization_id = $2 AND m.left_on IS NULL))
		OR EXISTS (SELECT 1 FROM resource_share rs WHERE rs.resource_id = r.id AND rs.organization_id = $2)))`, resource, org)
	if err != nil {
		return false, fmt.Errorf("is resource %d shared with %d: %w", resource, org, err)
	}
	return ok, nil
}

// RequestSecondment inserts s, REQUESTED, and returns its id. One whose idempotency key
// the requester used before is refused with ErrDuplicate, and the transaction goes on
// as if the insert had not been tried.
func (t *Tx) RequestSecondment(ctx context.Context, s *Secondment) (int64, error) {
	if _, err := t.exec(ctx, "SAVEPOINT second"); err != nil {
		return 0, fmt.Errorf("request teacher %d: %w", s.TeacherID, err)
	}
	var id int64
	err := t.get(ctx, &id, `INSERT INTO secondment (teacher_id, requester_id, provider_id, period, hours, purpose, idempotency_key, requested_by)
		VALUES ($1, $2, $3, daterange($4::date, $5::date, '[]'), $6, $7, $8, $9) RETURNING id`,
		s.TeacherID, s.RequesterID, s.ProviderID, dateArg(s.From), dateArg(s.To), s.Hours, s.Purpose, s.IdempotencyKey, s.RequestedBy)
	if err == nil {
		_, err = t.exec(ctx, "RELEASE SAVEPOINT second")
		return id, err
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" {
		return 0, fmt.Errorf("request teacher %d: %w", s.TeacherID, err)
	}
	if _, rerr := t.exec(ctx, "ROLLBACK TO SAVEPOINT second"); rerr != nil {
		return 0, fmt.Errorf("request teacher %d: %w", s.TeacherID, rerr)
	}
	return 0, ErrDuplicate
}

// SecondmentByKey reads the secondment requester asked for with an idempotency key;
// ErrNotFound if none.
func (t *Tx) SecondmentByKey(ctx context.Context, requester int64, key string) (*Secondment, error) {
	var s Secondment
	if err := t.get(ctx, &s, "SELECT "+secondmentCols+" FROM secondment s WHERE s.requester_id = $1 AND s.idempotency_key = $2", requester, key); err != nil {
		return nil, fmt.Errorf("read secondment of %d by key: %w", requester, err)
	}
	return &s, nil
}

// LockSecondment reads a secondment of a teacher scope sees and locks it until the
// transaction ends; ErrNotFound if there is none.
func (t *Tx) LockSecondment(ctx context.Context, scope Scope, id int64) (*Secondment, error) {
	var s Secondment
	q, args := scoped("SELECT "+secondmentCols+" FROM secondment s JOIN resource r ON r.id = s.teacher_id WHERE s.id = $1 AND {scope} FOR UPDATE OF s", "r", scope, 1)
	if err := t.get(ctx, &s, q, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("lock secondment %d: %w", id, err)
	}
	return &s, nil
}

// Secondment reads a secondment as it is now in the transaction; ErrNotFound if none.
func (t *Tx) Secondment(ctx context.Context, id int64) (*Secondment, error) {
	var s Secondment
	if err := t.get(ctx, &s, "SELECT "+secondmentCols+" FROM secondment s WHERE s.id = $1", id); err != nil {
		return nil, fmt.Errorf("read secondment %d: %w", id, err)
	}
	return &s, nil
}

// DecideSecondment answers secondment id, REQUESTED at version, with state (ACCEPTED or
// DECLINED). ErrConflict if it changed since; an acceptance overlapping an accepted
// secondment of the teacher is refused with *ErrSecondmentOverlap naming it, and the
// transaction goes on as if the update had not been tried.
func (t *Tx) DecideSecondment(ctx context.Context, id int64, version int, state secondment.State, by string, note *string) error {
	if _, err := t.exec(ctx, "SAVEPOINT decide"); err != nil {
		return fmt.Errorf("decide secondment %d: %w", id, err)
	}
	res, err := t.exec(ctx, `UPDATE secondment SET state = $3, decided_by = $4, decided_at = now(), decision_note = $5, version = version + 1
		WHERE id = $1 AND version = $2 AND state = 'REQUESTED'`, id, version, state, by, note)
	if err == nil {
		if _, err := t.exec(ctx, "RELEASE SAVEPOINT decide"); err != nil {
			return fmt.Errorf("decide secondment %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrConflict
		}
		return nil
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23P01" {
		return fmt.Errorf("decide secondment %d: %w", id, err)
	}
	if _, rerr := t.exec(ctx, "ROLLBACK TO SAVEPOINT decide"); rerr != nil {
		return fmt.Errorf("decide secondment %d: %w", id, rerr)
	}
	// The constraint waited for the acceptance it met to commit, so a new statement sees it.
	var other Secondment
	if err := t.get(ctx, &other, "SELECT "+secondmentCols+` FROM secondment s JOIN secondment me ON me.id = $1
		WHERE s.teacher_id = me.teacher_id AND s.id <> me.id AND s.state = 'ACCEPTED' AND s.period && me.period ORDER BY lower(s.period) LIMIT 1`, id); err != nil {
		return fmt.Errorf("read the overlaps of secondment %d: %w", id, err)
	}
	return &ErrSecondmentOverlap{Other: other}
}

// CancelSecondment cancels secondment id at version; ErrConflict if it changed since.
func (t *Tx) CancelSecondment(ctx context.Context, id int64, version int, by string) error {
	res, err := t.exec(ctx, `UPDATE secondment SET state = 'CANCELLED', cancelled_by = $3, cancelled_at = now(), version = version + 1
		WHERE id = $1 AND version = $2 AND state IN ('REQUESTED', 'ACCEPTED')`, id, version, by)
	if err != nil {
		return fmt.Errorf("cancel secondment %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return ErrConflict
	}
	return nil
}
