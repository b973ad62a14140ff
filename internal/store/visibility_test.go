package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// S1 shares a facility (31), a teacher (32) and an opening (35) with C2 only, and a
// teacher (33), a course (34, held in 31, taught by 32 and 33) and an opening (36) with
// everyone; talent 201 applied to both openings (placements 1 and 2).
const scopeFixture = `
INSERT INTO alliance (id, slug, name_en, name_zh, city, founded_on) VALUES (1, 'test', 'Test', '测试', 'Shenyang', '2024-08-17');
INSERT INTO organization (id, kind, name_en, name_zh, school_level) VALUES (1, 'SCHOOL', 'S1 school', '甲', 'TECHNICIAN_COLLEGE');
INSERT INTO organization (id, kind, name_en, name_zh, industry) VALUES
	(2, 'COMPANY', 'C2 company', '乙', 'SOFTWARE'), (3, 'COMPANY', 'C3 company', '丙', 'AUTOMOTIVE');
INSERT INTO resource (id, alliance_id, provider_id, category, title_en, title_zh, shared_on, shared_with_all, capacity) VALUES
	(31, 1, 1, 'TRAINING_FACILITY', 'F1', '一', '2025-01-01', false, 20);
INSERT INTO resource (id, alliance_id, provider_id, category, title_en, title_zh, shared_on, shared_with_all, teacher_name, dual_qualified) VALUES
	(32, 1, 1, 'TEACHER', 'T1', '一', '2025-01-01', false, 'Private', true),
	(33, 1, 1, 'TEACHER', 'T2', '二', '2025-01-01', true, 'Public', false);
INSERT INTO resource (id, alliance_id, provider_id, category, title_en, title_zh, shared_on, hours, seats, enrolled, starts_on, ends_on, facility_id) VALUES
	(34, 1, 1, 'TRAINING_COURSE', 'K1', '一', '2025-01-01', 40, 30, 3, '2025-03-01', '2025-06-15', 31);
INSERT INTO resource (id, alliance_id, provider_id, category, title_en, title_zh, shared_on, shared_with_all, positions, filled, opening_status, employment_type) VALUES
	(35, 1, 1, 'JOB_OPENING', 'O1', '一', '2025-01-01', false, 5, 0, 'OPEN', 'FULL_TIME'),
	(36, 1, 1, 'JOB_OPENING', 'O2', '二', '2025-01-01', true, 5, 0, 'OPEN', 'FULL_TIME');
INSERT INTO resource_share (resource_id, organization_id) VALUES (31, 2), (32, 2), (35, 2);
INSERT INTO course_teacher (course_id, teacher_id) VALUES (34, 32), (34, 33);
INSERT INTO talent (id, alliance_id, full_name, status, registered_on) VALUES (201, 1, 't', 'JOB_SEEKING', '2025-01-01');
INSERT INTO placement (id, opening_id, talent_id, status, applied_on) VALUES (1, 35, 201, 'APPLIED', '2025-02-01'), (2, 36, 201, 'APPLIED', '2025-02-01');
`

// Every way a one-statement document reaches a resource or a placement (a lookup, a
// to-one relation, a list, through a link table or not) reads it within the viewer's
// scope, which the document is given once: the declarations and the planner cannot
// forget it.
func TestDocumentsReadScopedRowsOnlyWithinTheViewersScope(t *testing.T) {
	db := pgtest.New(t, "storescope")
	if _, err := db.DB.Exec(scopeFixture); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	s := store.New(db.DB, nil)
	ids := func(t relay.Type) store.Object { return store.Object{{Key: "id", Value: store.GlobalID(t)}} }
	lookup := func(entity string, key int64, obj store.DocValue) store.Lookup {
		return store.Lookup{Entity: entity, Column: "id", Value: key, Object: obj}
	}
	doc := []store.DocField{
		{Key: "course", Value: lookup("resource", 34, store.Object{
			{Key: "facility", Value: store.Related{Rel: "TrainingCourse.facility", Object: ids(relay.TypeResource)}},
			{Key: "teachers", Value: store.Listed{Rel: "TrainingCourse.teachers", Elem: store.Object{{Key: "name", Value: store.Column("teacher_name")}}}},
		})},
		{Key: "facility", Value: lookup("resource", 31, store.Object{
			{Key: "sharedWith", Value: store.Listed{Rel: "SharedResource.sharedWith", Elem: ids(relay.TypeOrganization)}},
		})},
		{Key: "placements", Value: store.Lookups{lookup("placement", 1, ids(relay.TypePlacement)), lookup("placement", 2, ids(relay.TypePlacement))}},
		{Key: "talent", Value: lookup("talent", 201, store.Object{
			{Key: "placements", Value: store.Listed{Rel: "Talent.placements", Elem: store.Object{
				{Key: "opening", Value: store.Related{Rel: "Placement.opening", Object: ids(relay.TypeResource)}},
			}}},
		})},
	}
	res := func(k int64) string { return `{"id":"` + relay.ID(relay.TypeResource, k) + `"}` }
	pl := func(k int64) string { return `{"id":"` + relay.ID(relay.TypePlacement, k) + `"}` }
	// What C2 and ADMIN see; the anonymous viewer and C3 see only what is shared with all.
	everything := `{"course":{"facility":` + res(31) + `,"teachers":[{"name":"Private"},{"name":"Public"}]},
		"facility":{"sharedWith":[{"id":"` + relay.ID(relay.TypeOrganization, 2) + `"}]},
		"placements":[` + pl(1) + `,` + pl(2) + `],
		"talent":{"placements":[{"opening":` + res(35) + `},{"opening":` + res(36) + `}]}}`
	shared := `{"course":{"facility":null,"teachers":[{"name":"Public"}]},"facility":null,
		"placements":[null,` + pl(2) + `],"talent":{"placements":[{"opening":` + res(36) + `}]}}`
	tests := []struct {
		name  string
		scope store.Scope
		want  string
		found bool
	}{
		{"anonymous", store.Scope{}, shared, false},
		{"a member it is not shared with", store.Scope{Organization: 3}, shared, false},
		{"the member it is shared with", store.Scope{Organization: 2}, everything, true},
		{"the provider", store.Scope{Organization: 1}, everything, true},
		{"admin", store.Scope{All: true}, everything, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, found, err := s.Document(context.Background(), time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), store.Visibility{Resources: tc.scope}, doc)
			if err != nil {
				t.Fatal(err)
			}
			if found != tc.found {
				t.Errorf("found every lookup: %v, want %v", found, tc.found)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			if err := json.Unmarshal([]byte(tc.want), &w); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("document (-want +got):\n%s", diff)
			}
		})
	}
}
