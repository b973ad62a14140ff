package auth

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

var db *pgtest.Database

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, "auth", &db, nil))
}

// testNow is the fixed time of the tests' clock.
func testNow() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }

// testKey is the tests' 32-byte HS256 key.
const testKey = "0123456789abcdef0123456789abcdef"

func newTestAuthenticator(keys KeyStore) *Authenticator {
	return New(Config{Key: []byte(testKey), Now: testNow}, keys)
}

// statementLog records the statements a store sends.
type statementLog struct{ ch chan string }

func newStatementLog() *statementLog { return &statementLog{ch: make(chan string, 1000)} }

func (l *statementLog) observe(_ context.Context, q string, _ []any) { l.ch <- q }

// take returns the statements sent since the last call that contain substr.
func (l *statementLog) take(substr string) []string {
	var out []string
	for {
		select {
		case q := <-l.ch:
			if strings.Contains(q, substr) {
				out = append(out, q)
			}
		default:
			return out
		}
	}
}

func testStore(obs store.Observer) *store.Store { return store.New(db.DB, obs) }

// testOrganization inserts an organization and returns its key.
func testOrganization(t *testing.T) int64 {
	t.Helper()
	var id int64
	err := db.DB.GetContext(context.Background(), &id, `
		INSERT INTO organization (kind, name_en, name_zh, jurisdiction)
		VALUES ('GOVERNMENT_AGENCY', 'Test Bureau', '测试局', 'MUNICIPAL') RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
