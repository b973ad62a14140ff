package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// claims are those of the server's tokens: the registered ones, the role, and for a
// MEMBER the organization's store key.
type claims struct {
	jwt.RegisteredClaims
	Role Role   `json:"role"`
	Org  *int64 `json:"org,omitempty"`
}

// IssueToken signs a token for v, valid for ttl from now. v must have a subject, a role,
// and an organization iff its role is MEMBER; v.ExpiresAt is ignored.
func (a *Authenticator) IssueToken(v Viewer, ttl time.Duration) (string, error) {
	if err := a.checkKey(); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", fmt.Errorf("issue token: lifetime %v is not positive", ttl)
	}
	if v.Subject == "" {
		return "", errors.New("issue token: the subject is empty")
	}
	if strings.HasPrefix(v.Subject, apiKeySubject) {
		return "", fmt.Errorf("issue token: subjects starting with %q are reserved for API keys", apiKeySubject)
	}
	if !v.Role.Valid() {
		return "", fmt.Errorf("issue token: role %q is not ADMIN, MEMBER or ANALYST", v.Role)
	}
	if err := checkOrganization(v.Role, v.OrganizationID); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	now := a.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   v.Subject,
			Issuer:    a.issuer,
			Audience:  jwt.ClaimStrings{a.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: v.Role,
	}
	if v.OrganizationID != 0 {
		org := v.OrganizationID
		c.Org = &org
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(a.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

func (a *Authenticator) checkKey() error {
	if len(a.key) < MinKeyLen {
		return fmt.Errorf("the JWT signing key has %d bytes, want at least %d", len(a.key), MinKeyLen)
	}
	return nil
}

// verifyToken checks a JWT's signature (HS256 only), issuer, audience and times, then its
// role and organization.
func (a *Authenticator) verifyToken(s string) (Viewer, error) {
	if err := a.checkKey(); err != nil {
		return Viewer{}, fmt.Errorf("verify token: %w", err)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(a.issuer),
		jwt.WithAudience(a.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(a.now),
		jwt.WithStrictDecoding(),
	)
	var c claims
	tok, err := parser.ParseWithClaims(s, &c, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodHS256 { // WithValidMethods has checked; be sure
			return nil, errors.New("not HS256")
		}
		return a.key, nil
	})
	if err != nil {
		return Viewer{}, explainTokenError(tok, &c, err)
	}
	switch {
	case c.Subject == "":
		return Viewer{}, refuse("the token has no subject (sub)")
	case strings.HasPrefix(c.Subject, apiKeySubject):
		return Viewer{}, refuse("the token's subject is reserved for API keys")
	case c.Role == "":
		return Viewer{}, refuse("the token has no role")
	case !c.Role.Valid():
		return Viewer{}, refuse("the token's role is not ADMIN, MEMBER or ANALYST")
	case c.Role == RoleMember && c.Org == nil:
		return Viewer{}, refuse("the token's role is MEMBER but it names no organization (org)")
	case c.Role == RoleMember && *c.Org <= 0:
		return Viewer{}, refuse("the token's organization (org) is not a valid key")
	case c.Role != RoleMember && c.Org != nil:
		return Viewer{}, refuse("the token's role is %s, which cannot be bound to an organization (org)", c.Role)
	}
	v := Viewer{Role: c.Role, Subject: c.Subject, ExpiresAt: c.ExpiresAt.UTC()}
	if c.Org != nil {
		v.OrganizationID = *c.Org
	}
	return v, nil
}

// explainTokenError turns the parser's error into a refusal that says what is wrong
// without quoting the token. Claims are only looked at once the signature is known good.
func explainTokenError(tok *jwt.Token, c *claims, err error) error {
	if tok != nil && tok.Method != nil && tok.Method.Alg() != jwt.SigningMethodHS256.Alg() {
		return refuse("the token is not signed with HS256, the only algorithm accepted")
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return refuse("the token is malformed")
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return refuse("the token is not signed with HS256, the only algorithm accepted")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return refuse("the token's signature is invalid")
	case c.ExpiresAt == nil:
		return refuse("the token has no expiry (exp)")
	case errors.Is(err, jwt.ErrTokenExpired):
		return refuse("the token expired at %s", c.ExpiresAt.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenNotValidYet) && c.NotBefore != nil:
		return refuse("the token is not valid before %s", c.NotBefore.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued) && c.IssuedAt != nil:
		return refuse("the token is issued in the future (%s)", c.IssuedAt.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), c.Issuer == "":
		return refuse("the token was not issued by this server (iss)")
	case errors.Is(err, jwt.ErrTokenInvalidAudience), len(c.Audience) == 0:
		return refuse("the token is not meant for this server (aud)")
	}
	return refuse("the token's claims are invalid")
}
