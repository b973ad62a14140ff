package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// goodClaims are valid claims of an ADMIN token at testNow.
func goodClaims() jwt.MapClaims {
	now := testNow()
	return jwt.MapClaims{
		"sub":  "alice",
		"role": "ADMIN",
		"iss":  DefaultIssuer,
		"aud":  DefaultIssuer,
		"iat":  now.Unix(),
		"exp":  now.Add(time.Hour).Unix(),
	}
}

// with returns goodClaims changed by edit; a nil value deletes the claim.
func with(edit map[string]any) jwt.MapClaims {
	c := goodClaims()
	for k, v := range edit {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hs256(t *testing.T, c jwt.Claims) string {
	return sign(t, jwt.SigningMethodHS256, []byte(testKey), c)
}

// replacePart replaces part i (0 header, 1 claims, 2 signature) of a compact JWT.
func replacePart(tok string, i int, part string) string {
	parts := strings.Split(tok, ".")
	parts[i] = part
	return strings.Join(parts, ".")
}

func encodeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestAuthenticateTokens(t *testing.T) {
	a := newTestAuthenticator(nil)
	now := testNow()
	issue := func(v Viewer) string {
		s, err := a.IssueToken(v, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	admin := issue(Viewer{Role: RoleAdmin, Subject: "alice"})
	// The signature of admin with its first character changed, so that it stays valid
	// base64 but no longer matches.
	sig := strings.Split(admin, ".")[2]
	flipped := "A"
	if sig[0] == 'A' {
		flipped = "B"
	}
	tamperedSignature := replacePart(admin, 2, flipped+sig[1:])
	// Other claims put on the signature of admin: a forgery.
	tamperedClaims := replacePart(admin, 1, encodeJSON(t, with(map[string]any{"sub": "mallory"})))

	tests := []struct {
		name   string
		header string
		want   Viewer
		reason string // substring of the refusal; "" for success
	}{
		{name: "admin issued by IssueToken", header: "Bearer " + admin,
			want: Viewer{Role: RoleAdmin, Subject: "alice", ExpiresAt: now.Add(time.Hour)}},
		{name: "member with organization", header: "Bearer " + issue(Viewer{Role: RoleMember, OrganizationID: 42, Subject: "bob"}),
			want: Viewer{Role: RoleMember, OrganizationID: 42, Subject: "bob", ExpiresAt: now.Add(time.Hour)}},
		{name: "analyst, scheme in lower case", header: "bearer " + issue(Viewer{Role: RoleAnalyst, Subject: "carol"}),
			want: Viewer{Role: RoleAnalyst, Subject: "carol", ExpiresAt: now.Add(time.Hour)}},
		{name: "audience as a list including ours", header: "Bearer " + hs256(t, with(map[string]any{"aud": []string{"other", DefaultIssuer}})),
			want: Viewer{Role: RoleAdmin, Subject: "alice", ExpiresAt: now.Add(time.Hour)}},
		{name: "expired within the leeway", header: "Bearer " + hs256(t, with(map[string]any{"exp": now.Add(-10 * time.Second).Unix()})),
			want: Viewer{Role: RoleAdmin, Subject: "alice", ExpiresAt: now.Add(-10 * time.Second)}},
		{name: "surrounding spaces", header: "  Bearer   " + admin + "  ",
			want: Viewer{Role: RoleAdmin, Subject: "alice", ExpiresAt: now.Add(time.Hour)}},

		{name: "expired", header: "Bearer " + hs256(t, with(map[string]any{"exp": now.Add(-time.Hour).Unix()})),
			reason: "the token expired at 2030-01-02T02:04:05Z"},
		{name: "no expiry", header: "Bearer " + hs256(t, with(map[string]any{"exp": nil})), reason: "no expiry (exp)"},
		{name: "not yet valid", header: "Bearer " + hs256(t, with(map[string]any{"nbf": now.Add(time.Hour).Unix()})),
			reason: "not valid before 2030-01-02T04:04:05Z"},
		{name: "issued in the future", header: "Bearer " + hs256(t, with(map[string]any{"iat": now.Add(time.Hour).Unix()})),
			reason: "issued in the future"},
		{name: "wrong issuer", header: "Bearer " + hs256(t, with(map[string]any{"iss": "someone-else"})), reason: "not issued by this server (iss)"},
		{name: "no issuer", header: "Bearer " + hs256(t, with(map[string]any{"iss": nil})), reason: "not issued by this server (iss)"},
		{name: "wrong audience", header: "Bearer " + hs256(t, with(map[string]any{"aud": "another-api"})), reason: "not meant for this server (aud)"},
		{name: "no audience", header: "Bearer " + hs256(t, with(map[string]any{"aud": nil})), reason: "not meant for this server (aud)"},
		{name: "alg none", header: "Bearer " + sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, goodClaims()),
			reason: "not signed with HS256"},
		{name: "alg none with an HS256 signature appended", header: "Bearer " + replacePart(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, goodClaims()), 2, sig),
			reason: "not signed with HS256"},
		{name: "RS256", header: "Bearer " + sign(t, jwt.SigningMethodRS256, rsaKey, goodClaims()), reason: "not signed with HS256"},
		{name: "HS384 with the right key", header: "Bearer " + sign(t, jwt.SigningMethodHS384, []byte(testKey), goodClaims()), reason: "not signed with HS256"},
		{name: "unknown algorithm", header: "Bearer " + replacePart(admin, 0, encodeJSON(t, map[string]string{"alg": "XS999", "typ": "JWT"})), reason: "not signed with HS256"},
		{name: "tampered signature", header: "Bearer " + tamperedSignature, reason: "signature is invalid"},
		{name: "tampered claims", header: "Bearer " + tamperedClaims, reason: "signature is invalid"},
		{name: "signed with another key", header: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("another key of thirty-two bytes!"), goodClaims()),
			reason: "signature is invalid"},
		{name: "member without organization", header: "Bearer " + hs256(t, with(map[string]any{"role": "MEMBER"})), reason: "MEMBER but it names no organization"},
		{name: "member with organization 0", header: "Bearer " + hs256(t, with(map[string]any{"role": "MEMBER", "org": 0})), reason: "not a valid key"},
		{name: "admin with organization", header: "Bearer " + hs256(t, with(map[string]any{"org": 7})), reason: "ADMIN, which cannot be bound to an organization"},
		{name: "analyst with organization", header: "Bearer " + hs256(t, with(map[string]any{"role": "ANALYST", "org": 7})), reason: "cannot be bound"},
		{name: "organization as a string", header: "Bearer " + hs256(t, with(map[string]any{"role": "MEMBER", "org": "7"})), reason: "malformed"},
		{name: "unknown role", header: "Bearer " + hs256(t, with(map[string]any{"role": "ROOT"})), reason: "role is not ADMIN, MEMBER or ANALYST"},
		{name: "no role", header: "Bearer " + hs256(t, with(map[string]any{"role": nil})), reason: "no role"},
		{name: "no subject", header: "Bearer " + hs256(t, with(map[string]any{"sub": nil})), reason: "no subject"},
		{name: "subject posing as an API key", header: "Bearer " + hs256(t, with(map[string]any{"sub": "apikey:0123456789ab"})), reason: "reserved for API keys"},
		{name: "garbage", header: "Bearer garbage", reason: "malformed"},
		{name: "three garbage segments", header: "Bearer not.a.jwt", reason: "malformed"},
		{name: "padded base64", header: "Bearer " + replacePart(admin, 2, sig+"="), reason: "malformed"},
		{name: "other scheme", header: "Basic YWxpY2U6c2VjcmV0", reason: `must be "Bearer <token>"`},
		{name: "token without Bearer", header: admin, reason: `must be "Bearer <token>"`},
		{name: "Bearer without token", header: "Bearer", reason: "bearer token is empty"},
		{name: "Bearer and spaces", header: "Bearer    ", reason: "bearer token is empty"},
		{name: "two tokens", header: "Bearer " + admin + " " + admin, reason: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.Authenticate(context.Background(), tt.header)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("viewer differs (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("Authenticate succeeded with %+v; want a refusal containing %q", got, tt.reason)
			}
			if !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("error %v does not wrap ErrUnauthenticated", err)
			}
			if !strings.Contains(Reason(err), tt.reason) {
				t.Errorf("reason %q lacks %q", Reason(err), tt.reason)
			}
			if got != (Viewer{}) {
				t.Errorf("refused credential still gave viewer %+v", got)
			}
			assertNoEcho(t, err, tt.header)
		})
	}
}

// assertNoEcho fails if the error quotes any sizeable piece of the credential.
func assertNoEcho(t *testing.T, err error, header string) {
	t.Helper()
	_, cred, _ := strings.Cut(strings.TrimSpace(header), " ")
	if cred == "" {
		cred = header
	}
	for _, piece := range strings.FieldsFunc(cred, func(r rune) bool { return r == '.' || r == '_' || r == ' ' }) {
		if len(piece) >= 8 && strings.Contains(err.Error(), piece) {
			t.Errorf("error %q echoes part of the credential: %q", err, piece)
		}
	}
}

func TestAnonymousWithoutHeader(t *testing.T) {
	a := newTestAuthenticator(nil)
	for _, h := range []string{"", "   "} {
		v, err := a.Authenticate(context.Background(), h)
		if err != nil || !v.Anonymous() || v != (Viewer{}) {
			t.Errorf("Authenticate(%q) = %+v, %v; want the anonymous viewer", h, v, err)
		}
	}
}

func TestIssuedTokenClaims(t *testing.T) {
	a := newTestAuthenticator(nil)
	s, err := a.IssueToken(Viewer{Role: RoleMember, OrganizationID: 9, Subject: "dan", ExpiresAt: time.Unix(1, 0)}, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(s, ".")
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(map[string]any{"alg": "HS256", "typ": "JWT"}, header); diff != "" {
		t.Errorf("header differs (-want +got):\n%s", diff)
	}
	want := map[string]any{
		"sub": "dan", "role": "MEMBER", "org": float64(9),
		"iss": DefaultIssuer, "aud": []any{DefaultIssuer},
		"iat": float64(testNow().Unix()), "exp": float64(testNow().Add(2 * time.Hour).Unix()),
	}
	if diff := cmp.Diff(want, claims); diff != "" {
		t.Errorf("claims differ (-want +got):\n%s", diff)
	}
}

func TestIssuerAndAudienceAreConfigurable(t *testing.T) {
	a := New(Config{Key: []byte(testKey), Issuer: "issuer-a", Audience: "api-a", Now: testNow}, nil)
	b := New(Config{Key: []byte(testKey), Issuer: "issuer-b", Audience: "api-a", Now: testNow}, nil)
	s, err := a.IssueToken(Viewer{Role: RoleAnalyst, Subject: "eve"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(context.Background(), "Bearer "+s); err != nil {
		t.Errorf("issuer refused its own token: %v", err)
	}
	if _, err := b.Authenticate(context.Background(), "Bearer "+s); !strings.Contains(Reason(err), "(iss)") {
		t.Errorf("another issuer's token gave %v, want an issuer refusal", err)
	}
}

func TestIssueTokenRefusesInvalidViewers(t *testing.T) {
	a := newTestAuthenticator(nil)
	tests := []struct {
		name string
		v    Viewer
		ttl  time.Duration
		want string
	}{
		{"no lifetime", Viewer{Role: RoleAdmin, Subject: "a"}, 0, "not positive"},
		{"negative lifetime", Viewer{Role: RoleAdmin, Subject: "a"}, -time.Second, "not positive"},
		{"no subject", Viewer{Role: RoleAdmin}, time.Hour, "subject is empty"},
		{"API key subject", Viewer{Role: RoleAdmin, Subject: "apikey:x"}, time.Hour, "reserved"},
		{"no role", Viewer{Subject: "a"}, time.Hour, "not ADMIN, MEMBER or ANALYST"},
		{"unknown role", Viewer{Role: "ROOT", Subject: "a"}, time.Hour, "not ADMIN, MEMBER or ANALYST"},
		{"member without organization", Viewer{Role: RoleMember, Subject: "a"}, time.Hour, "needs an organization"},
		{"admin with organization", Viewer{Role: RoleAdmin, OrganizationID: 3, Subject: "a"}, time.Hour, "cannot be bound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := a.IssueToken(tt.v, tt.ttl)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("IssueToken = %q, %v; want an error containing %q", s, err, tt.want)
			}
		})
	}
}

func TestShortKeyIsAnErrorNotARefusal(t *testing.T) {
	a := New(Config{Key: []byte("short")}, nil)
	if _, err := a.IssueToken(Viewer{Role: RoleAdmin, Subject: "a"}, time.Hour); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("IssueToken with a 5-byte key: %v", err)
	}
	_, err := a.Authenticate(context.Background(), "Bearer "+hs256(t, goodClaims()))
	if err == nil || errors.Is(err, ErrUnauthenticated) {
		t.Errorf("Authenticate with a 5-byte key gave %v; want a server error, not a refusal", err)
	}
}

func TestViewerContext(t *testing.T) {
	if v := ViewerFrom(context.Background()); !v.Anonymous() {
		t.Errorf("ViewerFrom an empty context = %+v, want anonymous", v)
	}
	v := Viewer{Role: RoleMember, OrganizationID: 5, Subject: "x"}
	if got := ViewerFrom(WithViewer(context.Background(), v)); got != v || got.Anonymous() {
		t.Errorf("ViewerFrom(WithViewer(v)) = %+v, want %+v", got, v)
	}
}
