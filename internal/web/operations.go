package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// dashboardManifest is written by web/build.mjs from web/src/dashboard.graphql, whose
// operations the dashboard sends by id alone.
//
//go:embed operations/dashboard.json
var dashboardManifest []byte

// Operation is one persisted document: its id is the sha256 of Body, in hexadecimal.
type Operation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"` // query, mutation or subscription
	Body string `json:"body"`
}

// DashboardOperations are the only operations the dashboard sends, each named by its id
// (GraphQL over HTTP's documentId) rather than sent as text: a server that runs only
// trusted documents must trust these to serve the dashboard.
func DashboardOperations() []Operation {
	var m struct {
		Format     string      `json:"format"`
		Version    int         `json:"version"`
		Operations []Operation `json:"operations"`
	}
	if err := json.Unmarshal(dashboardManifest, &m); err != nil {
		panic(fmt.Errorf("the dashboard's operations (compiled in): %w", err))
	}
	return m.Operations
}
