package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// An API key reads ak_<prefix>_<secret>: the prefix is 12 lowercase hex digits naming the
// row, the secret 32 random bytes in lowercase unpadded base32 (52 characters).
const (
	apiKeyTag       = "ak_"
	apiKeySubject   = "apikey:"
	prefixBytes     = 6
	prefixLen       = 2 * prefixBytes
	secretBytes     = 32
	touchInterval   = time.Minute
	apiKeyMaxName   = 200
	lowerBase32Alph = "abcdefghijklmnopqrstuvwxyz234567"
)

// badAPIKey is the one reason given for an API key that is unknown or whose secret is
// wrong.
const badAPIKey = "the API key is unknown or its secret is wrong"

func secretEncoding() *base32.Encoding {
	return base32.NewEncoding(lowerBase32Alph).WithPadding(base32.NoPadding)
}

// CreateAPIKey makes a new API key called name for role (and, for a MEMBER, the
// organization with store key org; 0 otherwise) that never expires, and returns the key
// itself, which is never stored and cannot be shown again, and its row.
func CreateAPIKey(ctx context.Context, keys KeyStore, name string, role Role, org int64) (string, store.APIKey, error) {
	return CreateAPIKeyUntil(ctx, keys, name, role, org, time.Time{})
}

// CreateAPIKeyUntil is CreateAPIKey for a key refused from expires on; the zero time
// means never.
func CreateAPIKeyUntil(ctx context.Context, keys KeyStore, name string, role Role, org int64, expires time.Time) (string, store.APIKey, error) {
	if name == "" || len([]rune(name)) > apiKeyMaxName {
		return "", store.APIKey{}, fmt.Errorf("create API key: the name must have 1 to %d characters", apiKeyMaxName)
	}
	if !role.Valid() {
		return "", store.APIKey{}, fmt.Errorf("create API key: role %q is not ADMIN, MEMBER or ANALYST", role)
	}
	if err := checkOrganization(role, org); err != nil {
		return "", store.APIKey{}, fmt.Errorf("create API key: %w", err)
	}
	var p [prefixBytes]byte
	var secret [secretBytes]byte
	if _, err := rand.Read(p[:]); err != nil {
		return "", store.APIKey{}, fmt.Errorf("create API key: %w", err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return "", store.APIKey{}, fmt.Errorf("create API key: %w", err)
	}
	prefix := hex.EncodeToString(p[:])
	hash := sha256.Sum256(secret[:])
	k := store.NewAPIKey{Prefix: prefix, SecretHash: hash[:], Name: name, Role: string(role)}
	if org != 0 {
		k.OrganizationID = &org
	}
	if !expires.IsZero() {
		k.ExpiresAt = &expires
	}
	row, err := keys.CreateAPIKey(ctx, k)
	if err != nil {
		return "", store.APIKey{}, err
	}
	return apiKeyTag + prefix + "_" + secretEncoding().EncodeToString(secret[:]), row, nil
}

// splitAPIKey parses ak_<prefix>_<secret> into the prefix and the secret's bytes.
func splitAPIKey(key string) (prefix string, secret []byte, ok bool) {
	rest := key[len(apiKeyTag):]
	if len(rest) < prefixLen+1 || rest[prefixLen] != '_' {
		return "", nil, false
	}
	prefix, enc := rest[:prefixLen], rest[prefixLen+1:]
	for _, c := range []byte(prefix) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", nil, false
		}
	}
	e := secretEncoding()
	secret, err := e.DecodeString(enc)
	// One key, one spelling: refuse encodings that only decode to the same bytes.
	if err != nil || len(secret) != secretBytes || e.EncodeToString(secret) != enc {
		return "", nil, false
	}
	return prefix, secret, true
}

// verifyAPIKey finds the key by prefix, compares the hash of its secret in constant time,
// refuses revoked keys, and records its use at most once a minute.
func (a *Authenticator) verifyAPIKey(ctx context.Context, key string) (Viewer, error) {
	prefix, secret, ok := splitAPIKey(key)
	if !ok {
		return Viewer{}, refuse("the API key is malformed")
	}
	if a.keys == nil {
		return Viewer{}, refuse("API keys are not accepted by this server")
	}
	row, err := a.keys.APIKeyByPrefix(ctx, prefix)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Viewer{}, fmt.Errorf("verify API key: %w", err)
	}
	// An unknown prefix and a wrong secret get one answer, after the same work: the
	// secret is hashed and compared either way (with a hash no secret has when the prefix
	// is unknown), so that neither the reply nor its timing tells a guesser which
	// prefixes exist. (Zeros: no secret is known to hash to them.)
	want := row.SecretHash
	if !known {
		want = make([]byte, sha256.Size)
	}
	hash := sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(hash[:], want) != 1 || !known {
		return Viewer{}, refuse(badAPIKey)
	}
	now := a.now()
	if err := keyUsable(row, now); err != nil {
		return Viewer{}, err
	}
	v, err := keyViewer(row)
	if err != nil {
		return Viewer{}, err
	}
	// The row just read says when the key was last used: a key in constant use costs a
	// write only once a minute, and the store repeats the check against concurrent
	// requests.
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) >= touchInterval {
		if err := a.keys.TouchAPIKey(ctx, row.ID, now); err != nil {
			return Viewer{}, fmt.Errorf("verify API key %s: %w", prefix, err)
		}
	}
	return v, nil
}

// keyUsable refuses a key that is revoked or expired at now.
func keyUsable(row store.APIKey, now time.Time) error {
	if row.RevokedAt != nil {
		return refuse("the API key was revoked at %s", row.RevokedAt.UTC().Format(time.RFC3339))
	}
	if row.ExpiresAt != nil && !now.Before(*row.ExpiresAt) {
		return refuse("the API key expired at %s", row.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// keyViewer is who a key's row stands for now.
func keyViewer(row store.APIKey) (Viewer, error) {
	role, err := ParseRole(row.Role)
	if err != nil {
		return Viewer{}, fmt.Errorf("verify API key %s: %w", row.Prefix, err)
	}
	v := Viewer{Role: role, Subject: apiKeySubject + row.Prefix}
	if row.OrganizationID != nil {
		v.OrganizationID = *row.OrganizationID
	}
	if row.ExpiresAt != nil {
		v.ExpiresAt = row.ExpiresAt.UTC()
	}
	if err := checkOrganization(v.Role, v.OrganizationID); err != nil {
		return Viewer{}, fmt.Errorf("verify API key %s: %w", row.Prefix, err)
	}
	return v, nil
}

// stillValid refuses a viewer authenticated earlier whose key's row, as read now, no
// longer stands for the same role, organization and expiry, or is revoked or expired.
func stillValid(v Viewer, row store.APIKey, now time.Time) error {
	if err := keyUsable(row, now); err != nil {
		return err
	}
	cur, err := keyViewer(row)
	if err != nil {
		return err
	}
	if cur.Role != v.Role || cur.OrganizationID != v.OrganizationID || !cur.ExpiresAt.Equal(v.ExpiresAt) {
		return refuse("the API key's role, organization or expiry changed; reconnect to use it as it is now")
	}
	return nil
}

// apiKeyPrefix is the prefix of the API key v was authenticated with; false for other
// credentials.
func apiKeyPrefix(v Viewer) (string, bool) {
	if p, ok := strings.CutPrefix(v.Subject, apiKeySubject); ok {
		return p, true
	}
	return "", false
}
