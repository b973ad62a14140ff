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
// organization with store key org; 0 otherwise) and returns the key itself, which is
// never stored and cannot be shown again, and its row.
func CreateAPIKey(ctx context.Context, keys KeyStore, name string, role Role, org int64) (string, store.APIKey, error) {
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
	if row.RevokedAt != nil {
		return Viewer{}, refuse("the API key was revoked at %s", row.RevokedAt.UTC().Format(time.RFC3339))
	}
	role, err := ParseRole(row.Role)
	if err != nil {
		return Viewer{}, fmt.Errorf("verify API key %s: %w", prefix, err)
	}
	v := Viewer{Role: role, Subject: apiKeySubject + prefix}
	if row.OrganizationID != nil {
		v.OrganizationID = *row.OrganizationID
	}
	if err := checkOrganization(v.Role, v.OrganizationID); err != nil {
		return Viewer{}, fmt.Errorf("verify API key %s: %w", prefix, err)
	}
	// The row just read says when the key was last used: a key in constant use costs a
	// write only once a minute, and the store repeats the check against concurrent
	// requests.
	now := a.now()
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) >= touchInterval {
		if err := a.keys.TouchAPIKey(ctx, row.ID, now); err != nil {
			return Viewer{}, fmt.Errorf("verify API key %s: %w", prefix, err)
		}
	}
	return v, nil
}
