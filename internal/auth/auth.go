package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// ErrUnauthenticated is wrapped by every error that means the credential was refused
// (as opposed to the server failing to check it).
var ErrUnauthenticated = errors.New("unauthenticated")

// refusal is a refused credential: its reason is safe to show the client, and never
// quotes the credential.
type refusal struct{ reason string }

func (e *refusal) Error() string { return "unauthenticated: " + e.reason }
func (e *refusal) Unwrap() error { return ErrUnauthenticated }

func refuse(format string, args ...any) error {
	return &refusal{reason: fmt.Sprintf(format, args...)}
}

// Reason returns why err refused a credential, for the client; "" if err is not a
// refusal.
func Reason(err error) string {
	var r *refusal
	if errors.As(err, &r) {
		return r.reason
	}
	return ""
}

// DefaultIssuer is the iss and aud of tokens when Config leaves them empty.
const DefaultIssuer = "alliance-graph"

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 30 * time.Second

// MinKeyLen is the shortest HS256 signing key accepted, in bytes.
const MinKeyLen = 32

// KeyStore keeps API keys and server secrets; *store.Store implements it.
type KeyStore interface {
	CreateAPIKey(ctx context.Context, k store.NewAPIKey) (store.APIKey, error)
	APIKeyByPrefix(ctx context.Context, prefix string) (store.APIKey, error)
	APIKeysByPrefix(ctx context.Context, prefixes []string) ([]store.APIKey, error)
	RevokeAPIKey(ctx context.Context, prefix string) (store.APIKey, error)
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error
	APIKeys(ctx context.Context) ([]store.APIKey, error)
	ServerSecret(ctx context.Context, name string, candidate []byte) ([]byte, error)
}

var _ KeyStore = (*store.Store)(nil)

// Config sets up an Authenticator.
type Config struct {
	Key      []byte           // HS256 key, at least MinKeyLen bytes (see SigningKey)
	Issuer   string           // iss of issued tokens and required of presented ones; DefaultIssuer if empty
	Audience string           // aud likewise; DefaultIssuer if empty
	Now      func() time.Time // the clock; time.Now if nil
}

// Authenticator verifies credentials and issues tokens.
type Authenticator struct {
	key      []byte
	issuer   string
	audience string
	now      func() time.Time
	keys     KeyStore
}

// New returns an Authenticator over cfg; keys looks API keys up and may be nil, in
// which case every API key is refused.
func New(cfg Config, keys KeyStore) *Authenticator {
	a := &Authenticator{key: cfg.Key, issuer: cfg.Issuer, audience: cfg.Audience, now: cfg.Now, keys: keys}
	if a.issuer == "" {
		a.issuer = DefaultIssuer
	}
	if a.audience == "" {
		a.audience = DefaultIssuer
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// Authenticate tells who presents authorization, the value of an Authorization header.
// No header means an anonymous viewer and no error. "Bearer <JWT>" and "Bearer ak_..."
// give the viewer they stand for. Anything else is an error wrapping
// ErrUnauthenticated that says why; other errors mean the check itself failed (the
// database is unreachable, say).
func (a *Authenticator) Authenticate(ctx context.Context, authorization string) (Viewer, error) {
	authorization = strings.TrimSpace(authorization)
	if authorization == "" {
		return Viewer{}, nil
	}
	scheme, credential, _ := strings.Cut(authorization, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return Viewer{}, refuse(`the Authorization header must be "Bearer <token>"`)
	}
	credential = strings.TrimSpace(credential)
	switch {
	case credential == "":
		return Viewer{}, refuse("the bearer token is empty")
	case strings.HasPrefix(credential, apiKeyTag):
		return a.verifyAPIKey(ctx, credential)
	default:
		return a.verifyToken(credential)
	}
}
