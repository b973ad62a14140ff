package demo_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
)

// testDB holds the demo at scale 1, loaded once in TestMain.
var testDB *pgtest.Database

// demoDay is the day the test demo describes: fixed, so that every run sees the same
// alliance (demo.Options.AsOf).
var demoDay = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, "demo", &testDB, func(ctx context.Context, d *pgtest.Database) error {
		_, err := demo.Load(ctx, d.DB, demo.Options{Scale: 1, AsOf: demoDay})
		return err
	}))
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func count(t *testing.T, db *sqlx.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := db.GetContext(ctx(t), &n, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// The demo's content: counts and invariants, each a query whose value must lie in [min, max].
func TestContent(t *testing.T) {
	const kickoff = `FROM partnership p JOIN partnership_participant pp ON pp.partnership_id = p.id WHERE p.signed_on = '2024-08-17'`
	tests := []struct {
		name     string
		query    string
		min, max int64
	}{
		{"one alliance", `SELECT count(*) FROM alliance WHERE slug = 'shenyang-high-skill' AND founded_on = '2024-08-17' AND city = 'Shenyang'`, 1, 1},
		{"45 schools", `SELECT count(*) FROM organization WHERE kind = 'SCHOOL'`, 45, 45},
		{"86 companies", `SELECT count(*) FROM organization WHERE kind = 'COMPANY'`, 86, 86},
		{"government agencies", `SELECT count(*) FROM organization WHERE kind = 'GOVERNMENT_AGENCY'`, 4, 6},
		{"industrial parks", `SELECT count(*) FROM organization WHERE kind = 'INDUSTRIAL_PARK'`, 5, 7},
		{"the HRSS bureau", `SELECT count(*) FROM organization WHERE name_zh = '沈阳市人力资源和社会保障局' AND jurisdiction = 'MUNICIPAL'`, 1, 1},
		{"German-invested firms in the Sino-German park", `SELECT count(*) FROM organization c JOIN organization p ON p.id = c.park_id
			WHERE c.foreign_invested AND p.name_en LIKE 'Sino-German%'`, 5, 30},
		{"most companies in a park", `SELECT count(*) FROM organization WHERE kind = 'COMPANY' AND park_id IS NOT NULL`, 50, 86},
		{"every organization is a member", `SELECT count(*) FROM organization o WHERE NOT EXISTS (SELECT 1 FROM membership m WHERE m.organization_id = o.id)`, 0, 0},
		{"founding members: 22 signatories and the bureau", `SELECT count(*) FROM membership WHERE role = 'FOUNDING_MEMBER' AND joined_on = '2024-08-17'`, 23, 23},
		{"only founders joined on the founding day", `SELECT count(*) FROM membership WHERE role <> 'FOUNDING_MEMBER' AND joined_on = '2024-08-17'`, 0, 0},
		{"all roles used", `SELECT count(DISTINCT role) FROM membership`, 4, 4},
		{"a few members left", `SELECT count(*) FROM membership WHERE left_on IS NOT NULL`, 1, 10},
		{"22 kick-off signatories", `SELECT count(DISTINCT pp.organization_id) ` + kickoff, 22, 22},
		{"kick-off kinds", `SELECT count(DISTINCT p.kind) ` + kickoff, 3, 3},
		{"later partnerships", `SELECT count(*) FROM partnership WHERE signed_on IS DISTINCT FROM '2024-08-17'`, 60, 120},
		{"all partnership kinds", `SELECT count(DISTINCT kind) FROM partnership`, 6, 6},
		{"all partnership statuses", `SELECT count(DISTINCT status) FROM partnership`, 5, 5},
		{"exactly one lead per partnership", `SELECT count(*) FROM partnership p
			WHERE (SELECT count(*) FROM partnership_participant pp WHERE pp.partnership_id = p.id AND pp.role = 'LEAD') <> 1`, 0, 0},
		{"2 to 5 participants and invitations pending", `SELECT count(*) FROM partnership p
			WHERE (SELECT count(*) FROM partnership_participant pp WHERE pp.partnership_id = p.id)
				+ (SELECT count(*) FROM partnership_invitation i WHERE i.partnership_id = p.id AND i.status = 'PENDING') NOT BETWEEN 2 AND 5`, 0, 0},
		{"a proposed partnership's lead alone takes part, the others are invited", `SELECT count(*) FROM partnership p
			WHERE p.status = 'PROPOSED' AND (EXISTS (SELECT 1 FROM partnership_participant pp WHERE pp.partnership_id = p.id AND pp.role <> 'LEAD')
				OR NOT EXISTS (SELECT 1 FROM partnership_invitation i WHERE i.partnership_id = p.id AND i.status = 'PENDING'))`, 0, 0},
		{"signed partnerships have no invitation pending", `SELECT count(*) FROM partnership_invitation i JOIN partnership p ON p.id = i.partnership_id
			WHERE i.status = 'PENDING' AND p.status <> 'PROPOSED'`, 0, 0},
		{"proposed iff unsigned", `SELECT count(*) FROM partnership WHERE (status = 'PROPOSED') <> (signed_on IS NULL)`, 0, 0},
		{"HRSS bureau sponsors", `SELECT count(*) FROM partnership_participant pp JOIN organization o ON o.id = pp.organization_id
			WHERE pp.role = 'SPONSOR' AND o.name_zh = '沈阳市人力资源和社会保障局'`, 1, 100},
		{"training centres", `SELECT count(*) FROM training_center`, 8, 12},
		{"every centre links members", `SELECT count(*) FROM training_center c WHERE NOT EXISTS (SELECT 1 FROM training_center_link l WHERE l.training_center_id = c.id)`, 0, 0},
		{"skills", `SELECT count(*) FROM skill`, 30, 50},
		{"two-level skill tree", `SELECT count(*) FROM skill c JOIN skill p ON p.id = c.parent_id WHERE p.parent_id IS NOT NULL`, 0, 0},
		{"all resource categories", `SELECT count(DISTINCT category) FROM resource`, 5, 5},
		{"training facilities", `SELECT count(*) FROM resource WHERE category = 'TRAINING_FACILITY'`, 30, 50},
		{"facilities booked for class meetings from tomorrow", `SELECT count(*) FROM facility_booking WHERE lower(period) > now() AND course_id IS NOT NULL`, 20, 2000},
		{"class bookings by courses held in the facility", `SELECT count(*) FROM facility_booking b WHERE b.purpose <> 'Class meeting' OR NOT EXISTS (SELECT 1 FROM resource c
			WHERE c.id = b.course_id AND c.facility_id = b.facility_id AND c.provider_id = b.organization_id)`, 0, 0},
		{"facilities keep opening hours", `SELECT count(*) FROM resource WHERE category = 'TRAINING_FACILITY' AND opening_hours IS NULL`, 0, 0},
		{"companies' teachers seconded to schools", `SELECT count(*) FROM secondment`, 5, 40},
		{"only companies lend and only schools ask", `SELECT count(*) FROM secondment s JOIN organization r ON r.id = s.requester_id
			JOIN organization p ON p.id = s.provider_id JOIN resource t ON t.id = s.teacher_id
			WHERE r.kind <> 'SCHOOL' OR p.kind <> 'COMPANY' OR t.provider_id <> p.id OR t.category <> 'TEACHER'`, 0, 0},
		{"secondments in every state", `SELECT count(DISTINCT state) FROM secondment`, 4, 4},
		{"a secondment running today", `SELECT count(*) FROM secondment WHERE state = 'ACCEPTED' AND period @> current_date`, 1, 20},
		{"requests awaiting an answer, one competing with an accepted secondment", `SELECT count(*) FROM secondment s WHERE s.state = 'REQUESTED'
			AND EXISTS (SELECT 1 FROM secondment a WHERE a.teacher_id = s.teacher_id AND a.state = 'ACCEPTED' AND a.period && s.period)`, 1, 20},
		{"job openings", `SELECT count(*) FROM resource WHERE category = 'JOB_OPENING'`, 250, 350},
		{"teachers", `SELECT count(*) FROM resource WHERE category = 'TEACHER'`, 100, 140},
		{"training courses", `SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE'`, 120, 180},
		{"competition results", `SELECT count(*) FROM resource WHERE category = 'COMPETITION_RESULT'`, 80, 120},
		{"few world-level results", `SELECT count(*) FROM resource WHERE competition_level = 'WORLD'`, 1, 5},
		{"filled = hired placements", `SELECT count(*) FROM resource r WHERE r.category = 'JOB_OPENING'
			AND r.filled <> (SELECT count(*) FROM placement p WHERE p.opening_id = r.id AND p.status = 'HIRED')`, 0, 0},
		{"opening status agrees with filled", `SELECT count(*) FROM resource WHERE category = 'JOB_OPENING'
			AND ((opening_status = 'FILLED') <> (filled = positions))`, 0, 0},
		{"all opening statuses", `SELECT count(DISTINCT opening_status) FROM resource`, 3, 3},
		{"openings require skills", `SELECT count(*) FROM resource r WHERE r.category = 'JOB_OPENING' AND NOT EXISTS (SELECT 1 FROM resource_skill s WHERE s.resource_id = r.id)`, 0, 0},
		{"enrolled = seated enrollments", `SELECT count(*) FROM resource r WHERE r.category = 'TRAINING_COURSE'
			AND r.enrolled <> (SELECT count(*) FROM enrollment e WHERE e.course_id = r.id AND e.state IN ('ENROLLED', 'COMPLETED'))`, 0, 0},
		// Enrolment to certificate: a running course full with a waitlist, whose dropped
		// trainee's seat went to the first waitlisted; passed and failed completions;
		// certificates at the level taught, each raising its talent's skill.
		{"a full running course with a waitlist", `SELECT count(*) FROM resource r WHERE r.enrolled = r.seats AND r.starts_on <= '2026-12-03' AND r.ends_on >= '2026-12-03'
			AND EXISTS (SELECT 1 FROM enrollment e WHERE e.course_id = r.id AND e.state = 'WAITLISTED')
			AND EXISTS (SELECT 1 FROM enrollment e WHERE e.course_id = r.id AND e.state = 'DROPPED')`, 1, 1},
		{"two still waitlisted, one promoted", `SELECT count(*) FROM enrollment e WHERE e.state = 'WAITLISTED'`, 2, 2},
		{"passed completions", `SELECT count(*) FROM enrollment WHERE result = 'PASSED'`, 300, 100000},
		{"failed completions", `SELECT count(*) FROM enrollment WHERE result = 'FAILED'`, 20, 100000},
		{"a certificate for every passed and certified completion", `SELECT count(*) FROM certificate`, 300, 100000},
		{"certificates raise their talents' skills", `SELECT count(*) FROM certificate c WHERE NOT EXISTS (SELECT 1 FROM talent_skill ts
			WHERE ts.talent_id = c.talent_id AND ts.skill_id = c.skill_id AND ts.level >= c.level AND ts.certified_on >= c.issued_on)`, 0, 0},
		{"intermediate and senior workers certified", `SELECT count(DISTINCT level) FROM certificate WHERE level IN (2, 3)`, 2, 2},
		{"courses have teachers", `SELECT count(*) FROM resource r WHERE r.category = 'TRAINING_COURSE' AND NOT EXISTS (SELECT 1 FROM course_teacher ct WHERE ct.course_id = r.id)`, 0, 0},
		{"course teachers shared before the course starts", `SELECT count(*) FROM course_teacher ct JOIN resource c ON c.id = ct.course_id
			JOIN resource t ON t.id = ct.teacher_id WHERE t.shared_on > c.starts_on`, 0, 0},
		{"course facilities are facilities", `SELECT count(*) FROM resource c JOIN resource f ON f.id = c.facility_id WHERE f.category <> 'TRAINING_FACILITY'`, 0, 0},
		{"teachers have expertise", `SELECT count(*) FROM resource r WHERE r.category = 'TEACHER' AND NOT EXISTS (SELECT 1 FROM resource_skill s WHERE s.resource_id = r.id)`, 0, 0},
		{"results come from the talent's school", `SELECT count(*) FROM resource r JOIN talent t ON t.id = r.talent_id
			WHERE r.category = 'COMPETITION_RESULT' AND r.provider_id IS DISTINCT FROM t.school_id`, 0, 0},
		{"restricted resources name members", `SELECT count(*) FROM resource r WHERE NOT r.shared_with_all AND NOT EXISTS (SELECT 1 FROM resource_share s WHERE s.resource_id = r.id)`, 0, 0},
		{"some restricted resources", `SELECT count(*) FROM resource WHERE NOT shared_with_all`, 20, 150},
		{"talents", `SELECT count(*) FROM talent`, 2000, 2000},
		{"all talent statuses", `SELECT count(DISTINCT status) FROM talent`, 4, 4},
		{"students have a school", `SELECT count(*) FROM talent WHERE status = 'STUDENT' AND school_id IS NULL`, 0, 0},
		{"employer iff employed", `SELECT count(*) FROM talent WHERE (status = 'EMPLOYED') <> (employer_id IS NOT NULL)`, 0, 0},
		{"2 or more skills per talent", `SELECT count(*) FROM talent t WHERE (SELECT count(*) FROM talent_skill s WHERE s.talent_id = t.id) < 2`, 0, 0},
		{"hires are employed by the provider", `SELECT count(*) FROM placement p JOIN resource r ON r.id = p.opening_id JOIN talent t ON t.id = p.talent_id
			WHERE p.status = 'HIRED' AND r.employment_type <> 'INTERNSHIP' AND (t.status <> 'EMPLOYED' OR t.employer_id <> r.provider_id)`, 0, 0},
		{"a talent is hired at most once", `SELECT count(*) FROM (SELECT talent_id FROM placement WHERE status = 'HIRED' GROUP BY talent_id HAVING count(*) > 1) x`, 0, 0},
		{"all placement statuses", `SELECT count(DISTINCT status) FROM placement`, 5, 5},
		{"enrollments", `SELECT count(*) FROM enrollment`, 1000, 10000},
		{"activity dates within the alliance's life", `SELECT count(*) FROM (
			SELECT joined_on AS d FROM membership UNION ALL SELECT left_on FROM membership
			UNION ALL SELECT signed_on FROM partnership UNION ALL SELECT ends_on FROM partnership
			UNION ALL SELECT starts_on FROM partnership WHERE status NOT IN ('PROPOSED', 'SIGNED')
			UNION ALL SELECT joined_on FROM partnership_participant UNION ALL SELECT established_on FROM training_center
			UNION ALL SELECT shared_on FROM resource UNION ALL SELECT awarded_on FROM resource
			UNION ALL SELECT registered_on FROM talent
			UNION ALL SELECT enrolled_on FROM enrollment UNION ALL SELECT applied_on FROM placement UNION ALL SELECT hired_on FROM placement
			) x WHERE d NOT BETWEEN '2024-08-17' AND '2026-12-03'`, 0, 0},
		{"certificates not in the future", `SELECT count(*) FROM talent_skill WHERE certified_on > '2026-12-03'`, 0, 0},
		{"partnerships yet to start are the signed and proposed ones", `SELECT count(*) FROM partnership
			WHERE starts_on > '2026-12-03' AND status NOT IN ('PROPOSED', 'SIGNED')`, 0, 0},
		{"the schedule runs a year ahead at most", `SELECT count(*) FROM resource WHERE starts_on > '2027-12-03' OR closes_on > '2027-12-03'`, 0, 0},
		{"courses starting in the coming year", `SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND starts_on > '2026-12-03'`, 30, 100},
		{"applications after registration and sharing", `SELECT count(*) FROM placement p JOIN talent t ON t.id = p.talent_id JOIN resource r ON r.id = p.opening_id
			WHERE p.applied_on < t.registered_on OR p.applied_on < r.shared_on`, 0, 0},
		{"resources shared after the provider joined", `SELECT count(*) FROM resource r JOIN membership m ON m.organization_id = r.provider_id
			WHERE r.shared_on < m.joined_on OR r.shared_on > m.left_on`, 0, 0},
		{"centres established after the operator joined", `SELECT count(*) FROM training_center c JOIN membership m ON m.organization_id = c.operator_id
			WHERE c.established_on < m.joined_on`, 0, 0},
		{"partnerships signed after joining", `SELECT count(*) FROM partnership p JOIN partnership_participant pp ON pp.partnership_id = p.id
			JOIN membership m ON m.organization_id = pp.organization_id WHERE p.signed_on < m.joined_on`, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := count(t, testDB.DB, tc.query); n < tc.min || n > tc.max {
				t.Errorf("got %d, want %d..%d", n, tc.min, tc.max)
			}
		})
	}
}

var allTables = []string{"alliance", "organization", "membership", "partnership", "partnership_participant", "training_center",
	"training_center_link", "skill", "resource", "resource_share", "resource_skill", "course_teacher", "talent", "talent_skill",
	"enrollment", "placement"}

var serialTables = []string{"alliance", "organization", "membership", "partnership", "training_center", "skill", "resource", "talent", "placement"}

func tableCounts(t *testing.T, db *sqlx.DB) map[string]int64 {
	out := map[string]int64{}
	for _, tb := range allTables {
		out[tb] = count(t, db, "SELECT count(*) FROM "+tb)
	}
	return out
}

// fingerprints hash ordered dumps of generated content (created_at excluded).
func fingerprints(t *testing.T, db *sqlx.DB) map[string]string {
	queries := map[string]string{
		"organization names": `SELECT md5(string_agg(name_en || '|' || name_zh, E'\n' ORDER BY id)) FROM organization`,
		"resources": `SELECT md5(string_agg(concat_ws('|', id, provider_id, category, title_en, title_zh, shared_on, shared_with_all,
			filled, opening_status, enrolled, starts_on, facility_id, talent_id, skill_id), E'\n' ORDER BY id)) FROM resource`,
		"talents":    `SELECT md5(string_agg(concat_ws('|', id, full_name, email, status, school_id, employer_id, registered_on), E'\n' ORDER BY id)) FROM talent`,
		"placements": `SELECT md5(string_agg(concat_ws('|', id, opening_id, talent_id, status, applied_on, hired_on), E'\n' ORDER BY id)) FROM placement`,
	}
	out := map[string]string{}
	for name, q := range queries {
		var s string
		if err := db.GetContext(ctx(t), &s, q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

func freshDB(t *testing.T, prefix string) *sqlx.DB {
	t.Helper()
	return pgtest.New(t, prefix).DB
}

// A second database: Seeded flips from false to true, and the content is identical to
// the first load (determinism).
func TestSeededAndDeterministic(t *testing.T) {
	t.Parallel()
	db := freshDB(t, "demo_again")
	seeded, err := demo.Seeded(ctx(t), db)
	if err != nil || seeded {
		t.Fatalf("Seeded on an empty database = %v, %v; want false, nil", seeded, err)
	}
	// Load drops and re-creates the foreign keys; they must come back unchanged.
	var keysBefore, keysAfter string
	const keys = `SELECT count(*) || ':' || md5(string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated,
		E'\n' ORDER BY conrelid::regclass::text, conname)) FROM pg_constraint WHERE contype = 'f'`
	if err := db.GetContext(ctx(t), &keysBefore, keys); err != nil {
		t.Fatal(err)
	}
	sum, err := demo.Load(ctx(t), db, demo.Options{Scale: 1, AsOf: demoDay})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx(t), &keysAfter, keys); err != nil {
		t.Fatal(err)
	}
	if keysBefore != keysAfter || strings.HasPrefix(keysAfter, "0:") {
		t.Errorf("foreign keys before Load %s, after %s", keysBefore, keysAfter)
	}
	t.Logf("scale 1: %+v", sum)
	seeded, err = demo.Seeded(ctx(t), db)
	if err != nil || !seeded {
		t.Fatalf("Seeded after Load = %v, %v; want true, nil", seeded, err)
	}
	want := tableCounts(t, testDB.DB)
	got := tableCounts(t, db)
	for _, tb := range allTables {
		if got[tb] != want[tb] {
			t.Errorf("%s: %d rows, first load had %d", tb, got[tb], want[tb])
		}
	}
	summary := map[string]int{"alliance": sum.Alliances, "organization": sum.Organizations, "membership": sum.Memberships,
		"partnership": sum.Partnerships, "training_center": sum.TrainingCenters, "resource": sum.Resources, "skill": sum.Skills,
		"talent": sum.Talents, "placement": sum.Placements}
	for tb, n := range summary {
		if int64(n) != got[tb] {
			t.Errorf("Summary says %d %s rows, table has %d", n, tb, got[tb])
		}
	}
	wantFP, gotFP := fingerprints(t, testDB.DB), fingerprints(t, db)
	for name, w := range wantFP {
		if gotFP[name] != w {
			t.Errorf("%s differ between two loads: %s vs %s", name, gotFP[name], w)
		}
	}
}

// Loading again into a seeded database fails and changes nothing.
func TestLoadTwiceFails(t *testing.T) {
	before := tableCounts(t, testDB.DB)
	if _, err := demo.Load(ctx(t), testDB.DB, demo.Options{Scale: 1, AsOf: demoDay}); err == nil {
		t.Fatal("second Load into the same database succeeded")
	}
	after := tableCounts(t, testDB.DB)
	for _, tb := range allTables {
		if before[tb] != after[tb] {
			t.Errorf("%s: %d rows before, %d after a failed Load", tb, before[tb], after[tb])
		}
	}
	if _, err := demo.Load(ctx(t), testDB.DB, demo.Options{Scale: 0, AsOf: demoDay}); err == nil {
		t.Error("Load with scale 0 succeeded")
	}
}

// Scale 2 doubles organisations and talents, keeps one skill taxonomy, and leaves every
// sequence at or above the highest id so that ordinary inserts keep working.
func TestScale2(t *testing.T) {
	t.Parallel()
	db := freshDB(t, "demo_scale2")
	if _, err := demo.Load(ctx(t), db, demo.Options{Scale: 2, AsOf: demoDay}); err != nil {
		t.Fatal(err)
	}
	base := testDB.DB
	doubled := []string{
		`SELECT count(*) FROM organization`,
		`SELECT count(*) FROM organization WHERE kind = 'SCHOOL'`,
		`SELECT count(*) FROM organization WHERE kind = 'COMPANY'`,
		`SELECT count(*) FROM organization WHERE kind = 'GOVERNMENT_AGENCY'`,
		`SELECT count(*) FROM organization WHERE kind = 'INDUSTRIAL_PARK'`,
		`SELECT count(*) FROM membership`,
		`SELECT count(*) FROM partnership`,
		`SELECT count(*) FROM training_center`,
		`SELECT count(*) FROM resource`,
		`SELECT count(*) FROM talent`,
		`SELECT count(DISTINCT pp.organization_id) FROM partnership p JOIN partnership_participant pp ON pp.partnership_id = p.id WHERE p.signed_on = '2024-08-17'`,
	}
	for _, q := range doubled {
		if one, two := count(t, base, q), count(t, db, q); two != 2*one {
			t.Errorf("%s: %d at scale 2, %d at scale 1", q, two, one)
		}
	}
	if one, two := count(t, base, `SELECT count(*) FROM skill`), count(t, db, `SELECT count(*) FROM skill`); one != two {
		t.Errorf("skills: %d at scale 2, %d at scale 1", two, one)
	}
	if n := count(t, db, `SELECT count(*) FROM organization WHERE name_en LIKE '% (Campus 2)'`); n != 45 {
		t.Errorf("%d second-copy schools named (Campus 2), want 45", n)
	}
	if n := count(t, db, `SELECT count(*) FROM placement`); n < 2*count(t, base, `SELECT count(*) FROM placement`)*8/10 {
		t.Errorf("only %d placements at scale 2", n)
	}
	for _, tb := range serialTables {
		q := fmt.Sprintf(`SELECT count(*) FROM pg_sequences WHERE format('%%I.%%I', schemaname, sequencename) = pg_get_serial_sequence('%[1]s', 'id')
			AND last_value >= (SELECT max(id) FROM %[1]s)`, tb)
		if count(t, db, q) != 1 {
			t.Errorf("sequence of %s is behind max(id)", tb)
		}
	}
	var id int64
	if err := db.GetContext(ctx(t), &id, `INSERT INTO organization (kind, name_en, name_zh, school_level) VALUES ('SCHOOL', 'New School', '新学校', 'UNIVERSITY') RETURNING id`); err != nil {
		t.Fatalf("insert after load: %v", err)
	}
	if max := count(t, db, `SELECT max(id) FROM organization WHERE id <> `+strconv.FormatInt(id, 10)); id <= max {
		t.Errorf("new organization got id %d, not above %d", id, max)
	}
}

// A role that may write the tables but does not own them cannot drop the foreign keys;
// Load then keeps them and lets PostgreSQL check every row.
func TestLoadWithoutOwnership(t *testing.T) {
	t.Parallel()
	role := fmt.Sprintf("demo_writer_%d", time.Now().UnixNano())
	admin, err := sqlx.Open("postgres", pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx(t), "CREATE ROLE "+role+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // runs after the database is dropped
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		a, err := sqlx.Open("postgres", pgtest.AdminURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer a.Close()
		if _, err := a.ExecContext(c, "DROP ROLE IF EXISTS "+role); err != nil {
			t.Error(err)
		}
	})
	d := pgtest.New(t, "demo_writer")
	for _, q := range []string{
		"GRANT CONNECT ON DATABASE " + d.Name + " TO " + role,
		"GRANT USAGE ON SCHEMA public TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + role,
	} {
		if _, err := d.DB.ExecContext(ctx(t), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	u, err := url.Parse(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Load(ctx(t), db, demo.Options{Scale: 1, AsOf: demoDay}); err != nil {
		t.Fatalf("Load as a non-owner: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM organization`); n != 142 {
		t.Errorf("%d organizations, want 142", n)
	}
	if n := count(t, d.DB, `SELECT count(*) FROM pg_constraint WHERE contype = 'f'`); n == 0 {
		t.Error("no foreign keys left")
	}
}

// TestScaleBenchmark loads a large synthetic alliance when DEMO_BENCH_SCALE is set, and
// reports the time it took. Run with: DEMO_BENCH_SCALE=100 go test -run ScaleBenchmark -v ./internal/demo
func TestScaleBenchmark(t *testing.T) {
	s := os.Getenv("DEMO_BENCH_SCALE")
	if s == "" {
		t.Skip("set DEMO_BENCH_SCALE to run")
	}
	scale, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	db := freshDB(t, "demo_bench")
	c, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	sum, err := demo.Load(c, db, demo.Options{Scale: scale, AsOf: demoDay})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scale %d: %+v", scale, sum)
	for tb, n := range tableCounts(t, db) {
		t.Logf("%-24s %9d", tb, n)
	}
}
