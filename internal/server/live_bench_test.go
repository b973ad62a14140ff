package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// BenchmarkLiveSubscribers holds many event subscriptions on one server and measures,
// per committed event, the time from commit to delivery to every subscriber:
//
//	go test -run '^$' -bench LiveSubscribers -benchtime 20x ./internal/server
//
// Client and server share this process and its open-file limit (20,000 here), so the
// 10,000 subscriptions ride 1,000 WebSocket connections, ten each, as a dashboard with
// several panels would. Memory per subscriber is the heap growth after all subscribed,
// divided by their number, client side included: an upper bound for the server.
func BenchmarkLiveSubscribers(b *testing.B) {
	for _, tc := range []struct{ conns, perConn int }{{1000, 1}, {1000, 10}} {
		b.Run(fmt.Sprintf("subscribers=%d", tc.conns*tc.perConn), func(b *testing.B) {
			benchmarkSubscribers(b, tc.conns, tc.perConn)
		})
	}
}

func benchmarkSubscribers(b *testing.B, conns, perConn int) {
	// One client holding a thousand sockets: past what a client may hold by default.
	ts := replicaWith(b, fmt.Sprintf("bench%d", conns*perConn), bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond},
		func(c *server.Config) { c.Live.MaxConnections = -1 })
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/query"
	var mu sync.Mutex
	received := map[string][]time.Time{} // subject -> delivery times
	var ready sync.WaitGroup
	for c := range conns {
		conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			b.Fatalf("dial %d: %v", c, err)
		}
		conn.SetReadLimit(1 << 20)
		defer conn.CloseNow()
		send := func(v any) {
			msg, _ := json.Marshal(v)
			if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
				b.Fatal(err)
			}
		}
		send(map[string]any{"type": "connection_init"})
		if _, _, err := conn.Read(ctx); err != nil {
			b.Fatal(err)
		}
		for s := range perConn {
			send(map[string]any{"id": fmt.Sprint(s), "type": "subscribe", "payload": map[string]any{
				"query": `subscription { events(kinds: [SKILL_CREATED]) { node { subjectId } } }`}})
		}
		ready.Add(1)
		go func() {
			ready.Done()
			for {
				_, data, err := conn.Read(ctx)
				if err != nil {
					return
				}
				now := time.Now()
				var m struct {
					Type    string
					Payload struct {
						Data struct {
							Events struct{ Node struct{ SubjectID string } }
						}
					}
				}
				if json.Unmarshal(data, &m) != nil || m.Type != "next" {
					if m.Type == "ping" {
						conn.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
					}
					continue
				}
				mu.Lock()
				id := m.Payload.Data.Events.Node.SubjectID
				received[id] = append(received[id], now)
				mu.Unlock()
			}
		}()
	}
	ready.Wait()
	total := conns * perConn
	for ts.subscribers() < int64(total) {
		time.Sleep(10 * time.Millisecond)
	}
	perSub := float64(heap()-before) / float64(total)

	var latencies []time.Duration
	b.ResetTimer()
	for i := range b.N {
		subject := fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)
		committed := time.Now()
		if _, err := writeDB.DB.Exec(`INSERT INTO event (kind, subject_id, actor, actor_role) VALUES ('SKILL_CREATED', $1, 'bench', 'SYSTEM')`, subject); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			n := len(received[subject])
			mu.Unlock()
			if n >= total {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("event %d reached %d of %d subscribers", i, n, total)
			}
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		for _, at := range received[subject] {
			latencies = append(latencies, at.Sub(committed))
		}
		delete(received, subject)
		mu.Unlock()
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(percentileMs(latencies, 0.50), "p50-ms")
	b.ReportMetric(percentileMs(latencies, 0.99), "p99-ms")
	b.ReportMetric(perSub/1024, "KiB/subscriber")
}
