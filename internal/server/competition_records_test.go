package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

const scheduleCompetition = `mutation($input: ScheduleCompetitionInput!) {
	scheduleCompetition(input: $input) {
		competition { id version name { en zh } level startsOn endsOn heldOn venue { en zh } organizer { id } registrationDeadline
			registrationOpen upcoming skills { id } trades registrationCount }
		userErrors { field message code }
	}
}`

const updateCompetition = `mutation($input: UpdateCompetitionInput!) {
	updateCompetition(input: $input) {
		competition { id version name { en zh } level startsOn endsOn registrationDeadline registrationOpen skills { id } }
		userErrors { field message code }
	}
}`

const registerForCompetition = `mutation($input: RegisterForCompetitionInput!) {
	registerForCompetition(input: $input) {
		registration { id version state registeredAt withdrawnAt competition { id registrationCount } talent { id } organization { id } skill { id } }
		userErrors { field message code }
	}
}`

const withdrawCompetitionRegistration = `mutation($input: WithdrawCompetitionRegistrationInput!) {
	withdrawCompetitionRegistration(input: $input) {
		registration { id version state withdrawnAt }
		userErrors { field message code }
	}
}`

type idOnly struct{ ID string }

// page is a page of a connection as the tests read it.
type page[T any] struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   string
	}
	Edges []struct{ Node T }
}

func (p page[T]) nodes() []T {
	out := make([]T, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node
	}
	return out
}

type competitionNode struct {
	ID, Level, StartsOn, EndsOn, HeldOn string
	Version                             int
	Name                                struct{ En, Zh string }
	Venue                               *struct{ En, Zh string }
	Organizer                           *idOnly
	RegistrationDeadline                *string
	RegistrationOpen, Upcoming          bool
	Skills                              []idOnly
	Trades                              []string
	RegistrationCount                   int
}

type competitionPayload struct{ Competition *competitionNode }

type registrationNode struct {
	ID, State    string
	Version      int
	RegisteredAt string
	WithdrawnAt  *string
	Competition  struct {
		ID                string
		RegistrationCount int
	}
	Talent, Organization idOnly
	Skill                *idOnly
}

type registrationPayload struct{ Registration *registrationNode }

// compDay is the day n days after the server's day, as the API writes it.
func compDay(n int) string { return demoDay.AddDate(0, 0, n).Format(time.DateOnly) }

func skillGID(k int64) string  { return relay.ID(relay.TypeSkill, k) }
func talentGID(k int64) string { return relay.ID(relay.TypeTalent, k) }
func compGID(k int64) string   { return relay.ID(relay.TypeCompetition, k) }

// competitionFixture is an organizing school, a school and a company with a talent each
// (its student, its employee), a bystander member, and three skills: a child beneath a
// parent, both in manufacturing, and one of another trade.
type competitionFixture struct {
	f                                 *authzFixtures
	organizer, school, company, other int64
	student, employee                 int64
	parent, child, digital            int64
}

func compSkill(t *testing.T, category string, parent int64) int64 {
	t.Helper()
	return authzInsert(t, `INSERT INTO skill (code, name_en, name_zh, category, parent_id) VALUES ($1, $2, '竞赛技能', $3, $4) RETURNING id`,
		fmt.Sprintf("COMP.%d", authzSeq.Add(1)), authzName("competition skill"), category, authzNullKey(parent))
}

func newCompetitionFixture(t *testing.T) *competitionFixture {
	t.Helper()
	f := newAuthzFixtures(t)
	c := &competitionFixture{f: f, organizer: f.org(t, "SCHOOL"), school: f.org(t, "SCHOOL"), company: f.org(t, "COMPANY"), other: f.org(t, "COMPANY")}
	for _, o := range []int64{c.organizer, c.school, c.company, c.other} {
		f.membership(t, o)
	}
	c.student, c.employee = f.talent(t, c.school, 0), f.talent(t, 0, c.company)
	c.parent = compSkill(t, "MANUFACTURING", 0)
	c.child = compSkill(t, "MANUFACTURING", c.parent)
	c.digital = compSkill(t, "DIGITAL", 0)
	return c
}

// input schedules an edition organized by the organizer, from 30 to 32 days ahead,
// taking registrations until 20 days ahead, in the child and the digital skill; extra
// overrides fields, a nil value removing one.
func (c *competitionFixture) input(extra map[string]any) map[string]any {
	in := map[string]any{"allianceId": c.f.allianceID(), "name": authzBilingual(authzName("Skills Cup")), "level": "CITY",
		"startsOn": compDay(30), "endsOn": compDay(32), "registrationDeadline": compDay(20),
		"venue": map[string]any{"en": "Shenyang Exhibition Centre", "zh": "沈阳会展中心"}, "organizerId": authzOrgID(c.organizer),
		"skillIds": []string{skillGID(c.child), skillGID(c.digital)}}
	for k, v := range extra {
		if v == nil {
			delete(in, k)
		} else {
			in[k] = v
		}
	}
	return in
}

// schedule puts an edition on the calendar as v and fails the test if refused.
func (c *competitionFixture) schedule(t *testing.T, ts *testServer, v auth.Viewer, extra map[string]any) *competitionNode {
	t.Helper()
	var out competitionPayload
	if errs, gqlErrs := mutate(t, ts, v, scheduleCompetition, c.input(extra), "scheduleCompetition", &out); len(errs)+len(gqlErrs) > 0 || out.Competition == nil {
		t.Fatalf("scheduling refused: %+v %+v", errs, gqlErrs)
	}
	return out.Competition
}

// edition writes an edition straight into the database, for days the API refuses
// (past ones); deadline is nil for none.
func (c *competitionFixture) edition(t *testing.T, level, startsOn, endsOn string, deadline any, skills ...int64) int64 {
	t.Helper()
	id := authzInsert(t, `INSERT INTO competition (alliance_id, name_en, name_zh, level, starts_on, held_on, organizer_id, registration_deadline, created_by)
		VALUES ($1, $2, '历届竞赛', $3, $4, $5, $6, $7, 'test') RETURNING id`, c.f.alliance, authzName("Past Cup"), level, startsOn, endsOn, c.organizer, deadline)
	for _, k := range skills {
		authzExec(t, `INSERT INTO competition_skill (competition_id, skill_id) VALUES ($1, $2)`, id, k)
	}
	return id
}

// register enters a talent as v and fails the test if refused.
func register(t *testing.T, ts *testServer, v auth.Viewer, input map[string]any) *registrationNode {
	t.Helper()
	var out registrationPayload
	if errs, gqlErrs := mutate(t, ts, v, registerForCompetition, input, "registerForCompetition", &out); len(errs)+len(gqlErrs) > 0 || out.Registration == nil {
		t.Fatalf("registration refused: %+v %+v", errs, gqlErrs)
	}
	return out.Registration
}

// refusal checks that a mutation was refused with one user error of code at field, or,
// when field is "", with one top-level error of code.
func refusal(t *testing.T, name string, errs []userError, gqlErrs []gqlError, field, code string) {
	t.Helper()
	if field == "" {
		if len(gqlErrs) != 1 || gqlErrs[0].Extensions["code"] != code {
			t.Errorf("%s: errors %+v (user errors %+v), want one %s", name, gqlErrs, errs, code)
		}
		return
	}
	if len(gqlErrs) > 0 || len(errs) != 1 || errs[0].Code != code || joinPath(errs[0].Field) != field {
		t.Errorf("%s: user errors %+v (errors %+v), want %s at %s", name, errs, gqlErrs, code, field)
	}
}

// competitionEvents reads the events of kinds about subject through the API, as v.
func competitionEvents(t *testing.T, ts *testServer, v auth.Viewer, subject string, kinds ...string) []struct {
	Kind, ActorRole string
	Payload         map[string]any
} {
	t.Helper()
	r := ts.queryAs(t, v, `query($s: ID!, $k: [EventKind!]) { events(first: 100, filter: {subjects: [$s], kinds: $k}) { edges { node { kind actorRole payload } } } }`,
		map[string]any{"s": subject, "k": kinds})
	if len(r.Errors) > 0 {
		t.Fatalf("events: %+v", r.Errors)
	}
	var out struct {
		Events struct {
			Edges []struct {
				Node struct {
					Kind, ActorRole string
					Payload         map[string]any
				}
			}
		}
	}
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	var evs []struct {
		Kind, ActorRole string
		Payload         map[string]any
	}
	for _, e := range out.Events.Edges {
		evs = append(evs, e.Node)
	}
	return evs
}

func TestScheduleCompetitionPutsAnEditionOnTheCalendarForItsOrganizer(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)

	// ADMIN schedules for any organizer.
	byAdmin := c.schedule(t, ts, admin, nil)
	if byAdmin.Version != 1 || byAdmin.Level != "CITY" || byAdmin.StartsOn != compDay(30) || byAdmin.EndsOn != compDay(32) || byAdmin.HeldOn != compDay(32) ||
		byAdmin.RegistrationDeadline == nil || *byAdmin.RegistrationDeadline != compDay(20) || !byAdmin.RegistrationOpen || !byAdmin.Upcoming ||
		byAdmin.Organizer == nil || byAdmin.Organizer.ID != authzOrgID(c.organizer) || byAdmin.Venue == nil || byAdmin.Venue.Zh != "沈阳会展中心" ||
		byAdmin.RegistrationCount != 0 {
		t.Errorf("scheduled by ADMIN: %+v", byAdmin)
	}
	// Skills in code order, and their trades in that order, each once.
	var ordered []struct {
		ID       int64  `db:"id"`
		Category string `db:"category"`
	}
	if err := writeDB.DB.Select(&ordered, "SELECT id, category FROM skill WHERE id IN ($1, $2) ORDER BY code", c.child, c.digital); err != nil {
		t.Fatal(err)
	}
	if want := []idOnly{{skillGID(ordered[0].ID)}, {skillGID(ordered[1].ID)}}; fmt.Sprint(byAdmin.Skills) != fmt.Sprint(want) {
		t.Errorf("skills %v, want %v", byAdmin.Skills, want)
	}
	if want := []string{ordered[0].Category, ordered[1].Category}; fmt.Sprint(byAdmin.Trades) != fmt.Sprint(want) {
		t.Errorf("trades %v, want %v", byAdmin.Trades, want)
	}
	if one := c.schedule(t, ts, admin, map[string]any{"skillIds": []string{skillGID(c.child), skillGID(c.parent)}}); fmt.Sprint(one.Trades) != "[MANUFACTURING]" {
		t.Errorf("two skills of one trade: trades %v, want it once", one.Trades)
	}
	// A MEMBER schedules for itself, named or implied; ADMIN may name no organizer; the
	// longest contest, 61 days, is allowed; a deadline of today is allowed.
	for _, tc := range []struct {
		name      string
		viewer    auth.Viewer
		extra     map[string]any
		organizer *string
		open      bool
	}{
		{"a member, implied", memberOf(c.school), map[string]any{"organizerId": nil}, ptrTo(authzOrgID(c.school)), true},
		{"a member, named", memberOf(c.school), map[string]any{"organizerId": authzOrgID(c.school)}, ptrTo(authzOrgID(c.school)), true},
		{"ADMIN without organizer", admin, map[string]any{"organizerId": nil}, nil, true},
		{"61 days, deadline today", memberOf(c.organizer), map[string]any{"startsOn": compDay(1), "endsOn": compDay(61), "registrationDeadline": compDay(0)}, ptrTo(authzOrgID(c.organizer)), true},
		{"no deadline, no skills, no venue", memberOf(c.organizer), map[string]any{"registrationDeadline": nil, "skillIds": nil, "venue": nil}, ptrTo(authzOrgID(c.organizer)), false},
	} {
		got := c.schedule(t, ts, tc.viewer, tc.extra)
		if (got.Organizer == nil) != (tc.organizer == nil) || (got.Organizer != nil && got.Organizer.ID != *tc.organizer) {
			t.Errorf("%s: organizer %+v, want %v", tc.name, got.Organizer, tc.organizer)
		}
		// Registration is open on the deadline's day, and closed without a deadline.
		if got.RegistrationOpen != tc.open {
			t.Errorf("%s: registrationOpen %v, want %v", tc.name, got.RegistrationOpen, tc.open)
		}
	}

	// Refusals write neither edition nor event.
	dup := c.schedule(t, ts, admin, nil)
	competitions := ts.sqlInt(t, "SELECT count(*) FROM competition")
	skillRows := ts.sqlInt(t, "SELECT count(*) FROM competition_skill")
	lastEvent := ts.sqlInt(t, "SELECT coalesce(max(id), 0) FROM event")
	member := memberOf(c.organizer)
	unknownSkill := skillGID(987654321)
	for _, tc := range []struct {
		name        string
		viewer      auth.Viewer
		extra       map[string]any
		field, code string
	}{
		{"last day before the first", member, map[string]any{"startsOn": compDay(30), "endsOn": compDay(29)}, "input.endsOn", "DATES_OUT_OF_ORDER"},
		{"starting in the past", member, map[string]any{"startsOn": compDay(-2), "endsOn": compDay(1), "registrationDeadline": nil}, "input.startsOn", "OUT_OF_RANGE"},
		{"deadline on the first day", member, map[string]any{"registrationDeadline": compDay(30)}, "input.registrationDeadline", "DATES_OUT_OF_ORDER"},
		{"deadline after the first day", member, map[string]any{"registrationDeadline": compDay(31)}, "input.registrationDeadline", "DATES_OUT_OF_ORDER"},
		{"deadline passed", member, map[string]any{"registrationDeadline": compDay(-1)}, "input.registrationDeadline", "OUT_OF_RANGE"},
		{"62 days", member, map[string]any{"startsOn": compDay(1), "endsOn": compDay(62), "registrationDeadline": nil}, "input.endsOn", "OUT_OF_RANGE"},
		{"unknown skill", member, map[string]any{"skillIds": []string{unknownSkill}}, "input.skillIds", "NOT_FOUND"},
		{"same name, same last day", admin, map[string]any{"name": map[string]any{"en": dup.Name.En, "zh": "另一个"}}, "input.name.en", "DUPLICATE"},
		{"another member as organizer", member, map[string]any{"organizerId": authzOrgID(c.school)}, "", "FORBIDDEN"},
		{"an analyst", analyst, nil, "", "FORBIDDEN"},
		{"anonymous", auth.Viewer{}, nil, "", "UNAUTHENTICATED"},
	} {
		var out competitionPayload
		errs, gqlErrs := mutate(t, ts, tc.viewer, scheduleCompetition, c.input(tc.extra), "scheduleCompetition", &out)
		refusal(t, tc.name, errs, gqlErrs, tc.field, tc.code)
		if out.Competition != nil {
			t.Errorf("%s: a refused call returned %+v", tc.name, out.Competition)
		}
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM competition"); n != competitions {
		t.Errorf("refused calls wrote %d editions", n-competitions)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM event WHERE id > $1", lastEvent); n != 0 {
		t.Errorf("refused calls wrote %d events", n)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM competition_skill"); n != skillRows {
		t.Errorf("refused calls wrote %d skills of editions", n-skillRows)
	}

	// The event is public, and says the level and the days.
	evs := competitionEvents(t, ts, auth.Viewer{}, byAdmin.ID, "COMPETITION_SCHEDULED")
	if len(evs) != 1 || evs[0].ActorRole != "ADMIN" || evs[0].Payload["level"] != "CITY" || evs[0].Payload["startsOn"] != compDay(30) || evs[0].Payload["endsOn"] != compDay(32) {
		t.Errorf("COMPETITION_SCHEDULED events: %+v", evs)
	}
}

func TestUpdateCompetitionIsTheOrganizersOrAdminsWhileItHasNotEnded(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	comp := c.schedule(t, ts, admin, nil)
	organizer := memberOf(c.organizer)

	var out competitionPayload
	newName := authzName("Renamed Cup")
	in := map[string]any{"id": comp.ID, "version": 1, "name": map[string]any{"en": newName, "zh": "新名称"}, "registrationDeadline": compDay(25),
		"skillIds": []string{skillGID(c.parent)}}
	if errs, gqlErrs := mutate(t, ts, organizer, updateCompetition, in, "updateCompetition", &out); len(errs)+len(gqlErrs) > 0 || out.Competition == nil {
		t.Fatalf("the organizer's change refused: %+v %+v", errs, gqlErrs)
	}
	if u := out.Competition; u.Version != 2 || u.Name.En != newName || u.RegistrationDeadline == nil || *u.RegistrationDeadline != compDay(25) ||
		len(u.Skills) != 1 || u.Skills[0].ID != skillGID(c.parent) || u.StartsOn != compDay(30) || u.Level != "CITY" {
		t.Errorf("changed by the organizer: %+v", u)
	}
	if errs, gqlErrs := mutate(t, ts, admin, updateCompetition, map[string]any{"id": comp.ID, "version": 2, "level": "PROVINCIAL"}, "updateCompetition", &out); len(errs)+len(gqlErrs) > 0 || out.Competition.Level != "PROVINCIAL" || out.Competition.Version != 3 {
		t.Fatalf("ADMIN's change: %+v %+v %+v", errs, gqlErrs, out.Competition)
	}
	evs := competitionEvents(t, ts, auth.Viewer{}, comp.ID, "COMPETITION_UPDATED")
	if len(evs) != 2 || fmt.Sprint(evs[0].Payload["fields"]) != "[name registrationDeadline skillIds]" || fmt.Sprint(evs[1].Payload["fields"]) != "[level]" {
		t.Errorf("COMPETITION_UPDATED events: %+v", evs)
	}

	sibling := c.schedule(t, ts, admin, nil) // ends the same day
	ended := compGID(c.edition(t, "CITY", compDay(-5), compDay(-3), nil))
	underWay := compGID(c.edition(t, "CITY", compDay(-1), compDay(2), nil))
	lastEvent := ts.sqlInt(t, "SELECT coalesce(max(id), 0) FROM event")
	before := authzRows(t, authzQ(`SELECT * FROM competition WHERE id = $1`, mustKey(t, comp.ID)))
	for _, tc := range []struct {
		name        string
		viewer      auth.Viewer
		input       map[string]any
		field, code string
	}{
		{"a stale version", organizer, map[string]any{"id": comp.ID, "version": 2, "level": "WORLD"}, "input.version", "CONFLICT"},
		{"an ended edition", organizer, map[string]any{"id": ended, "version": 1, "level": "WORLD"}, "input.id", "INVALID_TRANSITION"},
		{"an ended edition, by ADMIN", admin, map[string]any{"id": ended, "version": 1, "endsOn": compDay(1)}, "input.id", "INVALID_TRANSITION"},
		{"a first day moved into the past", organizer, map[string]any{"id": comp.ID, "version": 3, "startsOn": compDay(-1)}, "input.startsOn", "OUT_OF_RANGE"},
		{"a last day before the first", organizer, map[string]any{"id": comp.ID, "version": 3, "endsOn": compDay(29)}, "input.endsOn", "DATES_OUT_OF_ORDER"},
		{"a deadline after the first day", organizer, map[string]any{"id": comp.ID, "version": 3, "registrationDeadline": compDay(31)}, "input.registrationDeadline", "DATES_OUT_OF_ORDER"},
		// The first day moved before the deadline kept: the deadline no longer precedes it.
		{"a first day before the deadline kept", organizer, map[string]any{"id": comp.ID, "version": 3, "startsOn": compDay(10)}, "input.startsOn", "DATES_OUT_OF_ORDER"},
		{"another edition's name and last day", organizer, map[string]any{"id": comp.ID, "version": 3, "name": map[string]any{"en": sibling.Name.En, "zh": "重名"}}, "input.name.en", "DUPLICATE"},
		{"an unknown skill", organizer, map[string]any{"id": comp.ID, "version": 3, "skillIds": []string{skillGID(987654321)}}, "input.skillIds", "NOT_FOUND"},
		{"another member", memberOf(c.other), map[string]any{"id": comp.ID, "version": 3, "level": "WORLD"}, "", "FORBIDDEN"},
		{"a member entering talents", memberOf(c.school), map[string]any{"id": comp.ID, "version": 3, "level": "WORLD"}, "", "FORBIDDEN"},
		{"an analyst", analyst, map[string]any{"id": comp.ID, "version": 3, "level": "WORLD"}, "", "FORBIDDEN"},
		{"anonymous", auth.Viewer{}, map[string]any{"id": comp.ID, "version": 3, "level": "WORLD"}, "", "UNAUTHENTICATED"},
		{"no such edition", admin, map[string]any{"id": compGID(987654321), "version": 1, "level": "WORLD"}, "input.id", "NOT_FOUND"},
	} {
		errs, gqlErrs := mutate(t, ts, tc.viewer, updateCompetition, tc.input, "updateCompetition", nil)
		refusal(t, tc.name, errs, gqlErrs, tc.field, tc.code)
	}
	if after := authzRows(t, authzQ(`SELECT * FROM competition WHERE id = $1`, mustKey(t, comp.ID))); after != before {
		t.Errorf("refused changes changed the edition:\nbefore %s\nafter  %s", before, after)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM event WHERE id > $1", lastEvent); n != 0 {
		t.Errorf("refused changes wrote %d events", n)
	}
	// An edition without organizer is ADMIN's alone.
	orphan := c.schedule(t, ts, admin, map[string]any{"organizerId": nil})
	errs, gqlErrs := mutate(t, ts, organizer, updateCompetition, map[string]any{"id": orphan.ID, "version": 1, "level": "WORLD"}, "updateCompetition", nil)
	refusal(t, "a member changing an edition without organizer", errs, gqlErrs, "", "FORBIDDEN")
	// An edition under way keeps its first day but may run longer.
	if errs, gqlErrs := mutate(t, ts, organizer, updateCompetition, map[string]any{"id": underWay, "version": 1, "endsOn": compDay(4)}, "updateCompetition", &out); len(errs)+len(gqlErrs) > 0 || out.Competition.EndsOn != compDay(4) {
		t.Errorf("lengthening an edition under way: %+v %+v", errs, gqlErrs)
	}
}

func mustKey(t *testing.T, id string) int64 {
	t.Helper()
	_, k, err := relay.ParseID(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRegisterForCompetitionEntersAMembersOwnTalentsWhileOpen(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	comp := c.schedule(t, ts, admin, nil)
	school, company := memberOf(c.school), memberOf(c.company)
	entry := func(talent int64, extra map[string]any) map[string]any {
		in := map[string]any{"competitionId": comp.ID, "talentId": talentGID(talent), "skillId": skillGID(c.child)}
		for k, v := range extra {
			if v == nil {
				delete(in, k)
			} else {
				in[k] = v
			}
		}
		return in
	}

	// A member of the demo enters one of its students, found by SQL.
	var demo struct {
		School int64 `db:"school_id"`
		Talent int64 `db:"id"`
	}
	if err := writeDB.DB.Get(&demo, `SELECT t.school_id, t.id FROM talent t JOIN membership m ON m.organization_id = t.school_id AND m.left_on IS NULL
		WHERE t.alliance_id = $1 AND t.full_name NOT LIKE 'Authz%' ORDER BY t.id LIMIT 1`, c.f.alliance); err != nil {
		t.Fatal(err)
	}
	got := register(t, ts, memberOf(demo.School), entry(demo.Talent, nil))
	if got.State != "REGISTERED" || got.Version != 1 || got.Organization.ID != authzOrgID(demo.School) || got.Talent.ID != talentGID(demo.Talent) ||
		got.Competition.ID != comp.ID || got.Competition.RegistrationCount != 1 || got.Skill == nil || got.Skill.ID != skillGID(c.child) || got.WithdrawnAt != nil {
		t.Errorf("the demo school's entry: %+v", got)
	}
	// A company enters its employee, without a skill.
	if e := register(t, ts, company, entry(c.employee, map[string]any{"skillId": nil})); e.Organization.ID != authzOrgID(c.company) || e.Skill != nil {
		t.Errorf("the company's entry: %+v", e)
	}

	// Entering the same talent again is safe: the same entry, one event.
	first := register(t, ts, school, entry(c.student, nil))
	again := register(t, ts, school, entry(c.student, nil))
	if again.ID != first.ID || again.Version != 1 || again.RegisteredAt != first.RegisteredAt {
		t.Errorf("registering twice: %+v then %+v, want the same entry", first, again)
	}
	if n := eventsAbout(t, "COMPETITION_REGISTERED", first.ID); n != 1 {
		t.Errorf("registering twice wrote %d COMPETITION_REGISTERED events, want 1", n)
	}

	// Closed and refused entries.
	passed := compGID(c.edition(t, "CITY", compDay(10), compDay(11), compDay(-1)))
	noDeadline := compGID(c.edition(t, "CITY", compDay(10), compDay(11), nil))
	started := compGID(c.edition(t, "CITY", compDay(0), compDay(2), compDay(-1)))
	other := c.f.talent(t, c.organizer, 0)
	lastEvent := ts.sqlInt(t, "SELECT coalesce(max(id), 0) FROM event")
	entries := ts.sqlInt(t, "SELECT count(*) FROM competition_registration")
	for _, tc := range []struct {
		name        string
		viewer      auth.Viewer
		input       map[string]any
		field, code string
	}{
		{"another member's talent", school, entry(c.employee, nil), "input.talentId", "INVALID"},
		{"a talent of another school", school, entry(other, nil), "input.talentId", "INVALID"},
		{"registration closed: deadline passed", school, entry(c.student, map[string]any{"competitionId": passed, "skillId": nil}), "input.competitionId", "INVALID_TRANSITION"},
		{"registration closed: no deadline", school, entry(c.student, map[string]any{"competitionId": noDeadline, "skillId": nil}), "input.competitionId", "INVALID_TRANSITION"},
		{"registration closed: started", school, entry(c.student, map[string]any{"competitionId": started, "skillId": nil}), "input.competitionId", "INVALID_TRANSITION"},
		{"a skill not contested", company, entry(c.f.talent(t, 0, c.company), map[string]any{"skillId": skillGID(c.parent)}), "input.skillId", "INVALID"},
		{"no such edition", school, entry(c.student, map[string]any{"competitionId": compGID(987654321)}), "input.competitionId", "NOT_FOUND"},
		{"no such talent", school, entry(987654321, nil), "input.talentId", "NOT_FOUND"},
		{"ADMIN naming no member", admin, entry(c.student, nil), "input.organizationId", "REQUIRED"},
		{"for another member", memberOf(c.other), entry(c.student, map[string]any{"organizationId": authzOrgID(c.school)}), "", "FORBIDDEN"},
		{"the organizer, for a school", memberOf(c.organizer), entry(c.student, map[string]any{"organizationId": authzOrgID(c.school)}), "", "FORBIDDEN"},
		{"an analyst", analyst, entry(c.student, map[string]any{"organizationId": authzOrgID(c.school)}), "", "FORBIDDEN"},
		{"anonymous", auth.Viewer{}, entry(c.student, nil), "", "UNAUTHENTICATED"},
	} {
		errs, gqlErrs := mutate(t, ts, tc.viewer, registerForCompetition, tc.input, "registerForCompetition", nil)
		refusal(t, tc.name, errs, gqlErrs, tc.field, tc.code)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM competition_registration"); n != entries {
		t.Errorf("refused entries wrote %d rows", n-entries)
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM event WHERE id > $1", lastEvent); n != 0 {
		t.Errorf("refused entries wrote %d events", n)
	}
	// An edition naming no skills takes any skill, but only one that exists.
	anySkill := c.schedule(t, ts, admin, map[string]any{"skillIds": nil})
	errs, gqlErrs := mutate(t, ts, school, registerForCompetition, map[string]any{"competitionId": anySkill.ID, "talentId": talentGID(c.student), "skillId": skillGID(987654321)},
		"registerForCompetition", nil)
	refusal(t, "an unknown skill, in an edition naming none", errs, gqlErrs, "input.skillId", "NOT_FOUND")
	if e := register(t, ts, school, map[string]any{"competitionId": anySkill.ID, "talentId": talentGID(c.student), "skillId": skillGID(c.parent)}); e.Skill == nil || e.Skill.ID != skillGID(c.parent) {
		t.Errorf("an entry in an edition naming no skills: %+v", e)
	}
	// The deadline's day is the last day to enter.
	lastDay := c.schedule(t, ts, admin, map[string]any{"startsOn": compDay(1), "endsOn": compDay(1), "registrationDeadline": compDay(0)})
	register(t, ts, school, map[string]any{"competitionId": lastDay.ID, "talentId": talentGID(c.student)})
	// ADMIN enters for the talent's school.
	if e := register(t, ts, admin, entry(c.f.talent(t, c.school, 0), map[string]any{"organizationId": authzOrgID(c.school)})); e.Organization.ID != authzOrgID(c.school) {
		t.Errorf("ADMIN's entry: %+v", e)
	}

	// Withdrawing: the member that entered the talent; then entering again renews the entry.
	for _, tc := range []struct {
		name        string
		viewer      auth.Viewer
		version     int
		field, code string
	}{
		{"another member", memberOf(c.other), 1, "input.id", "NOT_FOUND"},
		{"the company", company, 1, "input.id", "NOT_FOUND"},
		{"the organizer", memberOf(c.organizer), 1, "", "FORBIDDEN"},
		{"an analyst", analyst, 1, "", "FORBIDDEN"},
		{"anonymous", auth.Viewer{}, 1, "", "UNAUTHENTICATED"},
		{"a stale version", school, 0, "input.version", "CONFLICT"},
	} {
		errs, gqlErrs := mutate(t, ts, tc.viewer, withdrawCompetitionRegistration, map[string]any{"id": first.ID, "version": tc.version}, "withdrawCompetitionRegistration", nil)
		refusal(t, "withdrawn by "+tc.name, errs, gqlErrs, tc.field, tc.code)
	}
	var withdrawn registrationPayload
	if errs, gqlErrs := mutate(t, ts, school, withdrawCompetitionRegistration, map[string]any{"id": first.ID, "version": 1}, "withdrawCompetitionRegistration", &withdrawn); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("withdrawing: %+v %+v", errs, gqlErrs)
	}
	if w := withdrawn.Registration; w == nil || w.State != "WITHDRAWN" || w.Version != 2 || w.WithdrawnAt == nil {
		t.Errorf("withdrawn: %+v", w)
	}
	errs, gqlErrs = mutate(t, ts, school, withdrawCompetitionRegistration, map[string]any{"id": first.ID, "version": 2}, "withdrawCompetitionRegistration", nil)
	refusal(t, "withdrawing twice", errs, gqlErrs, "input.id", "INVALID_TRANSITION")
	renewed := register(t, ts, school, entry(c.student, nil))
	if renewed.ID != first.ID || renewed.State != "REGISTERED" || renewed.Version != 3 || renewed.WithdrawnAt != nil {
		t.Errorf("renewed: %+v, want entry %s registered again at version 3", renewed, first.ID)
	}
	for kind, want := range map[string]int{"COMPETITION_REGISTERED": 2, "COMPETITION_REGISTRATION_WITHDRAWN": 1} {
		if n := eventsAbout(t, kind, first.ID); n != want {
			t.Errorf("%d %s events, want %d", n, kind, want)
		}
	}
	// An entry in a contest under way stays.
	talent := c.f.talent(t, c.school, 0)
	early := authzInsert(t, `INSERT INTO competition_registration (competition_id, talent_id, organization_id, registered_by) VALUES ($1, $2, $3, 'test') RETURNING id`,
		mustKey(t, started), talent, c.school)
	errs, gqlErrs = mutate(t, ts, school, withdrawCompetitionRegistration, map[string]any{"id": relay.ID(relay.TypeRegistration, early), "version": 1}, "withdrawCompetitionRegistration", nil)
	refusal(t, "withdrawing from a contest under way", errs, gqlErrs, "input.id", "INVALID_TRANSITION")

	// The entries' events are for signed-in callers.
	for _, tc := range []struct {
		name   string
		viewer auth.Viewer
		want   int
	}{{"anonymous", auth.Viewer{}, 0}, {"another member", memberOf(c.other), 3}, {"an analyst", analyst, 3}, {"ADMIN", admin, 3}} {
		evs := competitionEvents(t, ts, tc.viewer, first.ID, "COMPETITION_REGISTERED", "COMPETITION_REGISTRATION_WITHDRAWN")
		if len(evs) != tc.want {
			t.Errorf("%s reads %d events of the entry, want %d", tc.name, len(evs), tc.want)
		}
		for _, e := range evs {
			if e.Payload["competition"] != comp.ID || e.Payload["talent"] != talentGID(c.student) || e.Payload["organization"] != authzOrgID(c.school) {
				t.Errorf("%s event payload %v", e.Kind, e.Payload)
			}
		}
	}
	// An event's subject is the entry for those who see it, null for the others.
	for _, tc := range []struct {
		name   string
		viewer auth.Viewer
		sees   bool
	}{{"the school", school, true}, {"the organizer", memberOf(c.organizer), true}, {"another member", memberOf(c.other), false}, {"an analyst", analyst, false}} {
		r := ts.queryAs(t, tc.viewer, `query($s: ID!) { events(filter: {subjects: [$s]}) { edges { node { kind subject { id } } } } }`, map[string]any{"s": first.ID})
		var out struct {
			Events struct {
				Edges []struct {
					Node struct {
						Kind    string
						Subject *idOnly
					}
				}
			}
		}
		if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 || len(out.Events.Edges) != 3 {
			t.Fatalf("%s: %s %+v", tc.name, r.Data, r.Errors)
		}
		for _, e := range out.Events.Edges {
			if (e.Node.Subject != nil) != tc.sees || (tc.sees && e.Node.Subject.ID != first.ID) {
				t.Errorf("%s: the subject of %s is %+v", tc.name, e.Node.Kind, e.Node.Subject)
			}
		}
	}
}

func TestConcurrentIdenticalRegistrationsMakeOneEntryAndOneEvent(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	comp := c.schedule(t, ts, admin, nil)
	in := map[string]any{"competitionId": comp.ID, "talentId": talentGID(c.student)}
	const n = 20
	ids := make([]string, n)
	problems := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := ts.queryAs(t, memberOf(c.school), registerForCompetition, map[string]any{"input": in})
			var out struct {
				RegisterForCompetition struct {
					Registration *struct{ ID string }
					UserErrors   []userError
				}
			}
			if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 || out.RegisterForCompetition.Registration == nil {
				problems[i] = fmt.Sprintf("%s %+v", r.Data, r.Errors)
				return
			}
			ids[i] = out.RegisterForCompetition.Registration.ID
		}()
	}
	wg.Wait()
	for i := range n {
		if problems[i] != "" {
			t.Errorf("attempt %d: %s", i, problems[i])
		} else if ids[i] != ids[0] {
			t.Errorf("attempt %d returned %s, attempt 0 %s", i, ids[i], ids[0])
		}
	}
	if rows := ts.sqlInt(t, "SELECT count(*) FROM competition_registration WHERE competition_id = $1 AND talent_id = $2", mustKey(t, comp.ID), c.student); rows != 1 {
		t.Errorf("%d entries, want 1", rows)
	}
	if evs := ts.sqlInt(t, "SELECT count(*) FROM event WHERE kind = 'COMPETITION_REGISTERED' AND payload->>'competition' = $1", comp.ID); evs != 1 {
		t.Errorf("%d COMPETITION_REGISTERED events, want 1", evs)
	}
}

func TestCompetitionEntriesAreSeenByAdminTheirMemberAndTheOrganizer(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	comp := c.schedule(t, ts, admin, nil)
	bySchool := register(t, ts, memberOf(c.school), map[string]any{"competitionId": comp.ID, "talentId": talentGID(c.student)})
	byCompany := register(t, ts, memberOf(c.company), map[string]any{"competitionId": comp.ID, "talentId": talentGID(c.employee)})
	// A withdrawn entry counts for nobody and is listed only when asked for.
	gone := register(t, ts, memberOf(c.school), map[string]any{"competitionId": comp.ID, "talentId": talentGID(c.f.talent(t, c.school, 0))})
	if errs, gqlErrs := mutate(t, ts, memberOf(c.school), withdrawCompetitionRegistration, map[string]any{"id": gone.ID, "version": 1}, "withdrawCompetitionRegistration", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("withdrawing: %+v %+v", errs, gqlErrs)
	}
	q := `query($id: ID!) { node(id: $id) { ... on Competition { registrationCount
		registrations { totalCount edges { node { id organization { id } talent { id } competition { id } } } }
		all: registrations(includeWithdrawn: true) { totalCount edges { node { id state } } } } } }`
	type answer struct {
		Node struct {
			RegistrationCount int
			Registrations     page[struct {
				ID           string
				Organization idOnly
			}]
			All page[struct{ ID, State string }]
		}
	}
	for _, tc := range []struct {
		name      string
		viewer    auth.Viewer
		want, all []string
	}{
		{"ADMIN", admin, []string{bySchool.ID, byCompany.ID}, []string{bySchool.ID, byCompany.ID, gone.ID}},
		{"the school", memberOf(c.school), []string{bySchool.ID}, []string{bySchool.ID, gone.ID}},
		{"the company", memberOf(c.company), []string{byCompany.ID}, []string{byCompany.ID}},
		{"the organizer", memberOf(c.organizer), []string{bySchool.ID, byCompany.ID}, []string{bySchool.ID, byCompany.ID, gone.ID}},
		{"another member", memberOf(c.other), nil, nil},
		{"an analyst", analyst, nil, nil},
		{"anonymous", auth.Viewer{}, nil, nil},
	} {
		r := ts.queryAs(t, tc.viewer, q, map[string]any{"id": comp.ID})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", tc.name, r.Errors)
		}
		var a answer
		if err := json.Unmarshal(r.Data, &a); err != nil {
			t.Fatal(err)
		}
		var got, all []string
		for _, e := range a.Node.Registrations.nodes() {
			got = append(got, e.ID)
		}
		for _, e := range a.Node.All.nodes() {
			all = append(all, e.ID)
		}
		if a.Node.Registrations.TotalCount != len(tc.want) || a.Node.All.TotalCount != len(tc.all) {
			t.Errorf("%s counts %d entries (%d with withdrawn), want %d (%d)", tc.name, a.Node.Registrations.TotalCount, a.Node.All.TotalCount, len(tc.want), len(tc.all))
		}
		if tc.name == "ADMIN" && fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("ADMIN reads entries %v, want the earliest first: %v", got, tc.want)
		}
		slices.Sort(got)
		slices.Sort(all)
		slices.Sort(tc.want)
		slices.Sort(tc.all)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || fmt.Sprint(all) != fmt.Sprint(tc.all) {
			t.Errorf("%s sees entries %v (with withdrawn %v), want %v (%v)", tc.name, got, all, tc.want, tc.all)
		}
		if a.Node.RegistrationCount != 2 {
			t.Errorf("%s reads registrationCount %d, want 2", tc.name, a.Node.RegistrationCount)
		}
		// The organizer's pages of one entry follow one another, earliest first.
		if tc.name == "the organizer" {
			var paged []string
			var after any
			for range 5 {
				var p struct {
					Node struct{ Registrations page[idOnly] }
				}
				r := ts.queryAs(t, tc.viewer, `query($id: ID!, $after: String) { node(id: $id) { ... on Competition {
					registrations(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`,
					map[string]any{"id": comp.ID, "after": after})
				if err := json.Unmarshal(r.Data, &p); err != nil || len(r.Errors) > 0 || p.Node.Registrations.TotalCount != 2 {
					t.Fatalf("paging the organizer's entries: %s %+v", r.Data, r.Errors)
				}
				for _, n := range p.Node.Registrations.nodes() {
					paged = append(paged, n.ID)
				}
				if !p.Node.Registrations.PageInfo.HasNextPage {
					break
				}
				after = p.Node.Registrations.PageInfo.EndCursor
			}
			if want := []string{bySchool.ID, byCompany.ID}; fmt.Sprint(paged) != fmt.Sprint(want) {
				t.Errorf("the organizer's entries one at a time: %v, want %v", paged, want)
			}
		}
		// node(id:) answers within the same scope.
		for _, id := range []string{bySchool.ID, byCompany.ID} {
			r := ts.queryAs(t, tc.viewer, `query($id: ID!) { node(id: $id) { id ... on CompetitionRegistration { state talent { id } } } }`, map[string]any{"id": id})
			if slices.Contains(tc.want, id) {
				if len(r.Errors) > 0 || !strings.Contains(string(r.Data), id) {
					t.Errorf("%s: node(%s) %s %+v, want the entry", tc.name, id, r.Data, r.Errors)
				}
			} else if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
				t.Errorf("%s: node(%s) %s %+v, want NOT_FOUND", tc.name, id, r.Data, r.Errors)
			}
		}
	}
}

const recordEditionResult = `mutation($input: RecordCompetitionResultInput!) {
	recordCompetitionResult(input: $input) {
		competitionResult { id competition level award awardedOn rank score edition { id name { en } startsOn } }
		userErrors { field message code }
	}
}`

func TestCompetitionResultsLinkToTheirEditionBestRankFirst(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	key := c.edition(t, "PROVINCIAL", compDay(-10), compDay(-8), nil, c.child)
	edition := compGID(key)
	var name string
	if err := writeDB.DB.Get(&name, "SELECT name_en FROM competition WHERE id = $1", key); err != nil {
		t.Fatal(err)
	}
	record := func(extra map[string]any) map[string]any {
		in := map[string]any{"allianceId": c.f.allianceID(), "providerId": authzOrgID(c.school), "title": authzBilingual(authzName("result")),
			"competitionId": edition, "award": "SILVER", "awardedOn": compDay(-8), "talentId": talentGID(c.student)}
		for k, v := range extra {
			if v == nil {
				delete(in, k)
			} else {
				in[k] = v
			}
		}
		return in
	}
	type result struct {
		ID, Competition, Level, Award, AwardedOn string
		Rank                                     *int
		Score                                    *float64
		Edition                                  *struct {
			ID       string
			StartsOn string
		}
	}
	var ids = map[string]string{}
	for _, tc := range []struct {
		label string
		extra map[string]any
	}{
		{"silver", map[string]any{"rank": 2, "score": 88.5}},
		{"excellence", map[string]any{"award": "EXCELLENCE", "talentId": nil}},
		{"gold", map[string]any{"award": "GOLD", "rank": 1, "score": 95.25, "awardedOn": compDay(-10)}},
	} {
		var out struct{ CompetitionResult *result }
		if errs, gqlErrs := mutate(t, ts, memberOf(c.school), recordEditionResult, record(tc.extra), "recordCompetitionResult", &out); len(errs)+len(gqlErrs) > 0 || out.CompetitionResult == nil {
			t.Fatalf("%s refused: %+v %+v", tc.label, errs, gqlErrs)
		}
		r := out.CompetitionResult
		if r.Competition != name || r.Level != "PROVINCIAL" || r.Edition == nil || r.Edition.ID != edition || r.Edition.StartsOn != compDay(-10) {
			t.Errorf("%s: %+v, want the edition's name %q and level", tc.label, r, name)
		}
		if rank, ok := tc.extra["rank"]; ok && (r.Rank == nil || *r.Rank != rank || r.Score == nil || *r.Score != tc.extra["score"]) {
			t.Errorf("%s: rank %v score %v, want %v %v", tc.label, r.Rank, r.Score, rank, tc.extra["score"])
		}
		ids[tc.label] = r.ID
	}
	// Read back through the API.
	var back struct {
		Node struct {
			Rank    *int
			Score   *float64
			Edition *idOnly
		}
	}
	ts.data(t, `query($id: ID!) { node(id: $id) { ... on CompetitionResult { rank score edition { id } } } }`, map[string]any{"id": ids["gold"]}, &back)
	if back.Node.Rank == nil || *back.Node.Rank != 1 || back.Node.Score == nil || *back.Node.Score != 95.25 || back.Node.Edition == nil || back.Node.Edition.ID != edition {
		t.Errorf("read back: %+v", back.Node)
	}
	// Without the edition, one statement may answer: the same rank and score.
	back.Node.Rank, back.Node.Score = nil, nil
	ts.data(t, `query($id: ID!) { node(id: $id) { ... on CompetitionResult { rank score } } }`, map[string]any{"id": ids["gold"]}, &back)
	if back.Node.Rank == nil || *back.Node.Rank != 1 || back.Node.Score == nil || *back.Node.Score != 95.25 {
		t.Errorf("read back without the edition: %+v", back.Node)
	}

	for _, tc := range []struct {
		name        string
		extra       map[string]any
		field, code string
	}{
		{"awarded before the first day", map[string]any{"awardedOn": compDay(-11)}, "input.awardedOn", "OUT_OF_RANGE"},
		{"rank 0", map[string]any{"rank": 0}, "input.rank", "OUT_OF_RANGE"},
		{"a negative score", map[string]any{"score": -1}, "input.score", "OUT_OF_RANGE"},
		{"no such edition", map[string]any{"competitionId": compGID(987654321)}, "input.competitionId", "NOT_FOUND"},
		{"neither edition nor level", map[string]any{"competitionId": nil, "competition": "Free text cup"}, "input.level", "REQUIRED"},
	} {
		errs, gqlErrs := mutate(t, ts, memberOf(c.school), recordEditionResult, record(tc.extra), "recordCompetitionResult", nil)
		refusal(t, tc.name, errs, gqlErrs, tc.field, tc.code)
	}

	// Changing a result keeps it within its edition; rank and score change with it.
	const updateResult = `mutation($input: UpdateCompetitionResultInput!) {
		updateCompetitionResult(input: $input) { competitionResult { id version rank score awardedOn edition { id } } userErrors { field message code } } }`
	errs, gqlErrs := mutate(t, ts, memberOf(c.school), updateResult, map[string]any{"id": ids["excellence"], "version": 1, "awardedOn": compDay(-11)}, "updateCompetitionResult", nil)
	refusal(t, "a result moved before its edition's first day", errs, gqlErrs, "input.awardedOn", "OUT_OF_RANGE")
	var updated struct{ CompetitionResult *result }
	if errs, gqlErrs := mutate(t, ts, memberOf(c.school), updateResult, map[string]any{"id": ids["excellence"], "version": 1, "rank": 3, "score": 70.5}, "updateCompetitionResult", &updated); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("ranking the excellence award: %+v %+v", errs, gqlErrs)
	}
	if u := updated.CompetitionResult; u == nil || u.Rank == nil || *u.Rank != 3 || u.Score == nil || *u.Score != 70.5 || u.Edition == nil || u.Edition.ID != edition {
		t.Errorf("ranked: %+v", u)
	}
	errs, gqlErrs = mutate(t, ts, memberOf(c.school), updateResult, map[string]any{"id": ids["excellence"], "version": 2, "rank": 10_001}, "updateCompetitionResult", nil)
	refusal(t, "rank 10,001", errs, gqlErrs, "input.rank", "OUT_OF_RANGE")
	// Name and level given with an edition are the edition's.
	var named struct{ CompetitionResult *result }
	if errs, gqlErrs := mutate(t, ts, memberOf(c.school), recordEditionResult, record(map[string]any{"competition": "Another Cup", "level": "WORLD", "award": "PARTICIPATION"}), "recordCompetitionResult", &named); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("a result naming its competition besides its edition: %+v %+v", errs, gqlErrs)
	} else if named.CompetitionResult.Competition != name || named.CompetitionResult.Level != "PROVINCIAL" {
		t.Errorf("a result naming its competition besides its edition: %+v, want the edition's name and level", named.CompetitionResult)
	}
	ids["participation"] = named.CompetitionResult.ID

	q := `query($id: ID!) { node(id: $id) { ... on Competition {
		all: results { totalCount edges { node { id rank award edition { id } } } }
		medals: results(awards: [GOLD, SILVER]) { totalCount edges { node { id } } }
		bronze: results(awards: [BRONZE]) { totalCount edges { node { id } } } } } }`
	var res struct {
		Node struct {
			All page[struct {
				ID    string
				Rank  *int
				Award string
			}]
			Medals, Bronze page[idOnly]
		}
	}
	ts.data(t, q, map[string]any{"id": edition}, &res)
	var all, medals []string
	for _, r := range res.Node.All.nodes() {
		all = append(all, r.ID)
	}
	for _, r := range res.Node.Medals.nodes() {
		medals = append(medals, r.ID)
	}
	if res.Node.All.TotalCount != 4 || res.Node.Medals.TotalCount != 2 || res.Node.Bronze.TotalCount != 0 {
		t.Errorf("results count %d, medals %d, bronze %d; want 4, 2, 0", res.Node.All.TotalCount, res.Node.Medals.TotalCount, res.Node.Bronze.TotalCount)
	}
	// Paged two at a time, best rank first.
	var paged []string
	var after any
	for range 5 {
		var p struct {
			Node struct{ Results page[idOnly] }
		}
		ts.data(t, `query($id: ID!, $after: String) { node(id: $id) { ... on Competition { results(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`,
			map[string]any{"id": edition, "after": after}, &p)
		for _, n := range p.Node.Results.nodes() {
			paged = append(paged, n.ID)
		}
		if !p.Node.Results.PageInfo.HasNextPage {
			break
		}
		after = p.Node.Results.PageInfo.EndCursor
	}
	if fmt.Sprint(paged) != fmt.Sprint(all) {
		t.Errorf("results paged two at a time: %v, want %v", paged, all)
	}
	if want := []string{ids["gold"], ids["silver"], ids["excellence"], ids["participation"]}; fmt.Sprint(all) != fmt.Sprint(want) {
		t.Errorf("results %v, want best rank first, unranked last: %v", all, want)
	}
	if want := []string{ids["gold"], ids["silver"]}; fmt.Sprint(medals) != fmt.Sprint(want) {
		t.Errorf("medals %v, want %v", medals, want)
	}
	if len(res.Node.Bronze.Edges) != 0 {
		t.Errorf("bronze results %v, want none", res.Node.Bronze.nodes())
	}
}

func TestCompetitionsFilterByYearLevelSkillAwardAndRegistration(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	grandchild := compSkill(t, "MANUFACTURING", c.child)
	// A: open for registration, in the child skill; B: in the parent, taking no
	// registrations; C: held, in the digital skill, with a gold; D: next year, its
	// deadline passed; E: in a skill beneath the child.
	a := c.schedule(t, ts, admin, map[string]any{"startsOn": compDay(10), "endsOn": compDay(12), "registrationDeadline": compDay(5), "skillIds": []string{skillGID(c.child)}}).ID
	b := c.schedule(t, ts, admin, map[string]any{"level": "PROVINCIAL", "startsOn": compDay(14), "endsOn": compDay(15), "registrationDeadline": nil, "skillIds": []string{skillGID(c.parent)}}).ID
	cKey := c.edition(t, "NATIONAL", compDay(-13), compDay(-11), nil, c.digital)
	cc := compGID(cKey)
	d := compGID(c.edition(t, "CITY", "2027-03-01", "2027-03-03", compDay(-1)))
	e := compGID(c.edition(t, "WORLD", compDay(20), compDay(21), nil, grandchild))
	var out struct{ CompetitionResult *idOnly }
	if errs, gqlErrs := mutate(t, ts, memberOf(c.school), recordEditionResult, map[string]any{"allianceId": c.f.allianceID(), "providerId": authzOrgID(c.school),
		"title": authzBilingual(authzName("gold")), "competitionId": cc, "award": "GOLD", "awardedOn": compDay(-11)}, "recordCompetitionResult", &out); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("recording the gold: %+v %+v", errs, gqlErrs)
	}
	today := demoDay.Format(time.DateOnly)
	under := func(skill int64) string {
		return fmt.Sprintf(`EXISTS (WITH RECURSIVE s AS (SELECT id FROM skill WHERE id = %d UNION ALL SELECT k.id FROM skill k JOIN s ON k.parent_id = s.id)
			SELECT 1 FROM competition_skill cs WHERE cs.competition_id = c.id AND cs.skill_id IN (SELECT id FROM s))`, skill)
	}
	organizer := authzOrgID(c.organizer)
	for _, tc := range []struct {
		name   string
		filter map[string]any
		where  string   // the oracle's condition on competition c
		mine   []string // the fixture's editions it selects
	}{
		{"year 2027", map[string]any{"year": 2027}, "extract(year FROM c.held_on) = 2027", []string{d}},
		{"year 2026", map[string]any{"year": 2026}, "extract(year FROM c.held_on) = 2026", []string{a, b, cc, e}},
		{"city", map[string]any{"levels": []string{"CITY"}}, "c.level = 'CITY'", []string{a, d}},
		{"national or world", map[string]any{"levels": []string{"NATIONAL", "WORLD"}}, "c.level IN ('NATIONAL', 'WORLD')", []string{cc, e}},
		{"the parent skill finds its descendants'", map[string]any{"skills": []string{skillGID(c.parent)}}, under(c.parent), []string{a, b, e}},
		{"the child skill", map[string]any{"skills": []string{skillGID(c.child)}}, under(c.child), []string{a, e}},
		{"the digital skill", map[string]any{"skills": []string{skillGID(c.digital)}}, under(c.digital), []string{cc}},
		{"gold", map[string]any{"awards": []string{"GOLD"}}, `EXISTS (SELECT 1 FROM resource r WHERE r.competition_id = c.id AND r.award = 'GOLD' AND r.withdrawn_on IS NULL)`, []string{cc}},
		{"bronze", map[string]any{"awards": []string{"BRONZE"}}, `EXISTS (SELECT 1 FROM resource r WHERE r.competition_id = c.id AND r.award = 'BRONZE' AND r.withdrawn_on IS NULL)`, nil},
		{"upcoming", map[string]any{"upcoming": true}, "c.held_on > '" + today + "'", []string{a, b, d, e}},
		{"held", map[string]any{"upcoming": false}, "c.held_on <= '" + today + "'", []string{cc}},
		{"registration open", map[string]any{"registrationOpen": true}, "c.registration_deadline >= '" + today + "' AND c.starts_on > '" + today + "'", []string{a}},
		{"registration not open", map[string]any{"registrationOpen": false}, "NOT coalesce(c.registration_deadline >= '" + today + "' AND c.starts_on > '" + today + "', false)", []string{b, cc, d, e}},
		{"the organizer's", map[string]any{}, "true", []string{a, b, cc, d, e}},
		{"open and upcoming in the parent", map[string]any{"registrationOpen": true, "upcoming": true, "skills": []string{skillGID(c.parent)}},
			"c.registration_deadline >= '" + today + "' AND c.starts_on > '" + today + "' AND " + under(c.parent), []string{a}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := ts.sqlInt(t, "SELECT count(*) FROM competition c WHERE "+tc.where)
			got := listCompetitions(t, ts, tc.filter)
			if len(got) != want {
				t.Errorf("lists %d editions, the oracle %d", len(got), want)
			}
			withOrganizer := map[string]any{"organizer": organizer}
			for k, v := range tc.filter {
				withOrganizer[k] = v
			}
			mine := listCompetitions(t, ts, withOrganizer)
			slices.Sort(mine)
			wantMine := slices.Clone(tc.mine)
			slices.Sort(wantMine)
			if fmt.Sprint(mine) != fmt.Sprint(wantMine) {
				t.Errorf("the organizer's editions: %v, want %v (a %s b %s c %s d %s e %s)", mine, wantMine, a, b, cc, d, e)
			}
		})
	}
	r := ts.query(t, `{ competitions(filter: {year: 1200}) { totalCount } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("year 1200: %+v, want BAD_USER_INPUT", r.Errors)
	}
}

// listCompetitions pages through the editions filter selects, as ADMIN, and checks that
// every page's totalCount is the number of editions the pages hold.
func listCompetitions(t *testing.T, ts *testServer, filter map[string]any) []string {
	t.Helper()
	var ids []string
	var after any
	total := -1
	for range 100 {
		r := ts.queryAs(t, admin, `query($f: CompetitionFilter, $after: String) { competitions(filter: $f, first: 50, after: $after) {
			totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`, map[string]any{"f": filter, "after": after})
		if len(r.Errors) > 0 {
			t.Fatalf("competitions(%v): %+v", filter, r.Errors)
		}
		var out struct {
			Competitions struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct{ Node idOnly }
			}
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		total = out.Competitions.TotalCount
		for _, e := range out.Competitions.Edges {
			ids = append(ids, e.Node.ID)
		}
		if !out.Competitions.PageInfo.HasNextPage {
			break
		}
		after = out.Competitions.PageInfo.EndCursor
	}
	if total != len(ids) {
		t.Errorf("competitions(%v): totalCount %d, edges %d", filter, total, len(ids))
	}
	return ids
}

func TestCompetitionListsTakeStatementsIndependentOfPageSize(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	// Twenty-five editions of one organizer, each with skills, entries and a result.
	for i := range 25 {
		k := c.edition(t, []string{"CITY", "PROVINCIAL", "NATIONAL"}[i%3], compDay(-40+i), compDay(-38+i), nil, c.child, c.digital)
		tal := c.f.talent(t, c.school, 0)
		authzExec(t, `INSERT INTO competition_registration (competition_id, talent_id, organization_id, skill_id, registered_by) VALUES ($1, $2, $3, $4, 'test')`, k, tal, c.school, c.child)
		authzExec(t, `INSERT INTO competition_registration (competition_id, talent_id, organization_id, registered_by) VALUES ($1, $2, $3, 'test')`, k, c.f.talent(t, 0, c.company), c.company)
		r := c.f.resource(t, "COMPETITION_RESULT", c.school)
		authzExec(t, `UPDATE resource SET competition_id = $2, rank = $3, score = 80, talent_id = $4, awarded_on = $5 WHERE id = $1`, r, k, 1+i%3, tal, compDay(-38+i))
	}
	q := `query($n: Int!, $org: ID!) { competitions(first: $n, filter: {organizer: $org}) { totalCount edges { node {
		id name { en zh } level startsOn endsOn venue { en } registrationDeadline registrationOpen upcoming
		skills { id code } trades registrationCount
		registrations { totalCount edges { node { id state organization { id } talent { id } skill { id } } } }
		results { totalCount edges { node { id rank score award edition { id name { en } } } } }
		organizer { id name { en } } } } } }`
	vars := func(n int) map[string]any { return map[string]any{"n": n, "org": authzOrgID(c.organizer)} }
	for _, v := range []struct {
		name   string
		viewer auth.Viewer
	}{{"ADMIN", admin}, {"the organizer", memberOf(c.organizer)}, {"the school", memberOf(c.school)}, {"anonymous", auth.Viewer{}}} {
		five := statementsAs(t, ts, v.viewer, q, vars(5))
		twenty := statementsAs(t, ts, v.viewer, q, vars(20))
		if five != twenty {
			t.Errorf("%s: 5 editions took %d statements, 20 took %d", v.name, five, twenty)
		}
		t.Logf("%s: %d statements", v.name, twenty)
	}
	// The page proves something: every edition has skills, entries and results.
	var out struct {
		Competitions struct {
			Edges []struct {
				Node struct {
					Skills                 []idOnly
					Registrations, Results page[idOnly]
					Organizer              *idOnly
				}
			}
		}
	}
	r := ts.queryAs(t, admin, q, vars(20))
	if err := json.Unmarshal(r.Data, &out); err != nil || len(out.Competitions.Edges) != 20 {
		t.Fatalf("%d editions: %v %+v", len(out.Competitions.Edges), err, r.Errors)
	}
	for i, e := range out.Competitions.Edges {
		if len(e.Node.Skills) != 2 || len(e.Node.Registrations.Edges) != 2 || len(e.Node.Results.Edges) != 1 || e.Node.Organizer == nil {
			t.Errorf("edition %d: %+v", i, e.Node)
		}
	}
}

func TestCompetitionResultsAndTheAwardsFilterKeepToWhatTheCallerSees(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	key := c.edition(t, "CITY", compDay(-20), compDay(-19), nil)
	edition := compGID(key)
	// A bronze the school shares with the company by name only, and a gold withdrawn.
	bronze := c.f.resource(t, "COMPETITION_RESULT", c.school)
	authzExec(t, `UPDATE resource SET competition_id = $2, award = 'BRONZE', rank = 3, awarded_on = $3, shared_with_all = false WHERE id = $1`, bronze, key, compDay(-19))
	authzExec(t, `INSERT INTO resource_share (resource_id, organization_id) VALUES ($1, $2)`, bronze, c.company)
	gold := c.f.resource(t, "COMPETITION_RESULT", c.school)
	authzExec(t, `UPDATE resource SET competition_id = $2, award = 'GOLD', rank = 1, awarded_on = $3, withdrawn_on = $3 WHERE id = $1`, gold, key, compDay(-19))
	q := `query($id: ID!, $org: ID!) {
		node(id: $id) { ... on Competition { results { totalCount edges { node { id } } } gold: results(awards: [GOLD]) { totalCount edges { node { id } } } } }
		bronze: competitions(filter: {organizer: $org, awards: [BRONZE]}) { totalCount edges { node { id } } }
		gold: competitions(filter: {organizer: $org, awards: [GOLD]}) { totalCount }
	}`
	for _, tc := range []struct {
		name   string
		viewer auth.Viewer
		sees   bool
	}{
		{"ADMIN", admin, true},
		{"the provider", memberOf(c.school), true},
		{"the member it is shared with", memberOf(c.company), true},
		{"another member", memberOf(c.other), false},
		{"the organizer", memberOf(c.organizer), false},
		{"an analyst", analyst, false},
		{"anonymous", auth.Viewer{}, false},
	} {
		r := ts.queryAs(t, tc.viewer, q, map[string]any{"id": edition, "org": authzOrgID(c.organizer)})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", tc.name, r.Errors)
		}
		var a struct {
			Node struct {
				Results, Gold page[idOnly]
			}
			Bronze struct {
				TotalCount int
				Edges      []struct{ Node idOnly }
			}
			Gold struct{ TotalCount int }
		}
		if err := json.Unmarshal(r.Data, &a); err != nil {
			t.Fatal(err)
		}
		want, wantBronze := []idOnly(nil), 0
		if tc.sees {
			want, wantBronze = []idOnly{{authzResID(bronze)}}, 1
		}
		if fmt.Sprint(a.Node.Results.nodes()) != fmt.Sprint(want) || a.Node.Results.TotalCount != len(want) || len(a.Node.Gold.Edges) != 0 || a.Node.Gold.TotalCount != 0 {
			t.Errorf("%s reads results %+v (gold %+v), want %v and no withdrawn gold", tc.name, a.Node.Results, a.Node.Gold, want)
		}
		if a.Bronze.TotalCount != wantBronze || len(a.Bronze.Edges) != wantBronze || (wantBronze == 1 && a.Bronze.Edges[0].Node.ID != edition) {
			t.Errorf("%s: editions with a bronze %+v, want %d", tc.name, a.Bronze, wantBronze)
		}
		if a.Gold.TotalCount != 0 {
			t.Errorf("%s finds %d editions by a withdrawn gold", tc.name, a.Gold.TotalCount)
		}
	}
	for _, f := range []string{`{skills: ["nope"]}`, `{organizer: "nope"}`} {
		r := ts.query(t, `{ competitions(filter: `+f+`) { totalCount } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("filter %s: %+v, want BAD_USER_INPUT", f, r.Errors)
		}
	}
}

func TestSchedulingTheSameEditionAgainReturnsItAndWritesNothing(t *testing.T) {
	ts := newWriteServer(t)
	c := newCompetitionFixture(t)
	in := c.input(nil)
	first := c.schedule(t, ts, memberOf(c.organizer), in)
	again := c.schedule(t, ts, memberOf(c.organizer), in)
	if again.ID != first.ID || again.Version != 1 {
		t.Errorf("a retry returned %+v, want %s at version 1", again, first.ID)
	}
	if n := eventsAbout(t, "COMPETITION_SCHEDULED", first.ID); n != 1 {
		t.Errorf("%d COMPETITION_SCHEDULED events, want 1", n)
	}
	// Concurrent retries, as a client resending after a timeout makes them, all get the
	// one edition.
	in = c.input(nil)
	const n = 10
	ids := make([]string, n)
	problems := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := ts.queryAs(t, admin, scheduleCompetition, map[string]any{"input": in})
			var out struct {
				ScheduleCompetition struct {
					Competition *idOnly
					UserErrors  []userError
				}
			}
			if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 || out.ScheduleCompetition.Competition == nil {
				problems[i] = fmt.Sprintf("%s %+v", r.Data, r.Errors)
				return
			}
			ids[i] = out.ScheduleCompetition.Competition.ID
		}()
	}
	wg.Wait()
	var got string
	for i := range n {
		if problems[i] != "" {
			t.Errorf("attempt %d: %s", i, problems[i])
		} else if got == "" {
			got = ids[i]
		} else if ids[i] != got {
			t.Errorf("attempt %d returned %s, another %s", i, ids[i], got)
		}
	}
	name := in["name"].(map[string]any)["en"]
	if rows := ts.sqlInt(t, "SELECT count(*) FROM competition WHERE name_en = $1", name); rows != 1 {
		t.Errorf("%d editions, want 1", rows)
	}
	if got != "" {
		if evs := eventsAbout(t, "COMPETITION_SCHEDULED", got); evs != 1 {
			t.Errorf("%d COMPETITION_SCHEDULED events, want 1", evs)
		}
	}
}

func TestAnonymousSubscribersDoNotReceiveCompetitionEntries(t *testing.T) {
	ts := replica(t, "competitions")
	c := newCompetitionFixture(t)
	comp := c.schedule(t, ts, admin, nil)
	anonymous, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	member, err := dial(t, ts, map[string]any{"Authorization": "Bearer " + ts.token(t, memberOf(c.other))})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]any{"kinds": []string{"COMPETITION_REGISTERED", "COMPETITION_REGISTRATION_WITHDRAWN", "COMPETITION_UPDATED"}}
	anonymous.subscribe("1", eventsSubscription, kinds)
	member.subscribe("1", eventsSubscription, kinds)
	time.Sleep(100 * time.Millisecond) // let the subscriptions register before the writes
	entry := register(t, ts, memberOf(c.school), map[string]any{"competitionId": comp.ID, "talentId": talentGID(c.student)})
	if errs, gqlErrs := mutate(t, ts, memberOf(c.school), withdrawCompetitionRegistration, map[string]any{"id": entry.ID, "version": 1}, "withdrawCompetitionRegistration", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("withdrawing: %+v %+v", errs, gqlErrs)
	}
	if errs, gqlErrs := mutate(t, ts, admin, updateCompetition, map[string]any{"id": comp.ID, "version": 1, "level": "WORLD"}, "updateCompetition", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("updating: %+v %+v", errs, gqlErrs)
	}
	for _, want := range []struct{ kind, subject string }{{"COMPETITION_REGISTERED", entry.ID}, {"COMPETITION_REGISTRATION_WITHDRAWN", entry.ID}, {"COMPETITION_UPDATED", comp.ID}} {
		if e := member.nextEvent("1"); e.Node.Kind != want.kind || e.Node.SubjectID != want.subject {
			t.Fatalf("the member got %+v, want %s about %s", e.Node, want.kind, want.subject)
		}
	}
	if e := anonymous.nextEvent("1"); e.Node.Kind != "COMPETITION_UPDATED" || e.Node.SubjectID != comp.ID {
		t.Fatalf("the anonymous subscriber got %+v first, want the COMPETITION_UPDATED (entries are private)", e.Node)
	}
}
