package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jmoiron/sqlx"
)

func TestSIGTERMEndsSubscriptionsWithAReasonAndAProperClose(t *testing.T) {
	dbURL := throwawayURL(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := startServe(ctx, []string{"--addr", addr, "--no-demo"}, map[string]string{"DATABASE_URL": dbURL}, &logs)
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	dialCtx, dialCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dialCancel()
	conn, _, err := websocket.Dial(dialCtx, "ws://"+addr+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	write := func(v any) {
		b, _ := json.Marshal(v)
		if err := conn.Write(dialCtx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	type message struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	read := func() (message, error) {
		for {
			_, b, err := conn.Read(dialCtx)
			if err != nil {
				return message{}, err
			}
			var m message
			json.Unmarshal(b, &m)
			if m.Type == "ping" {
				write(map[string]string{"type": "pong"})
				continue
			}
			return m, nil
		}
	}
	write(map[string]any{"type": "connection_init"})
	if m, err := read(); err != nil || m.Type != "connection_ack" {
		t.Fatalf("init: %+v %v", m, err)
	}
	write(map[string]any{"id": "live", "type": "subscribe", "payload": map[string]any{"query": "subscription { events { cursor } }"}})
	// The subscription is live once it delivers an event: commit one and wait for it,
	// rather than sleep and hope the server got there first on a busy machine.
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Events are committed every 100 ms until one arrives: one committed before the
	// subscription is in place is not delivered to it.
	stop := make(chan struct{})
	committing := make(chan struct{})
	go func() {
		defer close(committing)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := db.Exec(`INSERT INTO event (kind, subject_id, actor, actor_role) VALUES ('SKILL_CREATED', 'U2tpbGw6MQ', 'test', 'SYSTEM')`); err != nil {
				t.Error(err)
				return
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	for live := false; !live; {
		m, err := read()
		if err != nil {
			t.Fatalf("waiting for the subscription's first event: %v", err)
		}
		live = m.Type == "next" && m.ID == "live"
	}
	close(stop)
	<-committing

	cancel() // what SIGTERM does
	var sawReason bool
	for {
		m, err := read()
		if err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway {
				t.Errorf("socket ended with %v, want close 1001", err)
			}
			break
		}
		if m.Type == "error" && m.ID == "live" && strings.Contains(string(m.Payload), "SHUTTING_DOWN") {
			sawReason = true
		}
	}
	if !sawReason {
		t.Error("the subscription ended without a SHUTTING_DOWN error")
	}
	awaitStop(t, done, 20*time.Second)
}
