package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

func createKey(t *testing.T, keys KeyStore, name string, role Role, org int64) (string, store.APIKey) {
	t.Helper()
	key, row, err := CreateAPIKey(context.Background(), keys, name, role, org)
	if err != nil {
		t.Fatalf("CreateAPIKey(%q, %s, %d): %v", name, role, org, err)
	}
	return key, row
}

func TestCreateAPIKeyFormatAndRow(t *testing.T) {
	s := testStore(nil)
	org := testOrganization(t)
	key, row := createKey(t, s, "dashboard", RoleMember, org)
	prefix, secret, ok := splitAPIKey(key)
	if !ok || !strings.HasPrefix(key, "ak_"+row.Prefix+"_") || prefix != row.Prefix {
		t.Fatalf("key %q does not read ak_%s_<secret>", key, row.Prefix)
	}
	if len(row.Prefix) != 12 || strings.Trim(row.Prefix, "0123456789abcdef") != "" {
		t.Errorf("prefix %q is not 12 lowercase hex digits", row.Prefix)
	}
	if len(secret) != 32 || len(key) != len("ak_")+12+1+52 {
		t.Errorf("key %d characters long with a %d-byte secret", len(key), len(secret))
	}
	if strings.ToLower(key) != key {
		t.Errorf("key %q is not lowercase", key)
	}
	stored, err := s.APIKeyByPrefix(context.Background(), row.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.SecretHash) != 32 || strings.Contains(string(stored.SecretHash), string(secret)) {
		t.Errorf("stored hash %x is not a 32-byte digest", stored.SecretHash)
	}
	if stored.Name != "dashboard" || stored.Role != "MEMBER" || stored.OrganizationID == nil || *stored.OrganizationID != org ||
		stored.RevokedAt != nil || stored.LastUsedAt != nil || stored.CreatedAt.IsZero() {
		t.Errorf("stored row %+v", stored)
	}
	key2, row2 := createKey(t, s, "dashboard", RoleMember, org)
	if key2 == key || row2.Prefix == row.Prefix {
		t.Error("two keys came out the same")
	}
}

func TestCreateAPIKeyRefusesInvalidRequests(t *testing.T) {
	s := testStore(nil)
	tests := []struct {
		name, keyName string
		role          Role
		org           int64
		want          string
	}{
		{"empty name", "", RoleAdmin, 0, "name"},
		{"long name", strings.Repeat("x", 201), RoleAdmin, 0, "name"},
		{"unknown role", "k", "ROOT", 0, "not ADMIN, MEMBER or ANALYST"},
		{"member without organization", "k", RoleMember, 0, "needs an organization"},
		{"analyst with organization", "k", RoleAnalyst, 1, "cannot be bound"},
		{"missing organization", "k", RoleMember, 1 << 40, "organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, _, err := CreateAPIKey(context.Background(), s, tt.keyName, tt.role, tt.org)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CreateAPIKey = %q, %v; want an error containing %q", key, err, tt.want)
			}
		})
	}
}

func TestAuthenticateAPIKeys(t *testing.T) {
	ctx := context.Background()
	s := testStore(nil)
	a := newTestAuthenticator(s)
	org := testOrganization(t)
	adminKey, adminRow := createKey(t, s, "ops", RoleAdmin, 0)
	memberKey, memberRow := createKey(t, s, "school portal", RoleMember, org)
	revokedKey, revokedRow := createKey(t, s, "old", RoleAnalyst, 0)
	if _, err := s.RevokeAPIKey(ctx, revokedRow.Prefix); err != nil {
		t.Fatal(err)
	}
	// The right prefix with another key's secret.
	otherKey, _ := createKey(t, s, "other", RoleAnalyst, 0)
	wrongSecret := "ak_" + adminRow.Prefix + otherKey[len("ak_")+12:]
	// A well-formed key whose prefix no row has.
	unknownPrefix := "ak_000000000000" + adminKey[len("ak_")+12:]
	if adminRow.Prefix == "000000000000" {
		t.Skip("the random prefix happened to be all zeros")
	}
	secretOf := func(k string) string { return k[len("ak_")+13:] }

	tests := []struct {
		name   string
		header string
		want   Viewer
		reason string
	}{
		{name: "admin key", header: "Bearer " + adminKey, want: Viewer{Role: RoleAdmin, Subject: "apikey:" + adminRow.Prefix}},
		{name: "member key", header: "Bearer " + memberKey, want: Viewer{Role: RoleMember, OrganizationID: org, Subject: "apikey:" + memberRow.Prefix}},
		{name: "revoked key", header: "Bearer " + revokedKey, reason: "the API key was revoked at "},
		{name: "wrong secret with the right prefix", header: "Bearer " + wrongSecret, reason: "the API key is unknown or its secret is wrong"},
		{name: "unknown prefix", header: "Bearer " + unknownPrefix, reason: "the API key is unknown or its secret is wrong"},
		{name: "tag only", header: "Bearer ak_", reason: "malformed"},
		{name: "no secret", header: "Bearer ak_" + adminRow.Prefix + "_", reason: "malformed"},
		{name: "no separator", header: "Bearer ak_" + adminRow.Prefix + secretOf(adminKey), reason: "malformed"},
		{name: "short prefix", header: "Bearer ak_" + adminRow.Prefix[:8] + "_" + secretOf(adminKey), reason: "malformed"},
		{name: "upper-case prefix", header: "Bearer ak_" + strings.ToUpper("abcdefabcdef") + "_" + secretOf(adminKey), reason: "malformed"},
		{name: "upper-case secret", header: "Bearer ak_" + adminRow.Prefix + "_" + strings.ToUpper(secretOf(adminKey)), reason: "malformed"},
		{name: "secret one character short", header: "Bearer " + adminKey[:len(adminKey)-1], reason: "malformed"},
		{name: "secret one character long", header: "Bearer " + adminKey + "a", reason: "malformed"},
		{name: "secret padded", header: "Bearer " + adminKey + "====", reason: "malformed"},
		{name: "secret not base32", header: "Bearer " + adminKey[:len(adminKey)-3] + "01!", reason: "malformed"},
		// 52 base32 characters carry 260 bits: the last 4 must be zero, so that each
		// key has one spelling only.
		{name: "non-canonical secret", header: "Bearer " + adminKey[:len(adminKey)-1] + noncanonical(adminKey[len(adminKey)-1]), reason: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.Authenticate(ctx, tt.header)
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
			assertNoEcho(t, err, tt.header)
		})
	}
}

// noncanonical returns another base32 character with the same top bit as c: as the last
// of 52 characters only c's top bit counts, so both decode to the same bytes.
func noncanonical(c byte) string {
	i := strings.IndexByte(lowerBase32Alph, c)
	return string(lowerBase32Alph[i^1])
}

func TestAPIKeyUseIsRecordedAtMostOnceAMinute(t *testing.T) {
	ctx := context.Background()
	log := newStatementLog()
	s := testStore(log.observe)
	key, row := createKey(t, s, "hot path", RoleAnalyst, 0)
	now := testNow()
	a := New(Config{Key: []byte(testKey), Now: func() time.Time { return now }}, s)
	lastUsed := func() *time.Time {
		t.Helper()
		r, err := s.APIKeyByPrefix(ctx, row.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		return r.LastUsedAt
	}
	steps := []struct {
		at       time.Duration // after testNow
		writes   int
		lastUsed time.Duration
	}{
		{0, 1, 0},
		{time.Second, 0, 0},
		{59 * time.Second, 0, 0},
		{60 * time.Second, 1, 60 * time.Second},
		{61 * time.Second, 0, 60 * time.Second},
		{3 * time.Minute, 1, 3 * time.Minute},
	}
	log.take("")
	for _, st := range steps {
		now = testNow().Add(st.at)
		if _, err := a.Authenticate(ctx, "Bearer "+key); err != nil {
			t.Fatalf("at +%v: %v", st.at, err)
		}
		if n := len(log.take("UPDATE api_key SET last_used_at")); n != st.writes {
			t.Errorf("at +%v: %d writes of last_used_at, want %d", st.at, n, st.writes)
		}
		if got := lastUsed(); got == nil || !got.Equal(testNow().Add(st.lastUsed)) {
			t.Errorf("at +%v: last_used_at = %v, want %v", st.at, got, testNow().Add(st.lastUsed))
		}
		log.take("")
	}
}

func TestConcurrentUsesOfAKeyRecordOnce(t *testing.T) {
	ctx := context.Background()
	s := testStore(nil)
	_, row := createKey(t, s, "race", RoleAnalyst, 0)
	// Two requests read the row before either recorded its use; the store repeats the
	// once-a-minute check, so the later time does not overwrite within the minute.
	if err := s.TouchAPIKey(ctx, row.ID, testNow()); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIKey(ctx, row.ID, testNow().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	r, err := s.APIKeyByPrefix(ctx, row.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	if r.LastUsedAt == nil || !r.LastUsedAt.Equal(testNow()) {
		t.Errorf("last_used_at = %v, want %v", r.LastUsedAt, testNow())
	}
}

// failingKeys is a KeyStore whose lookups fail, like a database that is down.
type failingKeys struct{ KeyStore }

func (failingKeys) APIKeyByPrefix(context.Context, string) (store.APIKey, error) {
	return store.APIKey{}, errors.New("connection refused")
}

func TestAPIKeyLookupFailureIsAnErrorNotARefusal(t *testing.T) {
	a := newTestAuthenticator(failingKeys{})
	_, err := a.Authenticate(context.Background(), "Bearer ak_0123456789ab_"+strings.Repeat("a", 51)+"q")
	if err == nil || errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Authenticate = %v; want the lookup's error, not a refusal", err)
	}
}

func TestAPIKeysRefusedWithoutAKeyStore(t *testing.T) {
	a := newTestAuthenticator(nil)
	_, err := a.Authenticate(context.Background(), "Bearer ak_0123456789ab_"+strings.Repeat("a", 51)+"q")
	if !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("Authenticate = %v; want a refusal", err)
	}
}
