package benchmark

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
)

// Fixtures are the keys the operations draw their arguments from, read from the
// benchmark's database once per scale, so that both servers are asked about the same rows.
type Fixtures struct {
	Alliance      int64
	Organizations []int64
	Companies     []int64
	// Openings are the job openings every viewer sees (shared with the whole alliance).
	Openings []int64
	// Linked take part in at least one partnership: the ends of network paths.
	Linked []int64
}

// LoadFixtures reads the fixtures of the first alliance.
func LoadFixtures(ctx context.Context, db *sql.DB) (Fixtures, error) {
	var f Fixtures
	if err := db.QueryRowContext(ctx, `SELECT id FROM alliance ORDER BY id LIMIT 1`).Scan(&f.Alliance); err != nil {
		return f, fmt.Errorf("load the benchmark's alliance: %w", err)
	}
	lists := []struct {
		into *[]int64
		sql  string
	}{
		{&f.Organizations, `SELECT id FROM organization ORDER BY id`},
		{&f.Companies, `SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id`},
		{&f.Openings, `SELECT id FROM resource WHERE category = 'JOB_OPENING' AND shared_with_all ORDER BY id`},
		{&f.Linked, `SELECT DISTINCT organization_id FROM partnership_participant ORDER BY 1`},
	}
	for _, l := range lists {
		rows, err := db.QueryContext(ctx, l.sql)
		if err != nil {
			return f, fmt.Errorf("load fixtures (%s): %w", l.sql, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return f, fmt.Errorf("load fixtures (%s): %w", l.sql, err)
			}
			*l.into = append(*l.into, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return f, fmt.Errorf("load fixtures (%s): %w", l.sql, err)
		}
		if len(*l.into) == 0 {
			return f, fmt.Errorf("load fixtures: %s found nothing: is the database seeded?", l.sql)
		}
	}
	return f, nil
}

func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
