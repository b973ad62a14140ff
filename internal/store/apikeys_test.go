package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
)

// apiKeyTestStore gives a test its own throwaway database.
func apiKeyTestStore(t *testing.T) *Store {
	t.Helper()
	return New(pgtest.New(t, "storekeys").DB, nil)
}

func TestAPIKeyRows(t *testing.T) {
	ctx := context.Background()
	s := apiKeyTestStore(t)
	hash := bytes.Repeat([]byte{7}, 32)
	var org int64
	if err := s.db.GetContext(ctx, &org, `INSERT INTO organization (kind, name_en, name_zh, jurisdiction)
		VALUES ('GOVERNMENT_AGENCY', 'Bureau', '局', 'MUNICIPAL') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateAPIKey(ctx, NewAPIKey{Prefix: "aaaaaaaaaaaa", SecretHash: hash, Name: "first", Role: "ADMIN"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateAPIKey(ctx, NewAPIKey{Prefix: "bbbbbbbbbbbb", SecretHash: hash, Name: "second", Role: "MEMBER", OrganizationID: &org})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.CreatedAt.IsZero() || a.OrganizationID != nil || b.OrganizationID == nil || *b.OrganizationID != org {
		t.Errorf("created rows %+v and %+v", a, b)
	}
	if _, err := s.CreateAPIKey(ctx, NewAPIKey{Prefix: "aaaaaaaaaaaa", SecretHash: hash, Name: "dup", Role: "ADMIN"}); err == nil {
		t.Error("a second key with the same prefix was stored")
	}
	if _, err := s.CreateAPIKey(ctx, NewAPIKey{Prefix: "cccccccccccc", SecretHash: hash, Name: "member without org", Role: "MEMBER"}); err == nil {
		t.Error("a MEMBER key without organization was stored")
	}

	got, err := s.APIKeyByPrefix(ctx, "bbbbbbbbbbbb")
	if err != nil || got.Name != "second" || !bytes.Equal(got.SecretHash, hash) {
		t.Errorf("APIKeyByPrefix = %+v, %v", got, err)
	}
	if _, err := s.APIKeyByPrefix(ctx, "zzzzzzzzzzzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown prefix gave %v, want ErrNotFound", err)
	}

	revoked, err := s.RevokeAPIKey(ctx, "aaaaaaaaaaaa")
	if err != nil || revoked.RevokedAt == nil {
		t.Fatalf("RevokeAPIKey = %+v, %v", revoked, err)
	}
	again, err := s.RevokeAPIKey(ctx, "aaaaaaaaaaaa")
	if err != nil || again.RevokedAt == nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Errorf("revoking again = %+v, %v; want the first revocation time kept", again, err)
	}
	if _, err := s.RevokeAPIKey(ctx, "zzzzzzzzzzzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking an unknown prefix gave %v, want ErrNotFound", err)
	}

	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		at   time.Time
		want time.Time
	}{
		{at, at},
		{at.Add(59 * time.Second), at},
		{at.Add(time.Minute), at.Add(time.Minute)},
		{at.Add(-time.Hour), at.Add(time.Minute)}, // an older use never moves it back
	} {
		if err := s.TouchAPIKey(ctx, b.ID, step.at); err != nil {
			t.Fatal(err)
		}
		got, err := s.APIKeyByPrefix(ctx, "bbbbbbbbbbbb")
		if err != nil {
			t.Fatal(err)
		}
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(step.want) {
			t.Errorf("after a use at %v, last_used_at = %v, want %v", step.at, got.LastUsedAt, step.want)
		}
	}

	list, err := s.APIKeys(ctx)
	if err != nil || len(list) != 2 || list[0].Prefix != "aaaaaaaaaaaa" || list[1].Prefix != "bbbbbbbbbbbb" {
		t.Errorf("APIKeys = %+v, %v", list, err)
	}
}

func TestServerSecretFirstWriterWins(t *testing.T) {
	ctx := context.Background()
	s := apiKeyTestStore(t)
	one, two := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	got, err := s.ServerSecret(ctx, "jwt", one)
	if err != nil || !bytes.Equal(got, one) {
		t.Fatalf("first ServerSecret = %x, %v", got, err)
	}
	got, err = s.ServerSecret(ctx, "jwt", two)
	if err != nil || !bytes.Equal(got, one) {
		t.Errorf("second ServerSecret = %x, %v; want the first value", got, err)
	}
	if got, err := s.ServerSecret(ctx, "other", two); err != nil || !bytes.Equal(got, two) {
		t.Errorf("another name = %x, %v", got, err)
	}
	if _, err := s.ServerSecret(ctx, "short", []byte("too short")); err == nil {
		t.Error("a secret under 32 bytes was stored")
	}
}
