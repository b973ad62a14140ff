-- +goose Up
-- An API key may carry an expiry, after which it is refused like a revoked key. Keys
-- created before this migration keep none (NULL); `alliance token create --api-key`
-- gives new keys one by default (see --expires-in).
ALTER TABLE api_key ADD COLUMN expires_at timestamptz;

-- +goose Down
ALTER TABLE api_key DROP COLUMN expires_at;
