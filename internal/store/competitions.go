package store

import (
	"context"
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/competition"
	"github.com/lib/pq"
)

// Competition is one edition of a skills competition on the alliance's calendar. HeldOn
// is its last day, when results are announced.
type Competition struct {
	Keyset
	ID                   int64            `db:"id"`
	AllianceID           int64            `db:"alliance_id"`
	NameEn               string           `db:"name_en"`
	NameZh               string           `db:"name_zh"`
	Level                CompetitionLevel `db:"level"`
	StartsOn             time.Time        `db:"starts_on"`
	HeldOn               time.Time        `db:"held_on"`
	VenueEn              *string          `db:"venue_en"`
	VenueZh              *string          `db:"venue_zh"`
	OrganizerID          *int64           `db:"organizer_id"`
	RegistrationDeadline *time.Time       `db:"registration_deadline"`
	CreatedBy            *string          `db:"created_by"`
	Version              int              `db:"version"`
}

// Days are the edition's contest days and registration deadline.
func (c *Competition) Days() competition.Days {
	return competition.Days{First: c.StartsOn, Last: c.HeldOn, Deadline: c.RegistrationDeadline}
}

// CompetitionFilter selects editions of an alliance's competitions. Upcoming, when set,
// keeps those after Today (true) or on it and before (false); RegistrationOpen those
// taking registrations on Today (true) or not. Awards keeps editions with a result of
// those awards that ResultScope sees.
type CompetitionFilter struct {
	Alliance         int64
	Held             *DateRange
	Year             *int
	Levels           []CompetitionLevel
	Skills           []int64
	Awards           []Award
	ResultScope      Scope
	Upcoming         *bool
	RegistrationOpen *bool
	Organizer        *int64
	Today            time.Time
}

var competitionOrders = map[string]sortKey{
	"HELD_ON": {"c.held_on", "date"},
	"NAME":    {byName("c.name_en"), "text"},
}

func competitionList(f CompetitionFilter, o Order) *list {
	l := &list{cols: "c.*", from: "competition c", id: "c.id", orders: competitionOrders, order: o}
	l.where("c.alliance_id = " + l.arg(f.Alliance))
	dates(l, "c.held_on", f.Held)
	if f.Year != nil {
		// A range on the day, which the index on held_on reads.
		from := time.Date(*f.Year, time.January, 1, 0, 0, 0, 0, time.UTC)
		l.where("c.held_on >= " + l.arg(dateArg(from)) + "::date AND c.held_on < " + l.arg(dateArg(from.AddDate(1, 0, 0))) + "::date")
	}
	in(l, "c.level", f.Levels)
	if f.Skills != nil {
		// A skill or any beneath it, however deep: a competition in welding is found from
		// its trade.
		l.where("EXISTS (SELECT 1 FROM competition_skill cs WHERE cs.competition_id = c.id AND cs.skill_id IN (WITH RECURSIVE under(id) AS (SELECT unnest(" +
			l.arg(int64Array(f.Skills)) + "::bigint[]) UNION SELECT k.id FROM skill k JOIN under u ON k.parent_id = u.id) SELECT id FROM under))")
	}
	if len(f.Awards) > 0 {
		cond := "r.competition_id = c.id AND r.category = 'COMPETITION_RESULT' AND r.withdrawn_on IS NULL"
		if sc := f.ResultScope.condition("r", l.arg); sc != "true" {
			cond += " AND " + sc
		}
		awards := make([]string, len(f.Awards))
		for i, a := range f.Awards {
			awards[i] = string(a)
		}
		l.where("EXISTS (SELECT 1 FROM resource r WHERE " + cond + " AND r.award = ANY(" + l.arg(pq.StringArray(awards)) + "))")
	}
	if f.Upcoming != nil {
		op := "<="
		if *f.Upcoming {
			op = ">"
		}
		l.where("c.held_on " + op + " " + l.arg(dateArg(f.Today)) + "::date")
	}
	if f.RegistrationOpen != nil {
		today := l.arg(dateArg(f.Today)) + "::date"
		open := "(c.registration_deadline >= " + today + " AND c.starts_on > " + today + ")"
		if !*f.RegistrationOpen {
			open = "NOT COALESCE(" + open + ", false)"
		}
		l.where(open)
	}
	if f.Organizer != nil {
		l.where("c.organizer_id = " + l.arg(*f.Organizer))
	}
	return l
}

func competitionID(c *Competition) int64 { return c.ID }

func (f CompetitionFilter) needsToday() bool { return f.Upcoming != nil || f.RegistrationOpen != nil }

// Competitions lists an alliance's competition editions.
func (s *Store) Competitions(ctx context.Context, f CompetitionFilter, o Order, p Page) (Result[Competition], error) {
	if f.needsToday() && f.Today.IsZero() {
		return Result[Competition]{}, errNoDay("competitions")
	}
	return page(ctx, s, "competitions", competitionList(f, o), p, competitionID)
}

// CountCompetitions counts the editions Competitions lists.
func (s *Store) CountCompetitions(ctx context.Context, f CompetitionFilter) (int, error) {
	if f.needsToday() && f.Today.IsZero() {
		return 0, errNoDay("competitions")
	}
	return count(ctx, s, "competitions", competitionList(f, Order{}))
}

// CompetitionsByID loads competition editions by id; the missing are absent.
func (s *Store) CompetitionsByID(ctx context.Context, ids []int64) (map[int64]*Competition, error) {
	return byID(ctx, s, "competitions", "SELECT c.* FROM competition c WHERE c.id = ANY($1)", ids, competitionID)
}

// CompetitionSkill is a skill an edition contests.
type CompetitionSkill struct {
	CompetitionID int64 `db:"competition_id"`
	Skill
}

// SkillsOfCompetitions lists, per edition, the skills it contests, in code order.
func (s *Store) SkillsOfCompetitions(ctx context.Context, ids []int64) (map[int64][]CompetitionSkill, error) {
	return groupBy(ctx, s, "competition skills", `SELECT cs.competition_id, k.* FROM competition_skill cs JOIN skill k ON k.id = cs.skill_id
		WHERE cs.competition_id = ANY($1) ORDER BY cs.competition_id, k.code`, ids, func(c *CompetitionSkill) int64 { return c.CompetitionID })
}

// RegistrationCounts counts, per edition, the talents entered (withdrawn entries do
// not count).
func (s *Store) RegistrationCounts(ctx context.Context, ids []int64) (map[int64]int, error) {
	return countRows(ctx, s, "competition registrations", `SELECT competition_id AS parent, count(*) AS n FROM competition_registration
		WHERE competition_id = ANY($1) AND state = 'REGISTERED' GROUP BY 1`, ids, int64Array(ids))
}

// EditionResultFilter selects an edition's results with one of Awards (any when empty).
type EditionResultFilter struct{ Awards []Award }

// editionResultOrders: the best rank first, unranked results after the ranked.
var editionResultOrders = map[string]sortKey{"RANK": {"COALESCE(r.rank, 2147483647)", "int"}}

func editionResultList(scope Scope, f EditionResultFilter, o Order) *list {
	l := &list{cols: "r.*", from: "resource r", id: "r.id", parent: "r.competition_id", orders: editionResultOrders, order: o}
	l.where("r.category = 'COMPETITION_RESULT'")
	visible(l, scope)
	in(l, "r.award", f.Awards)
	return l
}

// ResultsOfCompetitions pages, per edition, its results that scope sees that f selects.
func (s *Store) ResultsOfCompetitions(ctx context.Context, scope Scope, ids []int64, f EditionResultFilter, o Order, p Page) (map[int64]Result[Resource], error) {
	return pages(ctx, s, "competition results", editionResultList(scope, f, o), ids, p, resourceID)
}

// CountResultsOfCompetitions counts, per edition, what ResultsOfCompetitions pages.
func (s *Store) CountResultsOfCompetitions(ctx context.Context, scope Scope, ids []int64, f EditionResultFilter) (map[int64]int, error) {
	return counts(ctx, s, "competition results", editionResultList(scope, f, Order{}), ids)
}

// Registration is a member's entry of a talent in a competition edition.
type Registration struct {
	Keyset
	ID             int64             `db:"id"`
	CompetitionID  int64             `db:"competition_id"`
	TalentID       int64             `db:"talent_id"`
	OrganizationID int64             `db:"organization_id"`
	SkillID        *int64            `db:"skill_id"`
	State          competition.State `db:"state"`
	RegisteredBy   string            `db:"registered_by"`
	RegisteredAt   time.Time         `db:"registered_at"`
	WithdrawnAt    *time.Time        `db:"withdrawn_at"`
	Version        int               `db:"version"`
}

// RegistrationScope is whose entries in competitions a viewer reads: every one, or
// those an organization made or of the editions it organizes, or none.
type RegistrationScope struct {
	All          bool
	Organization int64
}

// condition is the scope's condition on an entry aliased g of an edition aliased c.
func (s RegistrationScope) condition(g, c string, arg func(any) string) string {
	switch {
	case s.All:
		return "true"
	case s.Organization == 0:
		return "false"
	}
	o := arg(s.Organization)
	return "(" + g + ".organization_id = " + o + " OR " + c + ".organizer_id = " + o + ")"
}

func registrationID(r *Registration) int64 { return r.ID }

// RegistrationFilter selects entries: withdrawn ones only when asked.
type RegistrationFilter struct{ IncludeWithdrawn bool }

var registrationOrders = map[string]sortKey{"REGISTERED_AT": {"g.registered_at", "timestamptz"}}

func registrationList(scope RegistrationScope, f RegistrationFilter, o Order) *list {
	l := &list{cols: "g.*", from: "competition_registration g JOIN competition c ON c.id = g.competition_id", id: "g.id", parent: "g.competition_id",
		orders: registrationOrders, order: o}
	if !f.IncludeWithdrawn {
		l.where("g.state = 'REGISTERED'")
	}
	if c := scope.condition("g", "c", l.arg); c != "true" {
		l.where(c)
	}
	return l
}

// RegistrationsOfCompetitions pages, per edition, the entries scope sees that f selects.
func (s *Store) RegistrationsOfCompetitions(ctx context.Context, scope RegistrationScope, ids []int64, f RegistrationFilter, o Order, p Page) (map[int64]Result[Registration], error) {
	return pages(ctx, s, "competition registrations", registrationList(scope, f, o), ids, p, registrationID)
}

// CountRegistrationsOfCompetitions counts, per edition, what RegistrationsOfCompetitions pages.
func (s *Store) CountRegistrationsOfCompetitions(ctx context.Context, scope RegistrationScope, ids []int64, f RegistrationFilter) (map[int64]int, error) {
	return counts(ctx, s, "competition registrations", registrationList(scope, f, Order{}), ids)
}

// RegistrationsByID loads the entries among ids that scope sees.
func (s *Store) RegistrationsByID(ctx context.Context, scope RegistrationScope, ids []int64) (map[int64]*Registration, error) {
	args := bound{int64Array(ids)}
	q := "SELECT g.* FROM competition_registration g JOIN competition c ON c.id = g.competition_id WHERE g.id = ANY($1) AND " + scope.condition("g", "c", args.arg)
	return byID(ctx, s, "competition registrations", q, ids, registrationID, args[1:]...)
}

// CreateCompetition inserts c with its skills and returns its id; ErrDuplicate if the
// alliance has an edition of the same English name ending the same day.
func (t *Tx) CreateCompetition(ctx context.Context, c *Competition, skills []int64) (int64, error) {
	id, err := t.insert(ctx, "competition", competitionValues(c))
	if err != nil {
		return 0, unique(err)
	}
	return id, t.SetCompetitionSkills(ctx, id, skills)
}

func competitionValues(c *Competition) values {
	return values{"alliance_id": c.AllianceID, "name_en": c.NameEn, "name_zh": c.NameZh, "level": string(c.Level),
		"starts_on": dateArg(c.StartsOn), "held_on": dateArg(c.HeldOn), "venue_en": c.VenueEn, "venue_zh": c.VenueZh,
		"organizer_id": c.OrganizerID, "registration_deadline": optDate(c.RegistrationDeadline), "created_by": c.CreatedBy}
}

func optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := dateArg(*t)
	return &d
}

// UpdateCompetition writes c if its version is still c.Version; ErrConflict if not,
// ErrDuplicate if its new name and last day are another edition's.
func (t *Tx) UpdateCompetition(ctx context.Context, c *Competition) error {
	v := competitionValues(c)
	delete(v, "alliance_id")
	delete(v, "created_by")
	return unique(t.update(ctx, "competition", c.ID, c.Version, v))
}

// SetCompetitionSkills replaces the skills an edition contests.
func (t *Tx) SetCompetitionSkills(ctx context.Context, id int64, skills []int64) error {
	if _, err := t.exec(ctx, "DELETE FROM competition_skill WHERE competition_id = $1", id); err != nil {
		return fmt.Errorf("clear skills of competition %d: %w", id, err)
	}
	if _, err := t.exec(ctx, "INSERT INTO competition_skill (competition_id, skill_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING", id, int64Array(skills)); err != nil {
		return fmt.Errorf("set skills of competition %d: %w", id, err)
	}
	return nil
}

// LockCompetitionName holds, until the transaction ends, the alliance's edition of an
// English name ending on a day, whether it exists yet or not: concurrent retries of one
// scheduling then find the edition the first made rather than colliding on its key.
func (t *Tx) LockCompetitionName(ctx context.Context, alliance int64, nameEn string, last time.Time) error {
	if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('competition ' || $1::bigint || ' ' || $2::date || ' ' || $3::text, 0))",
		alliance, dateArg(last), nameEn); err != nil {
		return fmt.Errorf("lock competition %q of alliance %d: %w", nameEn, alliance, err)
	}
	return nil
}

// CompetitionNamed reads the alliance's edition of an English name ending on a day;
// ErrNotFound if none.
func (t *Tx) CompetitionNamed(ctx context.Context, alliance int64, nameEn string, last time.Time) (*Competition, error) {
	var c Competition
	if err := t.get(ctx, &c, "SELECT c.* FROM competition c WHERE c.alliance_id = $1 AND c.name_en = $2 AND c.held_on = $3::date",
		alliance, nameEn, dateArg(last)); err != nil {
		return nil, fmt.Errorf("read competition %q of alliance %d: %w", nameEn, alliance, err)
	}
	return &c, nil
}

// CompetitionSkillIDs lists the skills an edition contests.
func (t *Tx) CompetitionSkillIDs(ctx context.Context, id int64) ([]int64, error) {
	var ids []int64
	if err := t.selectRows(ctx, &ids, "SELECT skill_id FROM competition_skill WHERE competition_id = $1 ORDER BY skill_id", id); err != nil {
		return nil, fmt.Errorf("read skills of competition %d: %w", id, err)
	}
	return ids, nil
}

// LockCompetition reads an edition and locks it until the transaction ends, so that
// entries and changes to its days do not cross; ErrNotFound if none.
func (t *Tx) LockCompetition(ctx context.Context, id int64) (*Competition, error) {
	var c Competition
	if err := t.get(ctx, &c, "SELECT c.* FROM competition c WHERE c.id = $1 FOR UPDATE", id); err != nil {
		return nil, fmt.Errorf("lock competition %d: %w", id, err)
	}
	return &c, nil
}

// Competition reads an edition as it is now in the transaction.
func (t *Tx) Competition(ctx context.Context, id int64) (*Competition, error) {
	var c Competition
	if err := t.get(ctx, &c, "SELECT c.* FROM competition c WHERE c.id = $1", id); err != nil {
		return nil, fmt.Errorf("read competition %d: %w", id, err)
	}
	return &c, nil
}

// CompetitionHasSkill reports whether an edition contests skill; true when it names no
// skills at all.
func (t *Tx) CompetitionHasSkill(ctx context.Context, id, skill int64) (bool, error) {
	var ok bool
	err := t.get(ctx, &ok, `SELECT NOT EXISTS (SELECT 1 FROM competition_skill WHERE competition_id = $1)
		OR EXISTS (SELECT 1 FROM competition_skill WHERE competition_id = $1 AND skill_id = $2)`, id, skill)
	if err != nil {
		return false, fmt.Errorf("does competition %d contest skill %d: %w", id, skill, err)
	}
	return ok, nil
}

// RegistrationOf reads a talent's entry in an edition, locked; ErrNotFound if none.
func (t *Tx) RegistrationOf(ctx context.Context, competition, talent int64) (*Registration, error) {
	var r Registration
	if err := t.get(ctx, &r, "SELECT * FROM competition_registration WHERE competition_id = $1 AND talent_id = $2 FOR UPDATE", competition, talent); err != nil {
		return nil, fmt.Errorf("read entry of talent %d in competition %d: %w", talent, competition, err)
	}
	return &r, nil
}

// Register enters a talent, or renews its withdrawn entry, and returns the entry's id.
// The edition is locked by the caller, so two entries of one talent cannot race.
func (t *Tx) Register(ctx context.Context, r *Registration) (int64, error) {
	var id int64
	err := t.get(ctx, &id, `INSERT INTO competition_registration (competition_id, talent_id, organization_id, skill_id, registered_by)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (competition_id, talent_id) DO UPDATE SET state = 'REGISTERED', organization_id = EXCLUDED.organization_id,
			skill_id = EXCLUDED.skill_id, registered_by = EXCLUDED.registered_by, registered_at = now(), withdrawn_at = NULL,
			version = competition_registration.version + 1
		WHERE competition_registration.state = 'WITHDRAWN'
		RETURNING id`, r.CompetitionID, r.TalentID, r.OrganizationID, r.SkillID, r.RegisteredBy)
	if err != nil {
		return 0, fmt.Errorf("enter talent %d in competition %d: %w", r.TalentID, r.CompetitionID, err)
	}
	return id, nil
}

// LockRegistration reads an entry scope sees and locks it; ErrNotFound if none.
func (t *Tx) LockRegistration(ctx context.Context, scope RegistrationScope, id int64) (*Registration, error) {
	var r Registration
	args := bound{id}
	q := "SELECT g.* FROM competition_registration g JOIN competition c ON c.id = g.competition_id WHERE g.id = $1 AND " +
		scope.condition("g", "c", args.arg) + " FOR UPDATE OF g"
	if err := t.get(ctx, &r, q, args...); err != nil {
		return nil, fmt.Errorf("lock competition entry %d: %w", id, err)
	}
	return &r, nil
}

// Registration reads an entry as it is now in the transaction.
func (t *Tx) Registration(ctx context.Context, id int64) (*Registration, error) {
	var r Registration
	if err := t.get(ctx, &r, "SELECT * FROM competition_registration WHERE id = $1", id); err != nil {
		return nil, fmt.Errorf("read competition entry %d: %w", id, err)
	}
	return &r, nil
}

// WithdrawRegistration withdraws entry id at version; ErrConflict if it changed since.
func (t *Tx) WithdrawRegistration(ctx context.Context, id int64, version int) error {
	res, err := t.exec(ctx, `UPDATE competition_registration SET state = 'WITHDRAWN', withdrawn_at = now(), version = version + 1
		WHERE id = $1 AND version = $2 AND state = 'REGISTERED'`, id, version)
	if err != nil {
		return fmt.Errorf("withdraw competition entry %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return ErrConflict
	}
	return nil
}
