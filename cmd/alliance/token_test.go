package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

type tokenRun struct {
	stdout, stderr string
	err            error
}

func runToken(t *testing.T, environment map[string]string, args ...string) tokenRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := tokenCommand(ctx, args, func(k string) string { return environment[k] }, &stdout, &stderr)
	return tokenRun{stdout.String(), stderr.String(), err}
}

// oneLine returns the only line of out, failing if there is not exactly one.
func oneLine(t *testing.T, out string) string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout %q is not exactly one line", out)
	}
	return strings.TrimSuffix(out, "\n")
}

func TestTokenCommand(t *testing.T) {
	ctx := context.Background()
	dbURL := throwawayURL(t)
	environment := map[string]string{"DATABASE_URL": dbURL}

	// On a fresh machine, with no JWT secret configured, the first command creates the
	// database and a signing key that a server over the same database then uses.
	first := runToken(t, environment, "create", "--role", "ADMIN")
	if first.err != nil {
		t.Fatalf("token create: %v\n%s", first.err, first.stderr)
	}
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := store.New(db, nil)
	key, err := auth.SigningKey(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	server := auth.New(auth.Config{Key: key}, s)
	verify := func(t *testing.T, credential string) auth.Viewer {
		t.Helper()
		v, err := server.Authenticate(ctx, "Bearer "+credential)
		if err != nil {
			t.Fatalf("the server refuses the CLI's credential: %v", err)
		}
		return v
	}
	if v := verify(t, oneLine(t, first.stdout)); v.Role != auth.RoleAdmin || v.Subject != "cli" ||
		v.ExpiresAt.Before(time.Now().Add(24*time.Hour-time.Minute)) || v.ExpiresAt.After(time.Now().Add(24*time.Hour+time.Minute)) {
		t.Errorf("default token gave %+v; want ADMIN, subject cli, 24 hours", v)
	}

	var org int64
	if err := db.Get(&org, `INSERT INTO organization (kind, name_en, name_zh, jurisdiction)
		VALUES ('GOVERNMENT_AGENCY', 'Labour Bureau', '人社局', 'MUNICIPAL') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	orgID := relay.ID(relay.TypeOrganization, org)

	t.Run("JWTs", func(t *testing.T) {
		tests := []struct {
			name string
			args []string
			want auth.Viewer // ExpiresAt is checked separately
			ttl  time.Duration
		}{
			{"analyst with ttl and subject", []string{"--role", "ANALYST", "--ttl", "1h", "--subject", "grafana"},
				auth.Viewer{Role: auth.RoleAnalyst, Subject: "grafana"}, time.Hour},
			{"member by global ID", []string{"--role=MEMBER", "--organization", orgID},
				auth.Viewer{Role: auth.RoleMember, OrganizationID: org, Subject: "cli"}, 24 * time.Hour},
			{"member by numeric key, role in lower case", []string{"--role", "member", "--organization", strconv.FormatInt(org, 10), "--ttl", "720h"},
				auth.Viewer{Role: auth.RoleMember, OrganizationID: org, Subject: "cli"}, 720 * time.Hour},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := runToken(t, environment, append([]string{"create"}, tt.args...)...)
				if r.err != nil {
					t.Fatalf("token create %q: %v", tt.args, r.err)
				}
				if r.stderr != "" {
					t.Errorf("stderr %q, want nothing", r.stderr)
				}
				v := verify(t, oneLine(t, r.stdout))
				exp := v.ExpiresAt
				v.ExpiresAt = time.Time{}
				if v != tt.want {
					t.Errorf("viewer %+v, want %+v", v, tt.want)
				}
				if d := time.Until(exp) - tt.ttl; d < -time.Minute || d > time.Minute {
					t.Errorf("expires at %v, want in %v", exp, tt.ttl)
				}
			})
		}
	})

	t.Run("configured JWT secret", func(t *testing.T) {
		secret := strings.Repeat("s", 40)
		e := map[string]string{"DATABASE_URL": dbURL, "JWT_SECRET": secret}
		r := runToken(t, e, "create", "--role", "ADMIN")
		if r.err != nil {
			t.Fatal(r.err)
		}
		tok := oneLine(t, r.stdout)
		if _, err := auth.New(auth.Config{Key: []byte(secret)}, nil).Authenticate(ctx, "Bearer "+tok); err != nil {
			t.Errorf("token not signed with JWT_SECRET: %v", err)
		}
		if _, err := server.Authenticate(ctx, "Bearer "+tok); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("token signed with JWT_SECRET passes the generated key: %v", err)
		}
		flagSecret := strings.Repeat("f", 32)
		r = runToken(t, e, "create", "--role", "ADMIN", "--jwt-secret", flagSecret)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if _, err := auth.New(auth.Config{Key: []byte(flagSecret)}, nil).Authenticate(ctx, "Bearer "+oneLine(t, r.stdout)); err != nil {
			t.Errorf("--jwt-secret does not override JWT_SECRET: %v", err)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		tests := []struct {
			name string
			env  map[string]string
			args []string
			want string
		}{
			{"no role", nil, []string{"create"}, "--role is required"},
			{"unknown role", nil, []string{"create", "--role", "ROOT"}, `role "ROOT" is not ADMIN, MEMBER or ANALYST`},
			{"member without organization", nil, []string{"create", "--role", "MEMBER"}, "--organization is required with --role MEMBER"},
			{"admin with organization", nil, []string{"create", "--role", "ADMIN", "--organization", orgID}, "--organization applies to --role MEMBER only"},
			{"analyst API key with organization", nil, []string{"create", "--api-key", "--name", "x", "--role", "ANALYST", "--organization", orgID}, "--organization applies to --role MEMBER only"},
			{"organization that does not exist", nil, []string{"create", "--role", "MEMBER", "--organization", strconv.FormatInt(org+1000, 10)}, "no organization"},
			{"organization ID of another type", nil, []string{"create", "--role", "MEMBER", "--organization", relay.ID(relay.TypeSkill, org)}, "not of a Organization"},
			{"organization garbage", nil, []string{"create", "--role", "MEMBER", "--organization", "acme"}, "neither an organization's global ID nor its numeric key"},
			{"organization zero", nil, []string{"create", "--role", "MEMBER", "--organization", "0"}, "not a valid key"},
			{"zero ttl", nil, []string{"create", "--role", "ADMIN", "--ttl", "0s"}, "--ttl"},
			{"bad ttl", nil, []string{"create", "--role", "ADMIN", "--ttl", "tomorrow"}, "-ttl"},
			{"name without api-key", nil, []string{"create", "--role", "ADMIN", "--name", "x"}, "--name applies to API keys only"},
			{"api key with ttl", nil, []string{"create", "--api-key", "--name", "x", "--role", "ADMIN", "--ttl", "1h"}, "--ttl does not apply to API keys"},
			{"api key with subject", nil, []string{"create", "--api-key", "--name", "x", "--role", "ADMIN", "--subject", "s"}, "--subject does not apply to API keys"},
			{"api key without name", nil, []string{"create", "--api-key", "--role", "ADMIN"}, "--name is required"},
			{"short JWT secret", map[string]string{"JWT_SECRET": "short"}, []string{"create", "--role", "ADMIN"}, "at least 32"},
			{"unknown flag", nil, []string{"create", "--role", "ADMIN", "--scope", "all"}, "-scope"},
			{"extra argument", nil, []string{"list", "now"}, `unexpected argument "now"`},
			{"revoke without prefix", nil, []string{"revoke"}, "--prefix is required"},
			{"revoke malformed prefix", nil, []string{"revoke", "--prefix", "AK_X"}, "is not an API key prefix"},
			{"revoke unknown prefix", nil, []string{"revoke", "--prefix", "ffffffffffff"}, "no API key has prefix ffffffffffff"},
			{"bad database URL", map[string]string{"DATABASE_URL": "mysql://h/db"}, []string{"list"}, "--database-url"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := map[string]string{"DATABASE_URL": dbURL}
				for k, v := range tt.env {
					e[k] = v
				}
				r := runToken(t, e, tt.args...)
				if r.err == nil {
					t.Fatalf("token %q succeeded; want an error containing %q", tt.args, tt.want)
				}
				if !strings.Contains(r.err.Error(), tt.want) {
					t.Errorf("error %q lacks %q", r.err, tt.want)
				}
				if r.stdout != "" {
					t.Errorf("stdout %q on failure", r.stdout)
				}
			})
		}
	})

	t.Run("API keys", func(t *testing.T) {
		r := runToken(t, environment, "create", "--api-key", "--name", "dashboard", "--role", "ANALYST")
		if r.err != nil {
			t.Fatal(r.err)
		}
		apiKey := oneLine(t, r.stdout)
		if !strings.HasPrefix(apiKey, "ak_") {
			t.Fatalf("stdout %q is not an API key", apiKey)
		}
		prefix := apiKey[3:15]
		secret := apiKey[16:]
		if !strings.Contains(r.stderr, "cannot be shown again") || !strings.Contains(r.stderr, prefix) || strings.Contains(r.stderr, secret) {
			t.Errorf("stderr %q: want a note naming the prefix, saying the key cannot be shown again, without the secret", r.stderr)
		}
		if v := verify(t, apiKey); v.Role != auth.RoleAnalyst || v.Subject != "apikey:"+prefix || v.OrganizationID != 0 ||
			v.ExpiresAt.Before(time.Now().Add(DefaultAPIKeyLifetime-time.Minute)) || v.ExpiresAt.After(time.Now().Add(DefaultAPIKeyLifetime+time.Minute)) {
			t.Errorf("API key gave %+v; want ANALYST expiring in 90 days by default", v)
		}
		if !strings.Contains(r.stderr, "it expires at ") {
			t.Errorf("stderr %q does not say when the key expires", r.stderr)
		}

		r = runToken(t, environment, "create", "--api-key", "--name", "school portal", "--role", "MEMBER", "--organization", orgID)
		if r.err != nil {
			t.Fatal(r.err)
		}
		memberKey := oneLine(t, r.stdout)
		if v := verify(t, memberKey); v.Role != auth.RoleMember || v.OrganizationID != org {
			t.Errorf("member API key gave %+v", v)
		}

		list := runToken(t, environment, "list")
		if list.err != nil {
			t.Fatal(list.err)
		}
		lines := strings.Split(strings.TrimSuffix(list.stdout, "\n"), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "PREFIX") || !strings.Contains(lines[0], "EXPIRES") || !strings.Contains(lines[0], "LAST USED") {
			t.Fatalf("list:\n%s", list.stdout)
		}
		fields := strings.Fields(lines[1])
		if fields[0] != prefix || fields[1] != `"dashboard"` || fields[2] != "ANALYST" || fields[3] != "-" || !strings.HasPrefix(fields[5], "20") || fields[6] != "-" || fields[7] == "-" {
			t.Errorf("first row %q: want prefix, name, role, no organization, an expiry, not revoked, used", lines[1])
		}
		if !strings.Contains(lines[2], `"school portal"`) || !strings.Contains(lines[2], orgID) {
			t.Errorf("second row %q lacks the name or the organization's ID", lines[2])
		}
		for _, k := range []string{apiKey, memberKey} {
			if strings.Contains(list.stdout, k[16:]) {
				t.Errorf("list shows a secret:\n%s", list.stdout)
			}
		}

		r = runToken(t, environment, "revoke", "--prefix", prefix)
		if r.err != nil || !strings.Contains(r.stdout, "revoked API key "+prefix) {
			t.Fatalf("revoke: %v, %q", r.err, r.stdout)
		}
		if _, err := server.Authenticate(ctx, "Bearer "+apiKey); !strings.Contains(fmt.Sprint(err), "revoked") {
			t.Errorf("revoked key gave %v", err)
		}
		verify(t, memberKey) // the other key still works
		r = runToken(t, environment, "revoke", "--prefix", prefix)
		if r.err != nil || !strings.Contains(r.stdout, "already revoked") {
			t.Errorf("revoking twice: %v, %q", r.err, r.stdout)
		}
		list = runToken(t, environment, "list")
		if fields := strings.Fields(strings.Split(list.stdout, "\n")[1]); list.err != nil || fields[6] == "-" {
			t.Errorf("list after revoke:\n%s", list.stdout)
		}
	})

	t.Run("API key expiry", func(t *testing.T) {
		create := func(t *testing.T, args ...string) (string, auth.Viewer) {
			t.Helper()
			r := runToken(t, environment, append([]string{"create", "--api-key", "--name", "expiry", "--role", "ADMIN"}, args...)...)
			if r.err != nil {
				t.Fatalf("create %q: %v", args, r.err)
			}
			k := oneLine(t, r.stdout)
			return k, verify(t, k)
		}
		near := func(got, want time.Time) bool { d := got.Sub(want); return d > -time.Minute && d < time.Minute }
		if _, v := create(t, "--expires-in", "720h"); !near(v.ExpiresAt, time.Now().Add(720*time.Hour)) {
			t.Errorf("--expires-in 720h expires at %v", v.ExpiresAt)
		}
		at := time.Now().AddDate(1, 0, 0).UTC().Truncate(time.Second)
		if _, v := create(t, "--expires-at", at.Format(time.RFC3339)); !v.ExpiresAt.Equal(at) {
			t.Errorf("--expires-at %s expires at %v", at.Format(time.RFC3339), v.ExpiresAt)
		}
		if _, v := create(t, "--expires-at", "2099-06-30"); !v.ExpiresAt.Equal(time.Date(2099, 6, 30, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("--expires-at 2099-06-30 expires at %v", v.ExpiresAt)
		}
		forever, v := create(t, "--expires-in", "0")
		if !v.ExpiresAt.IsZero() {
			t.Errorf("--expires-in 0 expires at %v, want never", v.ExpiresAt)
		}
		if list := runToken(t, environment, "list"); !strings.Contains(list.stdout, "never") {
			t.Errorf("list does not show the key that never expires:\n%s", list.stdout)
		}
		// An expired key is refused like a revoked one.
		short, _ := create(t, "--expires-in", "1h")
		if _, err := db.Exec("UPDATE api_key SET expires_at = now() - interval '1 second' WHERE prefix = $1", short[3:15]); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Authenticate(ctx, "Bearer "+short); !errors.Is(err, auth.ErrUnauthenticated) || !strings.Contains(auth.Reason(err), "expired") {
			t.Errorf("expired key gave %v", err)
		}
		verify(t, forever)

		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"--expires-in", "-1h"}, "negative"},
			{[]string{"--expires-in", "soon"}, "-expires-in"},
			{[]string{"--expires-at", "2001-01-01"}, "not in the future"},
			{[]string{"--expires-at", "next week"}, "neither RFC 3339"},
			{[]string{"--expires-in", "1h", "--expires-at", "2099-01-01"}, "give one"},
		} {
			r := runToken(t, environment, append([]string{"create", "--api-key", "--name", "bad", "--role", "ADMIN"}, tt.args...)...)
			if r.err == nil || !strings.Contains(r.err.Error(), tt.want) || r.stdout != "" {
				t.Errorf("create %q = %v, %q; want an error containing %q", tt.args, r.err, r.stdout, tt.want)
			}
		}
		if r := runToken(t, environment, "create", "--role", "ADMIN", "--expires-in", "1h"); r.err == nil || !strings.Contains(r.err.Error(), "API keys only") {
			t.Errorf("a JWT with --expires-in: %v", r.err)
		}
	})
}

func TestTokenUsage(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"token"}, []string{"usage: alliance token", "create", "revoke", "list"}},
		{[]string{"token", "--help"}, []string{"usage: alliance token"}},
		{[]string{"token", "mint"}, []string{`unknown subcommand "mint"`}},
		{[]string{"token", "create", "-h"}, []string{"-role", "-organization", "-ttl", "-api-key", "JWT_SECRET", "DATABASE_URL"}},
		{[]string{"token", "revoke", "--help"}, []string{"-prefix", "DATABASE_URL"}},
		{[]string{"help"}, []string{"token"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			secrets := map[string]string{"JWT_SECRET": strings.Repeat("x", 40), "DATABASE_URL": "postgres://u:pw-in-env@h/db"}
			err := run(context.Background(), tt.args, func(k string) string { return secrets[k] }, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("run = %v, want errUsage", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			for _, secret := range []string{secrets["JWT_SECRET"], "pw-in-env"} {
				if strings.Contains(stderr.String(), secret) {
					t.Errorf("help shows a value from the environment:\n%s", stderr.String())
				}
			}
		})
	}
}
