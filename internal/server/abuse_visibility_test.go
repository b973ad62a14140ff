package server_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// abuseDatabase is the data the abuse suite attacks: the demo alliance in make test, and
// ten times the demo under make soak (ALLIANCE_SOAK set), in a database of its own.
func abuseDatabase(t *testing.T) *pgtest.Database {
	t.Helper()
	if os.Getenv(SoakEnv) == "" {
		return testDB
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	db := pgtest.New(t, "abuse")
	start := time.Now()
	if _, err := demo.Load(ctx, db.DB, demo.Options{Scale: 10, AsOf: demoDay}); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded the demo alliance at 10 times its size in %s", time.Since(start).Round(time.Second))
	return db
}

// The attack of issue 13: page through every talent anonymously and read what their
// relations lead to (applications and their openings, courses and their teachers,
// competition results), and through every training course and centre (teachers,
// facilities). Before, 68 of the 86 resources shared with named members only came back
// this way while node(id:) on them said NOT_FOUND.
func TestAbuseRestrictedResourcesDoNotLeakThroughRelations(t *testing.T) {
	db := abuseDatabase(t)
	ts := startConfiguredServer(t, db, nil)
	st := store.New(db.DB, nil)
	var unrelated int64
	if err := db.DB.Get(&unrelated, `SELECT o.id FROM organization o WHERE o.kind = 'SCHOOL'
		AND NOT EXISTS (SELECT 1 FROM resource_share s WHERE s.organization_id = o.id) ORDER BY o.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	lists := []struct{ name, query string }{
		{"talents", `query($after: String) { list: talents(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node {
			id placements { id opening { id } } courses { id teachers { id } facility { id } } competitionResults { id } } } } }`},
		{"training courses", `query($after: String) { list: trainingCourses(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node {
			id teachers { id } facility { id } } } } }`},
		{"training centres", `query($after: String) { list: trainingCenters(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node {
			id facilities { id courses(first: 20) { edges { node { id teachers { id } } } } } } } } }`},
	}
	// read pages through every list as v and reports the restricted resources met.
	read := func(t *testing.T, v auth.Viewer) (met map[int64]bool) {
		met = map[int64]bool{}
		for _, l := range lists {
			vars := map[string]any{}
			for page := 0; ; page++ {
				r := ts.queryAs(t, v, l.query, vars)
				if len(r.Errors) > 0 {
					t.Fatalf("%s page %d: %+v", l.name, page, r.Errors)
				}
				var data any
				if err := json.Unmarshal(r.Data, &data); err != nil {
					t.Fatal(err)
				}
				collectResourceIDs(data, met)
				var p struct {
					List struct {
						PageInfo struct {
							HasNextPage bool
							EndCursor   string
						}
					}
				}
				json.Unmarshal(r.Data, &p)
				if !p.List.PageInfo.HasNextPage {
					break
				}
				vars["after"] = p.List.PageInfo.EndCursor
			}
		}
		return met
	}
	anonymous := newWalkRules(t, db, st, auth.Viewer{})
	met := read(t, admin)
	restricted := 0
	for id := range met {
		if anonymous.hiddenResources[id] {
			restricted++
		}
	}
	if restricted == 0 {
		t.Fatalf("as ADMIN the attack met no restricted resource: it tests nothing")
	}
	t.Logf("as ADMIN the relations lead to %d of the %d restricted resources", restricted, len(anonymous.hiddenResources))
	for _, vw := range []struct {
		name string
		v    auth.Viewer
	}{{"anonymous", auth.Viewer{}}, {"analyst", analyst}, {"unrelated member", memberOf(unrelated)}} {
		t.Run(vw.name, func(t *testing.T) {
			rules := newWalkRules(t, db, st, vw.v)
			var leaked []int64
			for id := range read(t, vw.v) {
				if rules.hiddenResources[id] {
					leaked = append(leaked, id)
				}
			}
			if len(leaked) > 0 {
				t.Errorf("%d restricted resources leaked: %v", len(leaked), leaked)
			}
		})
	}
}

// collectResourceIDs gathers the keys of the resources in an answer: every object with a
// resource's ID, whatever field led to it.
func collectResourceIDs(v any, into map[int64]bool) {
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			if id, ok := v["id"].(string); ok {
				if typ, key, err := relay.ParseID(id); err == nil && typ == relay.TypeResource {
					into[key] = true
				}
			}
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
}
