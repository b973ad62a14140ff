package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAnExpiredAPIKeyIsRefusedLikeARevokedOne(t *testing.T) {
	ctx := context.Background()
	s := testStore(nil)
	a := newTestAuthenticator(s)
	expiring, row, err := CreateAPIKeyUntil(ctx, s, "expiring", RoleAnalyst, 0, testNow().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Authenticate(ctx, "Bearer "+expiring)
	if err != nil || !v.ExpiresAt.Equal(testNow().Add(time.Hour)) {
		t.Fatalf("before expiry: %+v, %v; want a viewer expiring at %v", v, err, testNow().Add(time.Hour))
	}
	later := New(Config{Key: []byte(testKey), Now: func() time.Time { return testNow().Add(time.Hour) }}, s)
	_, err = later.Authenticate(ctx, "Bearer "+expiring)
	if !errors.Is(err, ErrUnauthenticated) || !strings.Contains(Reason(err), "the API key expired at") {
		t.Errorf("at expiry: %v; want a refusal saying the key expired", err)
	}
	if row.ExpiresAt == nil {
		t.Error("the row has no expiry")
	}
}

func TestCurrentFollowsTheCredentialsState(t *testing.T) {
	ctx := context.Background()
	s := testStore(nil)
	a := newTestAuthenticator(s)
	org := testOrganization(t)
	authenticate := func(key string) Viewer {
		t.Helper()
		v, err := a.Authenticate(ctx, "Bearer "+key)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	revoked, rRow := createKey(t, s, "revoked", RoleAdmin, 0)
	promoted, pRow := createKey(t, s, "promoted", RoleAnalyst, 0)
	moved, mRow := createKey(t, s, "moved", RoleMember, org)
	deleted, dRow := createKey(t, s, "deleted", RoleAdmin, 0)
	kept, _ := createKey(t, s, "kept", RoleAdmin, 0)
	expiring, eRow := createKey(t, s, "expiring", RoleAdmin, 0)
	viewers := map[string]Viewer{}
	for name, k := range map[string]string{"revoked": revoked, "promoted": promoted, "moved": moved, "deleted": deleted, "kept": kept, "expiring": expiring} {
		viewers[name] = authenticate(k)
	}
	other := testOrganization(t)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE api_key SET revoked_at = now() WHERE id = $1", []any{rRow.ID}},
		{"UPDATE api_key SET role = 'ADMIN' WHERE id = $1", []any{pRow.ID}},
		{"UPDATE api_key SET organization_id = $2 WHERE id = $1", []any{mRow.ID, other}},
		{"DELETE FROM api_key WHERE id = $1", []any{dRow.ID}},
		{"UPDATE api_key SET expires_at = $2 WHERE id = $1", []any{eRow.ID, testNow().Add(-time.Second)}},
	} {
		if _, err := db.DB.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	token := Viewer{Role: RoleAnalyst, Subject: "t", ExpiresAt: testNow().Add(time.Minute)}
	expired := Viewer{Role: RoleAnalyst, Subject: "t", ExpiresAt: testNow()}
	tests := []struct {
		name   string
		v      Viewer
		reason string // "" if still valid
	}{
		{"anonymous", Viewer{}, ""},
		{"token before expiry", token, ""},
		{"token at expiry", expired, "the token expired"},
		{"unchanged key", viewers["kept"], ""},
		{"revoked key", viewers["revoked"], "revoked"},
		{"key given another role", viewers["promoted"], "role, organization or expiry changed"},
		{"key moved to another organization", viewers["moved"], "role, organization or expiry changed"},
		{"deleted key", viewers["deleted"], "no longer exists"},
		{"key expired since", viewers["expiring"], "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Current(ctx, tt.v)
			if tt.reason == "" {
				if err != nil {
					t.Errorf("Current = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrUnauthenticated) || !strings.Contains(Reason(err), tt.reason) {
				t.Errorf("Current = %v, want a refusal containing %q", err, tt.reason)
			}
		})
	}

	// The watcher finds the same changes in one statement a round and ends each
	// connection once; the unchanged key and the anonymous viewer stay.
	log := newStatementLog()
	ws := New(Config{Key: []byte(testKey), Now: testNow}, testStore(log.observe)).NewWatcher(20*time.Millisecond, func(err error) { t.Error(err) })
	var mu sync.Mutex
	ended := map[string][]string{}
	var stops []func()
	for name, v := range viewers {
		stops = append(stops, ws.Watch(v, func(reason string) {
			mu.Lock()
			ended[name] = append(ended[name], reason)
			mu.Unlock()
		}))
	}
	stops = append(stops, ws.Watch(Viewer{}, func(string) { t.Error("an anonymous viewer was ended") }))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(ended)
		mu.Unlock()
		if n == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s only %v were ended", ended)
		}
	}
	time.Sleep(100 * time.Millisecond) // a few more rounds: nothing ends twice
	mu.Lock()
	for name, reasons := range ended {
		if name == "kept" || len(reasons) != 1 {
			t.Errorf("%s ended %d times: %q", name, len(reasons), reasons)
		}
	}
	mu.Unlock()
	for _, q := range log.take("FROM api_key") {
		if !strings.Contains(q, "prefix = ANY($1)") {
			t.Errorf("the watcher sent %q, not one statement for all keys", q)
		}
	}
	for _, stop := range stops {
		stop()
	}
	for deadline := time.Now().Add(time.Second); ws.Watched() > 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	}
	if n := ws.Watched(); n != 0 {
		t.Errorf("%d watches left after every stop", n)
	}
}

func TestAWatchedCredentialEndsAtItsExpiry(t *testing.T) {
	a := New(Config{Key: []byte(testKey)}, nil)
	w := a.NewWatcher(time.Hour, nil)
	ended := make(chan string, 2)
	stop := w.Watch(Viewer{Role: RoleAnalyst, Subject: "s", ExpiresAt: time.Now().Add(50 * time.Millisecond)}, func(r string) { ended <- r })
	defer stop()
	select {
	case r := <-ended:
		if !strings.Contains(r, "the token expired at") {
			t.Errorf("reason %q", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not ended at expiry")
	}
	stopped := w.Watch(Viewer{Role: RoleAnalyst, Subject: "s", ExpiresAt: time.Now().Add(50 * time.Millisecond)}, func(r string) { ended <- r })
	stopped()
	select {
	case r := <-ended:
		t.Errorf("a stopped watch ended with %q", r)
	case <-time.After(200 * time.Millisecond):
	}
}
