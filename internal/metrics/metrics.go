// Package metrics holds the server's Prometheus measurements. Everything is registered
// on a registry the caller owns, never on the global default one, so that tests and
// several servers in one process keep separate counts.
package metrics

import (
	"database/sql"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "alliance"

// Operation labels beside the operations' own names.
const (
	// Anonymous is the label of operations without a name.
	Anonymous = "anonymous"
	// Other is the label of named operations once MaxOperations names are taken.
	Other = "other"
	// Invalid is the label of requests that never became an operation: unparsable,
	// invalid against the schema, or refused before GraphQL ran.
	Invalid = "invalid"
)

// Metrics records what the server does.
type Metrics struct {
	registry *prometheus.Registry

	latency   *prometheus.HistogramVec
	errors    *prometheus.CounterVec
	batches   prometheus.Histogram
	incidents *prometheus.CounterVec

	maxOperations int
	mu            sync.Mutex
	operations    map[string]struct{}
}

// Options tune New.
type Options struct {
	// MaxOperations caps the distinct operation names used as labels (default 200).
	MaxOperations int
}

// New creates the server's metrics on a fresh registry, with the Go runtime's and the
// process's own.
func New(opts Options) *Metrics {
	if opts.MaxOperations <= 0 {
		opts.MaxOperations = 200
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry:      reg,
		maxOperations: opts.MaxOperations,
		operations:    map[string]struct{}{},
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "graphql", Name: "request_duration_seconds",
			Help:    "Time to answer a GraphQL query or mutation over HTTP, by operation name (anonymous when unnamed, other past the cap of distinct names, invalid when the request never became an operation).",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .2, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "graphql", Name: "errors_total",
			Help: "GraphQL errors sent to clients, by extensions.code.",
		}, []string{"code"}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "loader", Name: "batch_size",
			Help:    "Keys fetched together by one dataloader batch (one SQL statement per distinct page or filter).",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000},
		}),
		incidents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "loader", Name: "incidents_total",
			Help: "Dataloader batches sent before their operation was quiet, by incident: stalled (an announced field never resolved, or the operation stood still too long), unknown_type (a value whose GraphQL type could not be named).",
		}, []string{"incident"}),
	}
	reg.MustRegister(m.latency, m.errors, m.batches, m.incidents,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the metrics live, for tests and for adding collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Operation turns an operation name into its label. Names are client-chosen, so they
// are capped: the first MaxOperations distinct names keep theirs (a deployment's
// frontends use a fixed set, registered early), later ones share Other, so a client
// inventing names cannot grow the series without bound.
func (m *Metrics) Operation(name string) string {
	if name == "" {
		return Anonymous
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.operations[name]; ok {
		return name
	}
	if len(m.operations) >= m.maxOperations || len(name) > 100 {
		return Other
	}
	m.operations[name] = struct{}{}
	return name
}

// Request records the duration of one query or mutation, labelled by Operation.
func (m *Metrics) Request(label string, d time.Duration) {
	m.latency.WithLabelValues(label).Observe(d.Seconds())
}

// Error counts one error sent to a client.
func (m *Metrics) Error(code string) { m.errors.WithLabelValues(code).Inc() }

// LoaderIncident counts a batch sent other than by the count of its operation's field
// resolutions, by kind (loader.Incident).
func (m *Metrics) LoaderIncident(kind string) { m.incidents.WithLabelValues(kind).Inc() }

// Batch records the size of one dataloader batch.
func (m *Metrics) Batch(keys int) { m.batches.Observe(float64(keys)) }

// Database exports the pool's statistics (open, in use, idle connections, waits) as
// the go_sql_* metrics, labelled db_name=name.
func (m *Metrics) Database(db *sql.DB, name string) {
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// Streams exports the number of open subscription streams (WebSocket and SSE).
func (m *Metrics) Streams(open *atomic.Int64) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "graphql", Name: "active_subscriptions",
		Help: "Subscription streams open now (WebSocket and Server-Sent Events).",
	}, func() float64 { return float64(open.Load()) }))
}

// Multiplexer is what the server tells about its shared subscriptions.
type Multiplexer interface {
	Hubs() int
	Resolutions() int64
	Encodings() int64
}

// Multiplex exports how many subscriptions run for their subscribers (hubs) and how many
// responses they resolved: with N identical subscribers, one event is one resolution.
func (m *Metrics) Multiplex(x Multiplexer) {
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "graphql", Name: "subscription_hubs",
			Help: "Subscriptions running now, each shared by the subscribers with the same document, variables and audience.",
		}, func() float64 { return float64(x.Hubs()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "graphql", Name: "subscription_resolutions_total",
			Help: "Subscription responses resolved, each once for all the subscribers of its hub.",
		}, func() float64 { return float64(x.Resolutions()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "graphql", Name: "subscription_encodings_total",
			Help: "Subscription responses encoded for WebSockets, each once for all the subscribers of its hub.",
		}, func() float64 { return float64(x.Encodings()) }),
	)
}

// Listener is what the event bus tells about its database connection.
type Listener interface {
	Connected() bool
	Reconnects() int64
	Subscribers() int64
}

// Bus exports the event listener's state.
func (m *Metrics) Bus(l Listener) {
	m.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "listener", Name: "reconnects_total",
			Help: "Times the event listener's database connection was re-established.",
		}, func() float64 { return float64(l.Reconnects()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "listener", Name: "connected",
			Help: "1 while the event listener's database connection is up.",
		}, func() float64 {
			if l.Connected() {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "bus", Name: "subscribers",
			Help: "Event-bus subscribers in this process (one per shared events or nodeChanged subscription, one per alliance watched by allianceStats).",
		}, func() float64 { return float64(l.Subscribers()) }),
	)
}
