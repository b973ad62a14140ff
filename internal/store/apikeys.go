package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// APIKey is a machine client's key. Only a SHA-256 of its secret is stored; the prefix,
// which is not secret, finds the row.
type APIKey struct {
	ID             int64      `db:"id"`
	Prefix         string     `db:"prefix"`
	SecretHash     []byte     `db:"secret_hash"`
	Name           string     `db:"name"`
	Role           string     `db:"role"`
	OrganizationID *int64     `db:"organization_id"` // set iff Role is MEMBER
	CreatedAt      time.Time  `db:"created_at"`
	RevokedAt      *time.Time `db:"revoked_at"`
	LastUsedAt     *time.Time `db:"last_used_at"`
	ExpiresAt      *time.Time `db:"expires_at"` // nil: never expires
}

// NewAPIKey is what CreateAPIKey stores.
type NewAPIKey struct {
	Prefix         string
	SecretHash     []byte
	Name           string
	Role           string
	OrganizationID *int64
	ExpiresAt      *time.Time // nil: never expires
}

const apiKeyColumns = "id, prefix, secret_hash, name, role, organization_id, created_at, revoked_at, last_used_at, expires_at"

// Every statement on keys and secrets goes to the primary: some write, and a revoked key
// must stop working at once, not once a replica has replayed the revocation.

// CreateAPIKey stores a new API key.
func (s *Store) CreateAPIKey(ctx context.Context, k NewAPIKey) (APIKey, error) {
	ctx = ReadPrimary(ctx)
	var row APIKey
	err := s.getRow(ctx, &row, `
		INSERT INTO api_key (prefix, secret_hash, name, role, organization_id, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING `+apiKeyColumns, k.Prefix, k.SecretHash, k.Name, k.Role, k.OrganizationID, k.ExpiresAt)
	if err != nil {
		return APIKey{}, fmt.Errorf("create API key %s: %w", k.Prefix, err)
	}
	return row, nil
}

// APIKeyByPrefix loads the key with prefix, revoked or not; ErrNotFound if there is none.
func (s *Store) APIKeyByPrefix(ctx context.Context, prefix string) (APIKey, error) {
	ctx = ReadPrimary(ctx)
	var row APIKey
	if err := s.getRow(ctx, &row, "SELECT "+apiKeyColumns+" FROM api_key WHERE prefix = $1", prefix); err != nil {
		return APIKey{}, fmt.Errorf("load API key %s: %w", prefix, err)
	}
	return row, nil
}

// APIKeysByPrefix loads the keys with the given prefixes, revoked or not, in one
// statement: the credential watcher re-reads every key behind a live connection with it.
// Prefixes no row has are absent from the answer.
func (s *Store) APIKeysByPrefix(ctx context.Context, prefixes []string) ([]APIKey, error) {
	ctx = ReadPrimary(ctx)
	var rows []APIKey
	if err := s.selectRows(ctx, &rows, "SELECT "+apiKeyColumns+" FROM api_key WHERE prefix = ANY($1)", pq.Array(prefixes)); err != nil {
		return nil, fmt.Errorf("load %d API keys: %w", len(prefixes), err)
	}
	return rows, nil
}

// RevokeAPIKey marks the key with prefix revoked and returns it. Revoking a revoked key
// keeps its first revocation time. ErrNotFound if there is no such key.
func (s *Store) RevokeAPIKey(ctx context.Context, prefix string) (APIKey, error) {
	ctx = ReadPrimary(ctx)
	var row APIKey
	if err := s.getRow(ctx, &row, `
		UPDATE api_key SET revoked_at = COALESCE(revoked_at, now())
		WHERE prefix = $1
		RETURNING `+apiKeyColumns, prefix); err != nil {
		return APIKey{}, fmt.Errorf("revoke API key %s: %w", prefix, err)
	}
	return row, nil
}

// TouchAPIKey records that key id was used at at, unless a use within the minute before
// at is already recorded: a key in constant use is written at most once a minute.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	const q = `
		UPDATE api_key SET last_used_at = $2
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '1 minute')`
	s.observe(ctx, q, []any{id, at})
	if _, err := s.db.ExecContext(ctx, q, id, at); err != nil {
		return fmt.Errorf("record use of API key %d: %w", id, err)
	}
	return nil
}

// APIKeys lists every API key, oldest first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	ctx = ReadPrimary(ctx)
	var rows []APIKey
	if err := s.selectRows(ctx, &rows, "SELECT "+apiKeyColumns+" FROM api_key ORDER BY created_at, id"); err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return rows, nil
}

// ServerSecret returns the server secret called name, storing candidate under that name
// first if there is none. Concurrent callers with different candidates all get the one
// that was stored first.
func (s *Store) ServerSecret(ctx context.Context, name string, candidate []byte) ([]byte, error) {
	ctx = ReadPrimary(ctx)
	const insert = "INSERT INTO server_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
	s.observe(ctx, insert, []any{name, candidate})
	if _, err := s.db.ExecContext(ctx, insert, name, candidate); err != nil {
		return nil, fmt.Errorf("store server secret %q: %w", name, err)
	}
	// A separate statement: its snapshot sees a row a concurrent caller committed while
	// the insert above waited on it.
	var value []byte
	if err := s.getRow(ctx, &value, "SELECT value FROM server_secret WHERE name = $1", name); err != nil {
		return nil, fmt.Errorf("load server secret %q: %w", name, err)
	}
	return value, nil
}
