package benchmark

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
)

// floorNested fetches the nested query's data (the same rows and fields as oursNested)
// in one hand-written statement that builds the JSON document inside PostgreSQL: the
// least work the database can do for that answer, and so the floor under which no GraphQL
// server over it can go. Orders, limits and visibility are those of alliance-graph's
// store: members by joining date, each organization's partnerships by signing date
// (unsigned last), participants lead first then by name, resources shared with the whole
// alliance and not withdrawn, by sharing date.
const floorNested = `
SELECT json_build_object('alliance', json_build_object('members', json_build_object('edges',
  COALESCE(json_agg(json_build_object('node', json_build_object('role', m.role, 'organization', org.doc)) ORDER BY m.joined_on, m.id), '[]'))))
FROM (SELECT * FROM membership WHERE alliance_id = $1 ORDER BY joined_on, id LIMIT $2) m
CROSS JOIN LATERAL (
  SELECT json_build_object('name', json_build_object('en', o.name_en), 'partnerships', json_build_object('edges', parts.edges)) AS doc
  FROM organization o
  CROSS JOIN LATERAL (
    SELECT COALESCE(json_agg(json_build_object('node', json_build_object('title', json_build_object('en', p.title_en), 'participants', pps.list))
             ORDER BY p.sort, p.id), '[]') AS edges
    FROM (SELECT p.id, p.title_en, COALESCE(p.signed_on, 'infinity'::date) AS sort
          FROM partnership p JOIN partnership_participant op ON op.partnership_id = p.id
          WHERE op.organization_id = o.id ORDER BY sort, p.id LIMIT 10) p
    CROSS JOIN LATERAL (
      SELECT COALESCE(json_agg(json_build_object('role', pp.role, 'organization', json_build_object(
                 'name', json_build_object('zh', po.name_zh), 'resources', json_build_object('edges', res.edges)))
               ORDER BY array_position(ARRAY['LEAD', 'PARTNER', 'SPONSOR'], pp.role), po.name_en, po.id), '[]') AS list
      FROM partnership_participant pp JOIN organization po ON po.id = pp.organization_id
      CROSS JOIN LATERAL (
        SELECT COALESCE(json_agg(json_build_object('node', json_build_object('category', r.category,
                 'title', json_build_object('en', r.title_en), 'provider', json_build_object('id', r.provider_id)))
                 ORDER BY r.shared_on, r.id), '[]') AS edges
        FROM (SELECT r.category, r.title_en, r.provider_id, r.shared_on, r.id FROM resource r
              WHERE r.provider_id = po.id AND r.withdrawn_on IS NULL AND r.shared_with_all
              ORDER BY r.shared_on, r.id LIMIT 5) r
      ) res
      WHERE pp.partnership_id = p.id
    ) pps
  ) parts
  WHERE o.id = m.organization_id
) org`

// FloorOps are the floor's operations: the nested query's data straight from PostgreSQL
// through database/sql and lib/pq, as alliance-graph's server reaches it.
func FloorOps(db *sql.DB, f Fixtures) map[string]Op {
	return map[string]Op{
		"nested": {Name: "nested", Do: func(ctx context.Context, _ *rand.Rand) error {
			var doc []byte
			if err := db.QueryRowContext(ctx, floorNested, f.Alliance, NestedPage).Scan(&doc); err != nil {
				return fmt.Errorf("floor nested query: %w", err)
			}
			return nil
		}},
	}
}
