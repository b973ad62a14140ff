package demo

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/alliance-graph/alliance-graph/internal/database"
)

// LoadIfEmpty loads the demo alliance at scale 1 unless the database already holds an
// alliance, and reports whether it loaded it. It holds the database's setup lock from the
// check to the commit, so that of several replicas starting together on an empty database
// exactly one loads the demo and the others find it there, instead of failing on
// Load's "already exists".
func LoadIfEmpty(ctx context.Context, db *sqlx.DB, asOf time.Time) (Summary, bool, error) {
	var sum Summary
	var loaded bool
	err := database.Exclusively(ctx, db.DB, func(ctx context.Context) error {
		seeded, err := Seeded(ctx, db)
		if err != nil || seeded {
			return err
		}
		sum, err = Load(ctx, db, Options{Scale: 1, AsOf: asOf})
		loaded = err == nil
		return err
	})
	return sum, loaded, err
}
