package auth

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// serveThrough runs one request with the given Authorization headers through Middleware
// and reports the response and the viewer the next handler saw (nil if not called).
func serveThrough(t *testing.T, a *Authenticator, log *slog.Logger, authorization ...string) (*http.Response, string, *Viewer) {
	t.Helper()
	var seen *Viewer
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := ViewerFrom(r.Context())
		seen = &v
		io.WriteString(w, "ok")
	})
	req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"{ __typename }"}`))
	for _, h := range authorization {
		req.Header.Add("Authorization", h)
	}
	rec := httptest.NewRecorder()
	Middleware(a, log, next).ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body), seen
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestMiddlewareRefusesWith401(t *testing.T) {
	a := newTestAuthenticator(nil)
	expired := hs256(t, with(map[string]any{"exp": testNow().Add(-time.Hour).Unix()}))
	tests := []struct {
		name    string
		headers []string
		body    string
	}{
		{"expired token", []string{"Bearer " + expired},
			`{"errors":[{"message":"the token expired at 2030-01-02T02:04:05Z","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n"},
		{"other scheme", []string{"Basic YWxpY2U6c2VjcmV0"},
			`{"errors":[{"message":"the Authorization header must be \"Bearer <token>\"","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n"},
		{"two headers", []string{"Bearer " + expired, "Bearer " + expired},
			`{"errors":[{"message":"the request has more than one Authorization header","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body, seen := serveThrough(t, a, discardLog(), tt.headers...)
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", res.StatusCode)
			}
			if got := res.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			if got := res.Header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if body != tt.body {
				t.Errorf("body\n%s\nwant\n%s", body, tt.body)
			}
			if seen != nil {
				t.Error("the request reached the next handler")
			}
		})
	}
}

func TestMiddlewarePassesAnonymousAndAuthenticatedRequests(t *testing.T) {
	a := newTestAuthenticator(nil)
	tok, err := a.IssueToken(Viewer{Role: RoleMember, OrganizationID: 12, Subject: "frank"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		headers []string
		want    Viewer
	}{
		{"no header", nil, Viewer{}},
		{"empty header", []string{""}, Viewer{}},
		{"valid token", []string{"Bearer " + tok}, Viewer{Role: RoleMember, OrganizationID: 12, Subject: "frank", ExpiresAt: testNow().Add(time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body, seen := serveThrough(t, a, discardLog(), tt.headers...)
			if res.StatusCode != http.StatusOK || body != "ok" {
				t.Fatalf("status %d body %q, want 200 from the next handler", res.StatusCode, body)
			}
			if res.Header.Get("WWW-Authenticate") != "" {
				t.Error("WWW-Authenticate set on success")
			}
			if seen == nil {
				t.Fatal("next handler not called")
			}
			if diff := cmp.Diff(tt.want, *seen); diff != "" {
				t.Errorf("viewer differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMiddlewareAnswers500WhenTheCheckFails(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	key := "ak_0123456789ab_" + strings.Repeat("a", 51) + "q"
	res, body, seen := serveThrough(t, newTestAuthenticator(failingKeys{}), log, "Bearer "+key)
	if res.StatusCode != http.StatusInternalServerError || seen != nil {
		t.Errorf("status %d, next called %v; want 500 and not called", res.StatusCode, seen != nil)
	}
	want := `{"errors":[{"message":"internal server error while checking the credential","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}` + "\n"
	if body != want {
		t.Errorf("body %s, want %s", body, want)
	}
	if !strings.Contains(logs.String(), "connection refused") || strings.Contains(logs.String(), strings.Repeat("a", 20)) {
		t.Errorf("log lacks the cause or leaks the key:\n%s", logs.String())
	}
}
