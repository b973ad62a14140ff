package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/metrics"
)

type requestInfoKey struct{}

// requestInfo collects, while a request runs, what its log line and metrics report
// about its GraphQL side: the operations it ran and the codes of the errors it sent.
// A WebSocket carries many operations, hence the lists.
type requestInfo struct {
	mu         sync.Mutex
	operations []string
	codes      []string
	// refused are the codes of errors written before gqlgen's presenter, which counts
	// the others as it presents them.
	refused []string
	// oneStatement counts the operations graph.OneStatement answered.
	oneStatement int
	// left is set once the request's answer was cut short because the client left.
	left atomic.Bool
}

// clientLeft notes that the client left before an answer was complete, and reports
// whether it is the first time for this request (a WebSocket: this connection).
func (i *requestInfo) clientLeft() bool {
	return i == nil || i.left.CompareAndSwap(false, true)
}

// maxListed bounds the operations and codes a request's log line lists: a WebSocket can
// run any number of operations.
const maxListed = 16

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

func (i *requestInfo) addOperation(name string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if !slices.Contains(i.operations, name) && len(i.operations) < maxListed {
		i.operations = append(i.operations, name)
	}
}

func (i *requestInfo) addCode(code string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if !slices.Contains(i.codes, code) && len(i.codes) < maxListed {
		i.codes = append(i.codes, code)
	}
}

// answeredInOneStatement notes an operation answered by one statement.
func (i *requestInfo) answeredInOneStatement() {
	if i == nil {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.oneStatement++
}

// oneStatementAnswers is how many of the request's operations one statement answered.
func (i *requestInfo) oneStatementAnswers() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.oneStatement
}

// refuse records an error the server wrote itself, outside gqlgen (a refused
// credential, a rate limit, a malformed request), for the log line and the metrics.
func (i *requestInfo) refuse(code string) {
	if i == nil {
		return
	}
	i.addCode(code)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.refused = append(i.refused, code)
}

// refusals are the codes refuse recorded.
func (i *requestInfo) refusals() []string {
	if i == nil {
		return nil
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return slices.Clone(i.refused)
}

// operation is the request's operation name for logs: "" when none ran.
func (i *requestInfo) operation() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return strings.Join(i.operations, ",")
}

// firstOperation is the operation of a plain HTTP request, which runs at most one.
func (i *requestInfo) firstOperation() string {
	if i == nil {
		return ""
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if len(i.operations) == 0 {
		return ""
	}
	return i.operations[0]
}

func (i *requestInfo) errorCodes() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string{}, i.codes...) // [] rather than null in the log when none
}

// recordOperation notes the name of each operation gqlgen runs (once parsed and
// validated) in the request's info.
func recordOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil {
		name := oc.Operation.Name
		if name == "" {
			name = metrics.Anonymous
		}
		infoFrom(ctx).addOperation(name)
	}
	return next(ctx)
}

// recordErrors counts the code of every error the presenter produced, for the request's
// log line and the errors metric.
func recordErrors(m *metrics.Metrics, present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := present(ctx, err)
		code, _ := gqlErr.Extensions["code"].(string)
		if code == "" {
			code = "NONE"
		}
		infoFrom(ctx).addCode(code)
		if m != nil {
			m.Error(code)
		}
		return gqlErr
	}
}

// withMetrics times queries and mutations by operation and lets the request's loaders
// report their batch sizes. Streams are not timed: they last as long as their client.
func withMetrics(m *metrics.Metrics, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r.WithContext(loader.WithBatchObserver(r.Context(), m.Batch)))
		for _, code := range infoFrom(r.Context()).refusals() {
			m.Error(code)
		}
		if r.URL.Path != "/query" || r.Method == http.MethodOptions || streaming(r) {
			return
		}
		label := metrics.Invalid
		if name := infoFrom(r.Context()).firstOperation(); name == metrics.Anonymous {
			label = name
		} else if name != "" {
			label = m.Operation(name)
		}
		m.Request(label, time.Since(start))
	})
}
