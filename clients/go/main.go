// Command go is the genqlient recipe of docs/clients.md: typed queries and mutations over
// HTTP and a subscription over graphql-transport-ws, every operation sent by id, against
// the server at ALLIANCE_URL as the MEMBER whose token is ALLIANCE_TOKEN.
package main

//go:generate go tool genqlient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/gorilla/websocket"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	url, token, company := os.Getenv("ALLIANCE_URL"), os.Getenv("ALLIANCE_TOKEN"), os.Getenv("ALLIANCE_COMPANY")
	if url == "" || token == "" || company == "" {
		return errors.New("set ALLIANCE_URL, ALLIANCE_TOKEN and ALLIANCE_COMPANY")
	}
	client := graphql.NewClient(url, &http.Client{Transport: byID{token: token, next: http.DefaultTransport}})

	page1, err := Companies(ctx, client, 5, "")
	if err != nil {
		return fmt.Errorf("first page: %w", err)
	}
	page2, err := Companies(ctx, client, 5, page1.Organizations.PageInfo.EndCursor)
	if err != nil {
		return fmt.Errorf("second page: %w", err)
	}
	alliance := page1.Alliances.Edges[0].Node.Id

	ws := graphql.NewClientUsingWebSocket(strings.Replace(url, "http", "ws", 1), dialer{},
		graphql.WithConnectionParams(map[string]any{"Authorization": "Bearer " + token}))
	socketErrs, err := ws.Start(ctx)
	if err != nil {
		return fmt.Errorf("open the socket: %w", err)
	}
	defer ws.Close()
	// From the last event before the mutation: the server replays what the subscription
	// missed while it was starting, so the opening's event cannot slip past it.
	var after string
	if len(page1.Events.Edges) > 0 {
		after = page1.Events.Edges[0].Cursor
	}
	events, _, err := Feed(ctx, ws, after)
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}

	opening := func(positions int) PostJobOpeningInput {
		return PostJobOpeningInput{AllianceId: alliance, ProviderId: company, Title: BilingualTextInput{En: "CNC machinist", Zh: "数控机床操作工"},
			Positions: positions, SalaryMin: 6500, SalaryMax: 9000, EmploymentType: EmploymentTypeFullTime}
	}
	refused, err := PostOpening(ctx, client, opening(0))
	if err != nil {
		return fmt.Errorf("post an opening of no position: %w", err)
	}
	posted, err := PostOpening(ctx, client, opening(2))
	if err != nil {
		return fmt.Errorf("post an opening: %w", err)
	}

	for {
		select {
		case r := <-events:
			if len(r.Errors) > 0 {
				return fmt.Errorf("subscription: %w", r.Errors)
			}
			if e := r.Data.Events; e.Node.SubjectId == posted.PostJobOpening.JobOpening.Id {
				return report(page1, page2, refused, posted, e)
			}
		case err := <-socketErrs:
			return fmt.Errorf("socket: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("no event for the opening: %w", ctx.Err())
		}
	}
}

// byID sends each query and mutation by id, as GraphQL over HTTP's documentId: the sha256
// of the text genqlient would send, which is the id operations.json's documents have in
// the server's manifest. It also adds the bearer token.
type byID struct {
	token string
	next  http.RoundTripper
}

func (b byID) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the request: %w", err)
	}
	if body, err = withDocumentID(body); err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// withDocumentID replaces a request's query with its documentId.
func withDocumentID(request []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	var query string
	if err := json.Unmarshal(request, &fields); err != nil {
		return nil, fmt.Errorf("decode the request: %w", err)
	}
	if err := json.Unmarshal(fields["query"], &query); err != nil {
		return nil, fmt.Errorf("decode the query: %w", err)
	}
	sum := sha256.Sum256([]byte(query))
	delete(fields, "query")
	fields["documentId"], _ = json.Marshal("sha256:" + hex.EncodeToString(sum[:]))
	return json.Marshal(fields)
}

// dialer opens genqlient's sockets with gorilla/websocket, sending subscriptions by id.
type dialer struct{}

func (dialer) DialContext(ctx context.Context, url string, header http.Header) (graphql.WSConn, error) {
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, header)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return subscribeByID{conn}, nil
}

type subscribeByID struct{ *websocket.Conn }

func (c subscribeByID) WriteMessage(kind int, data []byte) error {
	var msg struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	if kind == websocket.TextMessage && json.Unmarshal(data, &msg) == nil && msg.Type == "subscribe" {
		payload, err := withDocumentID(msg.Payload)
		if err != nil {
			return err
		}
		msg.Payload = payload
		if data, err = json.Marshal(msg); err != nil {
			return fmt.Errorf("encode the subscribe message: %w", err)
		}
	}
	return c.Conn.WriteMessage(kind, data)
}

// report prints what clients_test.go checks, as the Node recipes do.
func report(page1, page2 *CompaniesResponse, refused, posted *PostOpeningResponse, e FeedEventsEventEdge) error {
	ids := func(p *CompaniesResponse) []string {
		var ids []string
		for _, edge := range p.Organizations.Edges {
			ids = append(ids, edge.Node.GetId())
		}
		return ids
	}
	type userError struct {
		Field []string `json:"field"`
		Code  string   `json:"code"`
	}
	var userErrors []userError
	for _, u := range refused.PostJobOpening.UserErrors {
		userErrors = append(userErrors, userError{u.Field, string(u.Code)})
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"client":        "genqlient",
		"totalCount":    page1.Organizations.TotalCount,
		"page1":         ids(page1),
		"page2":         ids(page2),
		"foundedOn":     page1.Alliances.Edges[0].Node.FoundedOn,
		"userErrors":    userErrors,
		"opening":       posted.PostJobOpening.JobOpening.Id,
		"openingErrors": len(posted.PostJobOpening.UserErrors),
		"event":         map[string]any{"kind": e.Node.Kind, "subjectId": e.Node.SubjectId, "occurredAt": e.Node.OccurredAt.Format(time.RFC3339Nano)},
	})
}
