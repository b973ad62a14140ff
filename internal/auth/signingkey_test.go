package auth

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSigningKeyConfigured(t *testing.T) {
	ctx := context.Background()
	if _, err := SigningKey(ctx, nil, strings.Repeat("k", 31)); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("a 31-byte secret gave %v; want an error asking for 32 bytes", err)
	}
	if strings.Contains(func() string { _, err := SigningKey(ctx, nil, "hunter2-secret"); return err.Error() }(), "hunter2") {
		t.Error("the error quotes the secret")
	}
	key, err := SigningKey(ctx, nil, testKey) // nil store: a configured key needs no database
	if err != nil || string(key) != testKey {
		t.Errorf("SigningKey(configured) = %q, %v", key, err)
	}
}

func deleteGeneratedKey(t *testing.T) {
	t.Helper()
	if _, err := db.DB.Exec("DELETE FROM server_secret WHERE name = 'jwt'"); err != nil {
		t.Fatal(err)
	}
}

func TestSigningKeyGeneratedOnceAndReused(t *testing.T) {
	ctx := context.Background()
	deleteGeneratedKey(t)
	s := testStore(nil)
	first, err := SigningKey(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 32 || bytes.Equal(first, make([]byte, 32)) {
		t.Errorf("generated key %x", first)
	}
	second, err := SigningKey(ctx, testStore(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("second call gave another key: %x then %x", first, second)
	}
	var stored []byte
	if err := db.DB.Get(&stored, "SELECT value FROM server_secret WHERE name = 'jwt'"); err != nil || !bytes.Equal(stored, first) {
		t.Errorf("stored key %x, %v; want %x", stored, err, first)
	}
	// What the CLI signs with the stored key, a server loading it accepts.
	cli := New(Config{Key: first}, nil)
	tok, err := cli.IssueToken(Viewer{Role: RoleAdmin, Subject: "cli"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := New(Config{Key: second}, nil).Authenticate(ctx, "Bearer "+tok); err != nil || v.Role != RoleAdmin {
		t.Errorf("server refused the CLI's token: %+v, %v", v, err)
	}
}

func TestSigningKeyConcurrentCallsAgree(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		deleteGeneratedKey(t)
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				keys[i], errs[i] = SigningKey(ctx, testStore(nil), "")
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d call %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: calls disagree: %x and %x", round, keys[0], keys[i])
			}
		}
	}
}
