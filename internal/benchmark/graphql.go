package benchmark

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
)

// GraphQL sends requests to one endpoint.
type GraphQL struct {
	Client *http.Client
	URL    string
	Header http.Header // added to every request (e.g. Authorization)
}

// NewHTTPClient keeps a connection per concurrent client open, as a load generator must:
// Go's default of two idle connections a host would make every run open and close
// connections, measuring TCP setup rather than the server.
func NewHTTPClient(maxConcurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxConcurrency * 2
	t.MaxIdleConnsPerHost = maxConcurrency * 2
	return &http.Client{Transport: t}
}

// errGraphQL marks an answer that carried GraphQL errors.
var errGraphQL = errors.New("graphql errors")

// post sends one request and returns its raw body, failing on a non-200 status or errors
// in the answer.
func (g GraphQL) post(ctx context.Context, query string, vars map[string]any) ([]byte, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for k, v := range g.Header {
		req.Header[k] = v
	}
	res, err := g.Client.Do(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return raw, fmt.Errorf("status %d: %.200s", res.StatusCode, raw)
	}
	// A full decode would cost the load generator, on the servers' cores, more than the
	// check is worth: an answer with errors has the top-level key.
	if bytes.Contains(raw, []byte(`"errors":`)) {
		return raw, fmt.Errorf("%w: %.200s", errGraphQL, raw)
	}
	return raw, nil
}

// Fetch runs a query that must succeed and decodes its data into out.
func (g GraphQL) Fetch(ctx context.Context, query string, vars map[string]any, out any) error {
	raw, err := g.post(ctx, query, vars)
	if err != nil {
		return err
	}
	var answer struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return json.Unmarshal(answer.Data, out)
}

// Op makes an operation that posts query with the variables vars draws; check, if not
// nil, inspects the answer of a request that succeeded at the GraphQL level (a mutation's
// userErrors).
func (g GraphQL) Op(name, query string, vars func(r *rand.Rand) map[string]any, check func(raw []byte) error) Op {
	return Op{Name: name, Do: func(ctx context.Context, r *rand.Rand) error {
		var v map[string]any
		if vars != nil {
			v = vars(r)
		}
		raw, err := g.post(ctx, query, v)
		if err == nil && check != nil {
			err = check(raw)
		}
		return err
	}}
}
