// Package demo loads a realistic, deterministic demo of the Shenyang
// "Government-School-Enterprise-Park" High-Skill Talent Training Alliance: 45 schools and
// 86 companies with government agencies and industrial parks, the 22 kick-off signatories
// of 17 August 2024 and later partnerships, job training centres, shared resources in the
// five areas (facilities, job openings, teachers, courses, competition results), a skill
// taxonomy, and about 2,000 talents with their skills, enrolments and placements.
//
// Load(ctx, db, K) writes K copies of every organisation and everything hanging off them
// (skills stay one taxonomy), for benchmarks. Everything is generated in memory from a
// fixed PCG seed, so the same scale always yields the same rows (ids included, when
// loaded into an empty database), and streamed to
// PostgreSQL with COPY in one transaction.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/booking"
)

// Summary counts the rows Load wrote. Skills counts only taxonomy entries that were
// new: skills whose code already existed are reused.
type Summary struct {
	Alliances, Organizations, Memberships, Partnerships, TrainingCenters, Resources, Skills, Talents, Placements, Events int
	// Took is the wall time of the whole load, commit included.
	Took time.Duration
}

// Options say what to load: the demo (Scale 1) or a K times larger synthetic alliance,
// as it stands on the day AsOf (its date is taken; the clock time is ignored). Its
// history runs from the founding, 17 August 2024, to that day, and its schedule a year
// beyond; the same options always give the same rows.
type Options struct {
	Scale int
	AsOf  time.Time
}

// earliestAsOf is the first day the demo can describe: the alliance needs a few months
// of history for its story.
var earliestAsOf = mkDay(2025, 1, 1)

// quietEventLog turns off, for this transaction, the event log's triggers that draw ids
// and notify listeners one row at a time: the loader assigns ids itself, in commit order
// (it holds the log's lock), and notifies once. The log's lock is taken either way. A
// role that does not own the table keeps the triggers, which then assign the same ids.
func quietEventLog(ctx context.Context, tx *sqlx.Tx) (bool, error) {
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('alliance-graph.event'))"); err != nil {
		return false, fmt.Errorf("demo: lock the event log: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT demo_event_triggers"); err != nil {
		return false, fmt.Errorf("demo: savepoint: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "ALTER TABLE event DISABLE TRIGGER event_in_commit_order, DISABLE TRIGGER event_notify"); err != nil {
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "42501" {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT demo_event_triggers"); err != nil {
				return false, fmt.Errorf("demo: rollback to savepoint: %w", err)
			}
			return false, nil
		}
		return false, fmt.Errorf("demo: disable the event log's triggers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT demo_event_triggers"); err != nil {
		return false, fmt.Errorf("demo: release savepoint: %w", err)
	}
	return true, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Seeded reports whether the database already holds an alliance (so first start loads the demo once).
func Seeded(ctx context.Context, db *sqlx.DB) (bool, error) {
	var ok bool
	if err := db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM alliance)`); err != nil {
		return false, fmt.Errorf("demo: check for an alliance: %w", err)
	}
	return ok, nil
}

// Tables with a bigserial id, in the order their bases are read.
var serialTables = []string{"alliance", "organization", "membership", "partnership", "training_center", "skill", "resource", "talent", "placement", "event", "competition",
	"enrollment", "certificate", "competition_registration"}

// Load writes the demo alliance scaled by scale (1 = the demo itself) in ONE transaction.
// scale K >= 1 generates a K-times larger synthetic alliance for benchmarks.
//
// Ids are assigned in Go above the highest id (or sequence value) already present, with
// the tables locked against concurrent writers for the duration; afterwards each sequence
// is set to the new maximum, so later inserts continue from there. Skills whose code
// already exists are reused and not counted in Summary.Skills. Load fails, writing
// nothing, when the demo alliance's slug is already taken.
//
// Row-by-row foreign-key checks would take about half of the time of a large load, so,
// as the PostgreSQL manual advises for bulk loading, the foreign keys of the loaded
// tables are dropped inside the transaction and re-added (which validates every row in
// one pass) before commit; other sessions never see the tables without them. This needs
// ownership of the tables and locks them against readers until commit (about 0.3 s at
// scale 1); a role that does not own them keeps the keys, checked per row.
func Load(ctx context.Context, db *sqlx.DB, opts Options) (Summary, error) {
	start := time.Now()
	scale := opts.Scale
	if scale < 1 {
		return Summary{}, fmt.Errorf("demo: scale must be at least 1, got %d", scale)
	}
	if opts.AsOf.IsZero() {
		return Summary{}, errors.New("demo: the day the demo describes (AsOf) is required")
	}
	y, m, d := opts.AsOf.Date()
	asOf := mkDay(y, m, d)
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	if _, err := tx.ExecContext(ctx, "LOCK TABLE "+strings.Join(serialTables, ", ")+" IN EXCLUSIVE MODE"); err != nil {
		return Summary{}, fmt.Errorf("demo: lock tables: %w", err)
	}
	var taken bool
	if err := tx.GetContext(ctx, &taken, `SELECT EXISTS (SELECT 1 FROM alliance WHERE slug = $1)`, allianceSlug); err != nil {
		return Summary{}, fmt.Errorf("demo: check alliance: %w", err)
	}
	if taken {
		return Summary{}, fmt.Errorf("demo: alliance %q already exists; load the demo into an empty database", allianceSlug)
	}
	base, err := readBases(ctx, tx)
	if err != nil {
		return Summary{}, err
	}
	existing, err := existingSkills(ctx, tx)
	if err != nil {
		return Summary{}, err
	}

	g, err := newGen(scale, asOf, base, existing)
	if err != nil {
		return Summary{}, err
	}
	if err := g.run(); err != nil {
		return Summary{}, err
	}
	fks, err := dropForeignKeys(ctx, tx)
	if err != nil {
		return Summary{}, err
	}
	quiet, err := quietEventLog(ctx, tx)
	if err != nil {
		return Summary{}, err
	}
	if err := g.write(ctx, tx, start); err != nil {
		return Summary{}, err
	}
	if quiet {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE event ENABLE TRIGGER event_in_commit_order, ENABLE TRIGGER event_notify"); err != nil {
			return Summary{}, fmt.Errorf("demo: re-enable the event log's triggers: %w", err)
		}
		// One wake-up for the whole history instead of one per event.
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify('alliance_event', $1)", fmt.Sprint(g.last.event)); err != nil {
			return Summary{}, fmt.Errorf("demo: notify: %w", err)
		}
	}
	if err := restoreForeignKeys(ctx, tx, fks); err != nil {
		return Summary{}, err
	}
	if err := setSequences(ctx, tx, g.base, g.last); err != nil {
		return Summary{}, err
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("demo: commit: %w", err)
	}
	// A bulk load leaves the planner's statistics stale and the visibility map empty until
	// autovacuum comes by: with stale statistics a partner lookup at scale 100 took 93 ms
	// instead of 3 ms, and without the visibility map index-only scans read the table.
	if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) "+strings.Join(loadedTables, ", ")); err != nil {
		return Summary{}, fmt.Errorf("demo: vacuum: %w", err)
	}
	s := Summary{
		Alliances:       1,
		Organizations:   len(g.orgs),
		Memberships:     len(g.orgs),
		Partnerships:    len(g.partnerships),
		TrainingCenters: len(g.centers),
		Resources:       len(g.resources),
		Skills:          int(g.last.skill - g.base.skill),
		Talents:         len(g.talents),
		Placements:      len(g.placements),
		Events:          len(g.events),
	}
	s.Took = time.Since(start)
	return s, nil
}

// The tables Load writes, in COPY order.
var loadedTables = []string{"alliance", "organization", "membership", "partnership", "partnership_participant", "partnership_invitation", "training_center",
	"training_center_link", "skill", "competition", "competition_skill", "talent", "resource", "resource_share", "resource_skill", "course_teacher", "talent_skill",
	"enrollment", "certificate", "placement", "event", "competition_registration"}

type foreignKey struct{ table, name, def string }

// dropForeignKeys drops the foreign keys of the loaded tables and returns their
// definitions. When the role may not alter the tables it drops nothing and returns none.
func dropForeignKeys(ctx context.Context, tx *sqlx.Tx) ([]foreignKey, error) {
	rows, err := tx.QueryxContext(ctx, `SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
		FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[])
		ORDER BY c.conrelid::regclass::text, c.conname`, pq.Array(loadedTables))
	if err != nil {
		return nil, fmt.Errorf("demo: read foreign keys: %w", err)
	}
	var fks []foreignKey
	for rows.Next() {
		var fk foreignKey
		if err := rows.Scan(&fk.table, &fk.name, &fk.def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("demo: read foreign keys: %w", err)
		}
		fks = append(fks, fk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo: read foreign keys: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT demo_foreign_keys"); err != nil {
		return nil, fmt.Errorf("demo: savepoint: %w", err)
	}
	for _, fk := range fks {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+fk.table+" DROP CONSTRAINT "+pq.QuoteIdentifier(fk.name)); err != nil {
			var pqErr *pq.Error
			if errors.As(err, &pqErr) && pqErr.Code == "42501" { // insufficient_privilege: not the owner
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT demo_foreign_keys"); err != nil {
					return nil, fmt.Errorf("demo: rollback to savepoint: %w", err)
				}
				return nil, nil
			}
			return nil, fmt.Errorf("demo: drop foreign key %s on %s: %w", fk.name, fk.table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT demo_foreign_keys"); err != nil {
		return nil, fmt.Errorf("demo: release savepoint: %w", err)
	}
	return fks, nil
}

// restoreForeignKeys re-creates the foreign keys dropForeignKeys dropped, each
// validating the whole table.
func restoreForeignKeys(ctx context.Context, tx *sqlx.Tx, fks []foreignKey) error {
	for _, fk := range fks {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+fk.table+" ADD CONSTRAINT "+pq.QuoteIdentifier(fk.name)+" "+fk.def); err != nil {
			return fmt.Errorf("demo: restore foreign key %s on %s: %w", fk.name, fk.table, err)
		}
	}
	return nil
}

func (p *ids) field(table string) *int64 {
	switch table {
	case "alliance":
		return &p.alliance
	case "organization":
		return &p.org
	case "membership":
		return &p.membership
	case "partnership":
		return &p.partnership
	case "training_center":
		return &p.center
	case "skill":
		return &p.skill
	case "resource":
		return &p.resource
	case "talent":
		return &p.talent
	case "placement":
		return &p.placement
	case "event":
		return &p.event
	case "competition":
		return &p.competition
	case "competition_registration":
		return &p.registration
	case "enrollment":
		return &p.enrollment
	case "certificate":
		return &p.certificate
	}
	panic("demo: no id counter for table " + table)
}

// readBases returns, per table, the highest id in use: the larger of max(id) and the
// sequence's last value.
func readBases(ctx context.Context, tx *sqlx.Tx) (ids, error) {
	var b ids
	cols := make([]string, len(serialTables))
	dest := make([]any, len(serialTables))
	for i, t := range serialTables {
		cols[i] = fmt.Sprintf(`GREATEST(
			COALESCE((SELECT max(id) FROM %[1]s), 0),
			COALESCE((SELECT last_value FROM pg_sequences
			          WHERE format('%%I.%%I', schemaname, sequencename) = pg_get_serial_sequence('%[1]s', 'id')), 0))`, t)
		dest[i] = b.field(t)
	}
	if err := tx.QueryRowxContext(ctx, "SELECT "+strings.Join(cols, ", ")).Scan(dest...); err != nil {
		return ids{}, fmt.Errorf("demo: read id bases: %w", err)
	}
	return b, nil
}

func existingSkills(ctx context.Context, tx *sqlx.Tx) (map[string]int64, error) {
	codes := make([]string, len(skillSpecs))
	for i, s := range skillSpecs {
		codes[i] = s.code
	}
	rows, err := tx.QueryxContext(ctx, `SELECT code, id FROM skill WHERE code = ANY($1)`, pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("demo: read skills: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			return nil, fmt.Errorf("demo: read skills: %w", err)
		}
		out[code] = id
	}
	return out, rows.Err()
}

func setSequences(ctx context.Context, tx *sqlx.Tx, base, last ids) error {
	for _, t := range serialTables {
		if *last.field(t) == *base.field(t) {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), $1)`, t)
		if _, err := tx.ExecContext(ctx, q, *last.field(t)); err != nil {
			return fmt.Errorf("demo: set sequence of %s: %w", t, err)
		}
	}
	return nil
}

// copyIn streams n rows into table with COPY FROM STDIN; row fills the values of row i.
func copyIn(ctx context.Context, tx *sqlx.Tx, table string, cols []string, n int, row func(i int, v []any)) error {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pq.QuoteIdentifier(c)
	}
	// The statement pq.CopyIn(table, cols...) builds; spelled out because that helper is
	// deprecated in lib/pq 1.12.
	stmt, err := tx.PrepareContext(ctx, "COPY "+pq.QuoteIdentifier(table)+" ("+strings.Join(quoted, ", ")+") FROM STDIN")
	if err != nil {
		return fmt.Errorf("demo: copy %s: %w", table, err)
	}
	v := make([]any, len(cols))
	for i := 0; i < n; i++ {
		clear(v)
		row(i, v)
		if _, err := stmt.ExecContext(ctx, v...); err != nil {
			stmt.Close()
			return fmt.Errorf("demo: copy %s row %d: %w", table, i, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return fmt.Errorf("demo: copy %s: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("demo: copy %s: %w", table, err)
	}
	return nil
}

// Nullable values for COPY.

func dv(d day) any {
	if d == 0 {
		return nil
	}
	return d.String()
}

func sv(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func iv(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func ov(o *org) any {
	if o == nil {
		return nil
	}
	return o.id
}

func arr(xs []string) any {
	if xs == nil {
		xs = []string{}
	}
	return pq.Array(xs)
}

func (g *gen) write(ctx context.Context, tx *sqlx.Tx, loaded time.Time) error {
	var (
		rskills []struct {
			res   int64
			skill int64
			level int
		}
		tskills []struct {
			talent int64
			status string
			ts     tskill
		}
	)
	for _, res := range g.resources {
		if res.category == "TRAINING_FACILITY" {
			continue // a facility's skill only guides generation
		}
		for _, s := range res.skills {
			rskills = append(rskills, struct {
				res   int64
				skill int64
				level int
			}{res.id, g.skills[s.skill].id, s.level})
		}
	}
	for _, t := range g.talents {
		for _, ts := range t.skills {
			tskills = append(tskills, struct {
				talent int64
				status string
				ts     tskill
			}{t.id, t.status, ts})
		}
	}
	var newSkills []*skill
	for i := range g.skills {
		if g.skills[i].isNew {
			newSkills = append(newSkills, &g.skills[i])
		}
	}
	var cskills [][2]int64
	for _, c := range g.competitions {
		for _, k := range c.skills {
			cskills = append(cskills, [2]int64{c.id, g.skills[k].id})
		}
	}
	desc := allianceDesc
	if g.scale > 1 {
		desc += fmt.Sprintf(" (Synthetic benchmark data: %d times the demo alliance.)", g.scale)
	}

	steps := []struct {
		table string
		cols  []string
		n     int
		row   func(i int, v []any)
	}{
		{"alliance", []string{"id", "slug", "name_en", "name_zh", "city", "founded_on", "description"}, 1, func(i int, v []any) {
			v[0], v[1], v[2], v[3], v[4], v[5], v[6] = g.allianceID, allianceSlug, allianceNameEn, allianceNameZh, allianceCity, dayFounded.String(), desc
		}},
		{"organization", []string{"id", "kind", "name_en", "name_zh", "description", "website", "district", "founded_year",
			"school_level", "majors", "student_count", "industry", "company_size", "employee_count", "park_id", "foreign_invested",
			"jurisdiction", "area_km2", "focus_industries"}, len(g.orgs), func(i int, v []any) {
			o := g.orgs[i]
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = o.id, o.kind, o.nameEn, o.nameZh, o.desc, sv(o.website), o.district, iv(o.founded)
			v[8], v[9] = sv(o.level), arr(o.majors)
			if o.kind == kindSchool {
				v[10] = o.students
			}
			v[11], v[12] = sv(o.industry), sv(o.size)
			if o.kind == kindCompany {
				v[13] = o.employees
			}
			v[14], v[15], v[16], v[17], v[18] = ov(o.park), o.origin != "", sv(o.jurisdiction), sv(o.area), arr(o.focusIndustries)
		}},
		{"membership", []string{"id", "alliance_id", "organization_id", "role", "joined_on", "left_on"}, len(g.orgs), func(i int, v []any) {
			o := g.orgs[i]
			v[0], v[1], v[2], v[3], v[4], v[5] = o.membershipID, g.allianceID, o.id, o.role, dv(o.joined), dv(o.left)
		}},
		{"partnership", []string{"id", "alliance_id", "title_en", "title_zh", "kind", "status", "description", "signed_on", "starts_on", "ends_on"},
			len(g.partnerships), func(i int, v []any) {
				p := g.partnerships[i]
				v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9] = p.id, g.allianceID, p.titleEn, p.titleZh, p.kind, p.status, p.desc, dv(p.signed), dv(p.starts), dv(p.ends)
			}},
		{"partnership_participant", []string{"partnership_id", "organization_id", "role", "joined_on"}, len(g.participants), func(i int, v []any) {
			p := g.participants[i]
			v[0], v[1], v[2], v[3] = p.partnership, p.org, p.role, dv(p.joined)
		}},
		{"partnership_invitation", []string{"partnership_id", "organization_id", "role", "status", "invited_on", "answered_on"}, len(g.invitations), func(i int, v []any) {
			inv := g.invitations[i]
			status := "ACCEPTED"
			if inv.answered == 0 {
				status = "PENDING"
			}
			v[0], v[1], v[2], v[3], v[4], v[5] = inv.partnership, inv.org, inv.role, status, inv.invited.String(), dv(inv.answered)
		}},
		{"training_center", []string{"id", "alliance_id", "operator_id", "name_en", "name_zh", "address", "description", "established_on"},
			len(g.centers), func(i int, v []any) {
				c := g.centers[i]
				v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = c.id, g.allianceID, c.operator.id, c.nameEn, c.nameZh, c.address, c.desc, c.established.String()
			}},
		{"training_center_link", []string{"training_center_id", "organization_id"}, len(g.centerLinks), func(i int, v []any) {
			v[0], v[1] = g.centerLinks[i].a, g.centerLinks[i].b
		}},
		{"skill", []string{"id", "code", "name_en", "name_zh", "category", "parent_id", "description"}, len(newSkills), func(i int, v []any) {
			s := newSkills[i]
			v[0], v[1], v[2], v[3], v[4], v[6] = s.id, s.spec.code, s.spec.en, s.spec.zh, s.spec.category, s.spec.desc
			if s.parent >= 0 {
				v[5] = g.skills[s.parent].id
			}
		}},
		{"competition", []string{"id", "alliance_id", "name_en", "name_zh", "level", "starts_on", "held_on", "venue_en", "venue_zh", "organizer_id",
			"registration_deadline", "created_by"}, len(g.competitions), func(i int, v []any) {
			c := g.competitions[i]
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] = c.id, g.allianceID, c.nameEn, c.nameZh, c.level, c.startsOn.String(), c.heldOn.String(), c.venueEn, c.venueZh
			if c.organizer != nil {
				v[9] = c.organizer.id
			}
			v[10], v[11] = dv(c.deadline), "demo"
		}},
		{"competition_skill", []string{"competition_id", "skill_id"}, len(cskills), func(i int, v []any) {
			v[0], v[1] = cskills[i][0], cskills[i][1]
		}},
		{"talent", []string{"id", "alliance_id", "full_name", "name_zh", "email", "phone", "birth_date", "status", "school_id", "employer_id",
			"graduation_year", "registered_on", "major"}, len(g.talents), func(i int, v []any) {
			t := g.talents[i]
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = t.id, g.allianceID, t.fullName, t.nameZh, t.email, t.phone, dv(t.birth), t.status
			v[8], v[9], v[10], v[11], v[12] = ov(t.school), ov(t.employer), iv(t.graduation), t.registered.String(), sv(t.major)
		}},
		{"resource", resourceCols, len(g.resources), func(i int, v []any) { g.resourceRow(g.resources[i], v) }},
		{"resource_share", []string{"resource_id", "organization_id"}, len(g.shares), func(i int, v []any) {
			v[0], v[1] = g.shares[i].a, g.shares[i].b
		}},
		{"resource_skill", []string{"resource_id", "skill_id", "level"}, len(rskills), func(i int, v []any) {
			v[0], v[1], v[2] = rskills[i].res, rskills[i].skill, rskills[i].level
		}},
		{"course_teacher", []string{"course_id", "teacher_id"}, len(g.courseTeach), func(i int, v []any) {
			v[0], v[1] = g.courseTeach[i].a, g.courseTeach[i].b
		}},
		// The talent's alliance and status are copied here rather than by the table's
		// trigger, which would look each talent up again (migration 00011).
		{"talent_skill", []string{"talent_id", "skill_id", "level", "certified_on", "alliance_id", "talent_status"}, len(tskills), func(i int, v []any) {
			ts := tskills[i]
			v[0], v[1], v[2], v[3], v[4], v[5] = ts.talent, g.skills[ts.ts.skill].id, ts.ts.level, dv(ts.ts.certified), g.allianceID, ts.status
		}},
		{"enrollment", []string{"id", "talent_id", "course_id", "enrolled_on", "completed", "state", "applied_at", "seated_on", "completed_on",
			"dropped_on", "result", "score"}, len(g.enrollments), func(i int, v []any) {
			e := g.enrollments[i]
			v[0], v[1], v[2], v[3], v[4], v[5] = e.id, e.talent, e.course, e.on.String(), e.completed, e.state
			v[6], v[7], v[8], v[9], v[10], v[11] = e.appliedAt().Format(time.RFC3339), dv(e.seated), dv(e.completedOn), dv(e.dropped), sv(e.result), iv(e.score)
		}},
		{"certificate", []string{"id", "enrollment_id", "talent_id", "skill_id", "level", "number", "issuer_id", "issued_on", "issued_by"},
			len(g.certificates), func(i int, v []any) {
				c := g.certificates[i]
				v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] = c.id, c.enrollment.id, c.enrollment.talent, g.skills[c.enrollment.skill].id,
					c.enrollment.level, c.number, c.issuer, c.issued.String(), "demo"
			}},
		{"placement", []string{"id", "opening_id", "talent_id", "status", "applied_on", "hired_on", "starting_salary"}, len(g.placements), func(i int, v []any) {
			p := g.placements[i]
			v[0], v[1], v[2], v[3], v[4], v[5], v[6] = p.id, p.opening, p.talent, p.status, p.applied.String(), dv(p.hired), iv(p.salary)
		}},
		{"competition_registration", []string{"id", "competition_id", "talent_id", "organization_id", "skill_id", "state", "registered_by", "registered_at", "withdrawn_at"},
			len(g.entries), func(i int, v []any) {
				e := g.entries[i]
				v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = e.id, e.competition, e.talent.id, e.talent.school.id, g.skills[e.skill].id, "REGISTERED", "demo", e.registered
				if e.withdrawn != nil {
					v[5], v[8] = "WITHDRAWN", *e.withdrawn
				}
			}},
		// The demo's history, written by the loader: actor "demo", role SYSTEM. Events
		// of a day are spread over its working hours (Shenyang, UTC+8) in log order.
		{"event", []string{"id", "alliance_id", "kind", "subject_id", "actor", "actor_role", "occurred_at", "payload", "resource_id", "restricted"},
			len(g.events), func(i int, v []any) {
				e := g.events[i]
				v[0], v[1], v[2], v[3], v[4], v[5], v[7] = e.id, g.allianceID, e.kind, e.subject, "demo", "SYSTEM", e.payload
				// Today's events may lie ahead of the clock when the demo is loaded in the
				// morning: they are moved back to now, keeping their order.
				v[6] = minTime(e.at, loaded.Add(-time.Duration(len(g.events)-i)*time.Millisecond)).Format(time.RFC3339Nano)
				if e.resource != nil {
					v[8], v[9] = e.resource.id, !e.resource.sharedWithAll
				} else {
					v[9] = false
				}
			}},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := copyIn(ctx, tx, s.table, s.cols, s.n, s.row); err != nil {
			return err
		}
	}
	if err := g.writeBookings(ctx, tx); err != nil {
		return err
	}
	return g.writeSecondments(ctx, tx)
}

var resourceCols = []string{"id", "alliance_id", "provider_id", "category", "title_en", "title_zh", "description", "shared_with_all", "shared_on", "training_center_id",
	"capacity", "address", "equipment",
	"positions", "filled", "salary_min", "salary_max", "employment_type", "opening_status", "closes_on",
	"teacher_name", "teacher_title", "dual_qualified", "years_experience",
	"hours", "seats", "enrolled", "starts_on", "ends_on", "facility_id",
	"competition", "competition_level", "award", "awarded_on", "talent_id", "skill_id", "opening_hours", "competition_id", "rank", "score"}

// facilityWeek is when the demo's facilities are open: weekdays from 07:30 to 21:30, for
// day classes and evening courses for workers, and Saturday mornings and afternoons.
var facilityWeek = func() string {
	var week booking.Hours
	for d := time.Monday; d <= time.Friday; d++ {
		week = append(week, booking.Opening{Day: d, Opens: 7*60 + 30, Closes: 21*60 + 30})
	}
	week = append(week, booking.Opening{Day: time.Saturday, Opens: 8 * 60, Closes: 17 * 60})
	b, _ := json.Marshal(week) // a week of numbers always encodes
	return string(b)
}()

func (g *gen) resourceRow(r *resource, v []any) {
	v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] = r.id, g.allianceID, r.provider.id, r.category, r.titleEn, r.titleZh, r.desc, r.sharedWithAll, r.sharedOn.String()
	if r.center != nil {
		v[9] = r.center.id
	}
	v[12] = arr(nil)
	switch r.category {
	case "TRAINING_FACILITY":
		v[10], v[11], v[12], v[36] = r.capacity, r.address, arr(r.equipment), facilityWeek
	case "JOB_OPENING":
		v[13], v[14], v[15], v[16], v[17], v[18], v[19] = r.positions, r.filled, r.salaryMin, r.salaryMax, r.employmentType, r.openingStatus, dv(r.closesOn)
	case "TEACHER":
		v[20], v[21], v[22], v[23] = r.teacherName, sv(r.teacherTitle), r.dualQualified, r.years
	case "TRAINING_COURSE":
		v[24], v[25], v[26], v[27], v[28] = r.hours, r.seats, r.enrolled, dv(r.startsOn), dv(r.endsOn)
		if r.facility != nil {
			v[29] = r.facility.id
		}
	case "COMPETITION_RESULT":
		v[30], v[31], v[32], v[33], v[34], v[35] = r.competition, r.competitionLevel, r.award, r.awardedOn.String(), r.talent.id, r.skill
		v[37], v[38], v[39] = r.edition, r.rank, r.score
	}
}
