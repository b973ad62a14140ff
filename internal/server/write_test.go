package server_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

var (
	admin   = auth.Viewer{Role: auth.RoleAdmin, Subject: "secretariat"}
	analyst = auth.Viewer{Role: auth.RoleAnalyst, Subject: "analyst"}
)

// memberOf returns a MEMBER viewer acting for the organization with the given key.
func memberOf(org int64) auth.Viewer {
	return auth.Viewer{Role: auth.RoleMember, OrganizationID: org, Subject: fmt.Sprintf("member-%d", org)}
}

type userError struct {
	Field   []string
	Message string
	Code    string
}

// mutate runs a mutation as v and decodes the payload field named field.
func mutate(t *testing.T, ts *testServer, v auth.Viewer, q string, input map[string]any, field string, out any) ([]userError, []gqlError) {
	t.Helper()
	r := ts.queryAs(t, v, q, map[string]any{"input": input})
	if len(r.Errors) > 0 {
		return nil, r.Errors
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
	var payload struct {
		UserErrors []userError
	}
	if err := json.Unmarshal(data[field], &payload); err != nil {
		t.Fatalf("decode payload %s: %v", data[field], err)
	}
	if out != nil {
		if err := json.Unmarshal(data[field], out); err != nil {
			t.Fatalf("decode payload %s: %v", data[field], err)
		}
	}
	return payload.UserErrors, nil
}

const createOrganization = `mutation($input: CreateOrganizationInput!) {
	createOrganization(input: $input) {
		organization { id kind version name { en zh } ... on Company { industry park { id } } }
		userErrors { field message code }
	}
}`

func TestCreateOrganizationValidatesAndRecordsItsEvent(t *testing.T) {
	ts := newWriteServer(t)
	park := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'INDUSTRIAL_PARK' LIMIT 1")
	school := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'SCHOOL' LIMIT 1")
	tests := []struct {
		name   string
		input  map[string]any
		errors []string // "field:CODE"
	}{
		{"a company in a park", map[string]any{"kind": "COMPANY", "name": map[string]any{"en": "Hunnan Precision Gears Co.", "zh": "浑南精密齿轮有限公司"}, "industry": "EQUIPMENT_MANUFACTURING", "parkId": park}, nil},
		{"empty names", map[string]any{"kind": "COMPANY", "name": map[string]any{"en": " ", "zh": ""}, "industry": "ROBOTICS"}, []string{"input.name.en:REQUIRED", "input.name.zh:REQUIRED"}},
		{"company without industry", map[string]any{"kind": "COMPANY", "name": map[string]any{"en": "A", "zh": "甲"}}, []string{"input.industry:REQUIRED"}},
		{"school fields on a company", map[string]any{"kind": "COMPANY", "name": map[string]any{"en": "A", "zh": "甲"}, "industry": "ROBOTICS", "schoolLevel": "UNIVERSITY"}, []string{"input.schoolLevel:INVALID"}},
		{"park that is a school", map[string]any{"kind": "COMPANY", "name": map[string]any{"en": "A", "zh": "甲"}, "industry": "ROBOTICS", "parkId": school}, []string{"input.parkId:INVALID"}},
		{"park that does not exist", map[string]any{"kind": "COMPANY", "name": map[string]any{"en": "A", "zh": "甲"}, "industry": "ROBOTICS", "parkId": relay.ID(relay.TypeOrganization, 987654321)}, []string{"input.parkId:NOT_FOUND"}},
		{"malformed park ID", map[string]any{"kind": "COMPANY", "name": map[string]any{"en": "A", "zh": "甲"}, "industry": "ROBOTICS", "parkId": "nope"}, []string{"input.parkId:INVALID"}},
		{"year out of range and bad website", map[string]any{"kind": "GOVERNMENT_AGENCY", "name": map[string]any{"en": "A", "zh": "甲"}, "jurisdiction": "DISTRICT", "foundedYear": 1200, "website": "ftp://x"}, []string{"input.website:INVALID", "input.foundedYear:OUT_OF_RANGE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.sqlInt(t, "SELECT count(*) FROM organization")
			eventsBefore := ts.sqlInt(t, "SELECT count(*) FROM event")
			var got struct {
				Organization *struct {
					ID, Kind string
					Version  int
				}
			}
			userErrors, errs := mutate(t, ts, admin, createOrganization, tt.input, "createOrganization", &got)
			if errs != nil {
				t.Fatalf("errors: %+v", errs)
			}
			var codes []string
			for _, e := range userErrors {
				codes = append(codes, fmt.Sprintf("%s:%s", joinPath(e.Field), e.Code))
			}
			if fmt.Sprint(codes) != fmt.Sprint(tt.errors) {
				t.Errorf("user errors = %v, want %v", codes, tt.errors)
			}
			after, eventsAfter := ts.sqlInt(t, "SELECT count(*) FROM organization"), ts.sqlInt(t, "SELECT count(*) FROM event")
			if tt.errors != nil {
				if got.Organization != nil || after != before || eventsAfter != eventsBefore {
					t.Errorf("a refused mutation wrote: organization %+v, rows %d -> %d, events %d -> %d", got.Organization, before, after, eventsBefore, eventsAfter)
				}
				return
			}
			if got.Organization == nil || got.Organization.Version != 1 || after != before+1 || eventsAfter != eventsBefore+1 {
				t.Fatalf("organization %+v, rows %d -> %d, events %d -> %d", got.Organization, before, after, eventsBefore, eventsAfter)
			}
			if n := ts.sqlInt(t, "SELECT count(*) FROM event WHERE kind = 'ORGANIZATION_CREATED' AND subject_id = $1 AND actor = 'secretariat' AND actor_role = 'ADMIN'", got.Organization.ID); n != 1 {
				t.Errorf("found %d ORGANIZATION_CREATED events by the secretariat for %s", n, got.Organization.ID)
			}
		})
	}
}

func joinPath(p []string) string {
	s := ""
	for i, x := range p {
		if i > 0 {
			s += "."
		}
		s += x
	}
	return s
}

func TestStaleVersionsConflictAndChangeNothing(t *testing.T) {
	ts := newWriteServer(t)
	org := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'SCHOOL' ORDER BY id DESC LIMIT 1")
	_, key, _ := relay.ParseID(org)
	q := `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { version description } userErrors { field code message } } }`
	version := ts.sqlInt(t, "SELECT version FROM organization WHERE id = $1", key)
	var got struct{ Organization *struct{ Version int } }
	if ue, errs := mutate(t, ts, memberOf(key), q, map[string]any{"id": org, "version": version, "description": "Now with a robotics lab."}, "updateOrganization", &got); len(ue)+len(errs) > 0 {
		t.Fatalf("first update: %+v %+v", ue, errs)
	}
	if got.Organization.Version != version+1 {
		t.Errorf("version after update = %d, want %d", got.Organization.Version, version+1)
	}
	ue, _ := mutate(t, ts, admin, q, map[string]any{"id": org, "version": version, "description": "Lost update"}, "updateOrganization", nil)
	if len(ue) != 1 || ue[0].Code != "CONFLICT" || joinPath(ue[0].Field) != "input.version" {
		t.Fatalf("stale update gave %+v, want one CONFLICT at input.version", ue)
	}
	var desc string
	ts.db.DB.Get(&desc, "SELECT description FROM organization WHERE id = $1", key)
	if desc != "Now with a robotics lab." {
		t.Errorf("description = %q after a conflicting update", desc)
	}
}
