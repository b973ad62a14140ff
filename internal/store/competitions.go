package store

import (
	"context"
	"time"
)

// Competition is one edition of a skills competition on the alliance's calendar.
type Competition struct {
	Keyset
	ID         int64            `db:"id"`
	AllianceID int64            `db:"alliance_id"`
	NameEn     string           `db:"name_en"`
	NameZh     string           `db:"name_zh"`
	Level      CompetitionLevel `db:"level"`
	HeldOn     time.Time        `db:"held_on"`
}

// CompetitionFilter selects editions of an alliance's competitions. Upcoming, when set,
// keeps those after Today (true) or on it and before (false).
type CompetitionFilter struct {
	Alliance int64
	Held     *DateRange
	Levels   []CompetitionLevel
	Upcoming *bool
	Today    time.Time
}

var competitionOrders = map[string]sortKey{
	"HELD_ON": {"c.held_on", "date"},
	"NAME":    {byName("c.name_en"), "text"},
}

func competitionList(f CompetitionFilter, o Order) *list {
	l := &list{cols: "c.*", from: "competition c", id: "c.id", orders: competitionOrders, order: o}
	l.where("c.alliance_id = " + l.arg(f.Alliance))
	dates(l, "c.held_on", f.Held)
	in(l, "c.level", f.Levels)
	if f.Upcoming != nil {
		op := "<="
		if *f.Upcoming {
			op = ">"
		}
		l.where("c.held_on " + op + " " + l.arg(f.Today.Format(time.DateOnly)) + "::date")
	}
	return l
}

func competitionID(c *Competition) int64 { return c.ID }

// Competitions lists an alliance's competition editions.
func (s *Store) Competitions(ctx context.Context, f CompetitionFilter, o Order, p Page) (Result[Competition], error) {
	if f.Upcoming != nil && f.Today.IsZero() {
		return Result[Competition]{}, errNoDay("competitions")
	}
	return page(ctx, s, "competitions", competitionList(f, o), p, competitionID)
}

// CountCompetitions counts the editions Competitions lists.
func (s *Store) CountCompetitions(ctx context.Context, f CompetitionFilter) (int, error) {
	if f.Upcoming != nil && f.Today.IsZero() {
		return 0, errNoDay("competitions")
	}
	return count(ctx, s, "competitions", competitionList(f, Order{}))
}

// CompetitionsByID loads competition editions by id; the missing are absent.
func (s *Store) CompetitionsByID(ctx context.Context, ids []int64) (map[int64]*Competition, error) {
	return byID(ctx, s, "competitions", "SELECT c.* FROM competition c WHERE c.id = ANY($1)", ids, competitionID)
}
