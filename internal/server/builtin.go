package server

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/web"
)

// dashboardDocuments are the dashboard's operations (web.DashboardOperations), which the
// server trusts beside any manifest of --trusted-documents, and without one accepts by id
// as well: the dashboard sends ids, never query text, so that it works in every mode.
// They are compiled in and checked by the tests, so a bad one is a build error.
func dashboardDocuments() *TrustedDocuments {
	ops := web.DashboardOperations()
	docs := make(map[string]string, len(ops))
	for _, op := range ops {
		docs[op.ID] = op.Body
	}
	t, err := newTrustedDocuments(docs)
	if err != nil {
		panic(fmt.Errorf("the dashboard's built-in operations: %w", err))
	}
	return t
}

// logBuiltInTrusted says, once at start in trusted-documents mode, that the dashboard
// still works and what the playground, which sends free-form text, needs.
func logBuiltInTrusted(log *slog.Logger, builtIn *TrustedDocuments, playground bool, freeForm []auth.Role) {
	if log == nil {
		return
	}
	args := []any{"operations", builtIn.Len()}
	if playground {
		if len(freeForm) == 0 {
			args = append(args, "playground", "no role may send its free-form queries")
		} else {
			roles := make([]string, len(freeForm))
			for i, r := range freeForm {
				roles[i] = string(r)
			}
			args = append(args, "playground", "free-form queries need a token of the role "+strings.Join(roles, " or ")+" in its Authorization header")
		}
	}
	log.Info(fmt.Sprintf("trusted-documents mode: the dashboard's %d built-in operations are trusted as well", builtIn.Len()), args...)
}
