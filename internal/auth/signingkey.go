package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
)

// signingSecretName is the server_secret row holding the generated JWT signing key.
const signingSecretName = "jwt"

// SigningKey returns the HS256 key: configured (JWT_SECRET) if it is not empty, which
// must then have at least MinKeyLen bytes; otherwise the key stored in the database,
// generated at random on first use. Every server and CLI over one database thus agrees
// on the key without configuration.
func SigningKey(ctx context.Context, keys KeyStore, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < MinKeyLen {
			return nil, fmt.Errorf("the configured JWT secret (--jwt-secret, JWT_SECRET) has %d bytes; it needs at least %d, e.g. from `openssl rand -base64 48`", len(configured), MinKeyLen)
		}
		return []byte(configured), nil
	}
	if keys == nil {
		return nil, errors.New("load the JWT signing key: no JWT secret is configured and there is no database to keep one")
	}
	candidate := make([]byte, MinKeyLen)
	if _, err := rand.Read(candidate); err != nil {
		return nil, fmt.Errorf("generate a JWT signing key: %w", err)
	}
	key, err := keys.ServerSecret(ctx, signingSecretName, candidate)
	if err != nil {
		return nil, fmt.Errorf("load the JWT signing key: %w", err)
	}
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("the stored JWT signing key has %d bytes, want at least %d", len(key), MinKeyLen)
	}
	return key, nil
}
