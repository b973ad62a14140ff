package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// Refused documents are request errors: over graphql-transport-ws they must come as an
// "error" message, as validation errors do, not as a "next" carrying errors.
func init() {
	for _, c := range []errcode.Code{errcode.BadRequest, errcode.PersistedQueryNotFound, errcode.PersistedQueryNotSupported,
		errcode.PersistedQueryHashMismatch, errcode.PersistedQueryRequired, errcode.PersistedQueryNotInList} {
		gqlerrcode.RegisterErrorType(string(c), gqlerrcode.KindProtocol)
	}
}

// DefaultAPQCacheSize is how many queries automatic persisted queries remember when the
// configuration does not say.
const DefaultAPQCacheSize = 1000

// TrustedDocuments are the operations a production frontend may run, by id.
type TrustedDocuments struct {
	byID map[string]string
}

// Len is the number of documents.
func (t *TrustedDocuments) Len() int { return len(t.byID) }

// LoadTrustedDocuments reads a manifest of trusted documents. Two formats are accepted:
//
//   - a JSON object mapping each id to its document, {"<id>": "query Q { ... }", ...}, as
//     written by GraphQL Codegen's client preset (persistedDocuments: persisted-documents.json)
//     and by relay-compiler's local persisted queries (persistConfig.file);
//   - Apollo's persisted query manifest, {"format": "apollo-persisted-query-manifest",
//     "version": 1, "operations": [{"id": ..., "body": ..., "name": ..., "type": ...}]},
//     as written by @apollo/generate-persisted-query-manifest.
//
// Ids are opaque (Relay's are md5 hashes, Codegen's sha1 or sha256) and may carry a
// "sha256:" prefix. An id that is a sha256 hash must be the document's, and every
// document must parse and validate against the schema, so that a stale or hand-edited
// manifest stops the server at start rather than failing requests later.
func LoadTrustedDocuments(path string) (*TrustedDocuments, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read trusted documents: %w", err)
	}
	docs, err := parseManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("trusted documents %s: the manifest lists no document", path)
	}
	t, err := newTrustedDocuments(docs)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	return t, nil
}

// newTrustedDocuments checks documents by id as LoadTrustedDocuments says.
func newTrustedDocuments(docs map[string]string) (*TrustedDocuments, error) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	t := &TrustedDocuments{byID: make(map[string]string, len(docs))}
	for id, doc := range docs {
		key := normalizeDocumentID(id)
		if key == "" {
			return nil, errors.New("a document has an empty id")
		}
		if isSHA256(key) && key != sha256Hex(doc) {
			return nil, fmt.Errorf("id %s is not the sha256 hash of its document", id)
		}
		if _, dup := t.byID[key]; dup {
			return nil, fmt.Errorf("id %s appears twice", id)
		}
		q, perr := parser.ParseQuery(&ast.Source{Name: id, Input: doc})
		if perr != nil {
			return nil, fmt.Errorf("document %s does not parse: %v", id, perr)
		}
		if errs := validator.Validate(schema, q); len(errs) > 0 {
			return nil, fmt.Errorf("document %s does not fit the schema: %v", id, errs)
		}
		t.byID[key] = doc
	}
	return t, nil
}

func parseManifest(raw []byte) (map[string]string, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if _, ok := probe["format"]; ok {
		var m struct {
			Format     string `json:"format"`
			Version    int    `json:"version"`
			Operations []struct {
				ID   string `json:"id"`
				Body string `json:"body"`
			} `json:"operations"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("not an Apollo persisted query manifest: %w", err)
		}
		if m.Format != "apollo-persisted-query-manifest" || m.Version != 1 {
			return nil, fmt.Errorf("unknown manifest format %q version %d (want apollo-persisted-query-manifest version 1)", m.Format, m.Version)
		}
		docs := make(map[string]string, len(m.Operations))
		for _, op := range m.Operations {
			if _, dup := docs[op.ID]; dup {
				return nil, fmt.Errorf("id %s appears twice", op.ID)
			}
			docs[op.ID] = op.Body
		}
		return docs, nil
	}
	var docs map[string]string
	if err := json.Unmarshal(raw, &docs); err != nil {
		return nil, errors.New("not a JSON object mapping ids to documents (strings)")
	}
	return docs, nil
}

// persistedDocuments resolves persisted document ids (Apollo's
// extensions.persistedQuery.sha256Hash, or GraphQL over HTTP's documentId, which the HTTP
// transport turns into the former) into queries, for every transport:
//
//   - automatic persisted queries: a hash alone runs the query registered under it, or
//     answers PERSISTED_QUERY_NOT_FOUND, upon which Apollo's link sends hash and query,
//     which registers it. The cache is an LRU bounded by entries and bytes.
//   - trusted documents (when set): ids of the manifest run their document; anything else
//     (free-form queries, unknown ids, APQ registrations) is refused, unless the viewer's
//     role may send free-form queries.
//   - built-in documents (the dashboard's, see builtin.go): trusted in every mode.
type persistedDocuments struct {
	apq           graphql.Cache[string] // nil: automatic persisted queries are off
	trusted       *TrustedDocuments     // nil: any query may run
	builtIn       *TrustedDocuments     // nil: none
	freeFormRoles []auth.Role
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = persistedDocuments{}

func newPersistedDocuments(apqSize int, apqBytes int64, trusted, builtIn *TrustedDocuments, freeForm []auth.Role) persistedDocuments {
	p := persistedDocuments{trusted: trusted, builtIn: builtIn, freeFormRoles: freeForm}
	if apqSize == 0 {
		apqSize = DefaultAPQCacheSize
	}
	if apqBytes <= 0 {
		apqBytes = DefaultAPQCacheBytes
	}
	if apqSize > 0 {
		p.apq = newSizedLRU(apqSize, apqBytes, querySize)
	}
	return p
}

func (persistedDocuments) ExtensionName() string { return "PersistedDocuments" }

func (persistedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

func (p persistedDocuments) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	id, err := persistedID(raw.Extensions)
	if err != nil {
		return err
	}
	freeForm := p.trusted == nil || p.mayWriteFreeForm(auth.ViewerFrom(ctx))
	if id == "" {
		if !freeForm {
			return requestError(errcode.PersistedQueryRequired, "%s", p.freeFormRefusal())
		}
		return nil
	}
	if doc, ok := p.trustedDocument(id); ok {
		if raw.Query != "" && !sameDocument(raw.Query, doc) {
			return requestError(errcode.PersistedQueryHashMismatch, "the query sent is not the trusted document %s", id)
		}
		raw.Query = doc
		return nil
	}
	if !freeForm {
		return requestError(errcode.PersistedQueryNotInList, "no trusted document has the id %s", id)
	}
	if p.apq == nil {
		return requestError(errcode.PersistedQueryNotSupported, "PersistedQueryNotSupported")
	}
	if raw.Query == "" {
		q, ok := p.apq.Get(ctx, id)
		if !ok {
			// Apollo's link matches this message as well as the code.
			return requestError(errcode.PersistedQueryNotFound, "PersistedQueryNotFound")
		}
		raw.Query = q
		return nil
	}
	if !isSHA256(id) {
		return requestError(errcode.BadRequest, "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits, the sha256 of the query")
	}
	if sha256Hex(raw.Query) != id {
		return requestError(errcode.PersistedQueryHashMismatch, "extensions.persistedQuery.sha256Hash is not the sha256 of the query sent")
	}
	p.apq.Add(ctx, id, raw.Query)
	return nil
}

// document is the text of the operation raw asks for: its query, or the trusted or
// persisted document its id names; "" when there is none to be found. It refuses
// nothing: MutateOperationParameters does that.
func (p persistedDocuments) document(ctx context.Context, raw *graphql.RawParams) string {
	if raw.Query != "" {
		return raw.Query
	}
	id, err := persistedID(raw.Extensions)
	if err != nil || id == "" {
		return ""
	}
	if doc, ok := p.trustedDocument(id); ok {
		return doc
	}
	if p.apq != nil {
		if q, ok := p.apq.Get(ctx, id); ok {
			return q
		}
	}
	return ""
}

// trustedDocument is the document of a trusted or built-in id.
func (p persistedDocuments) trustedDocument(id string) (string, bool) {
	for _, t := range []*TrustedDocuments{p.trusted, p.builtIn} {
		if t == nil {
			continue
		}
		if doc, ok := t.byID[id]; ok {
			return doc, true
		}
	}
	return "", false
}

// sameDocument reports whether two query texts are one document: equal once parsed and
// printed alike, whatever their whitespace, commas, comments and the order of the
// selections in each selection set and of the fragments. Clients print a trusted document
// again before sending it (Apollo's GraphQLWsLink sends it as written, while GraphQL
// Codegen's manifest holds it with every selection set sorted), so a character
// comparison would refuse the very document the id names. The order of selections
// changes the order of a response's keys, never which data it holds, so the two ask
// for the same thing.
func sameDocument(a, b string) bool {
	if a == b {
		return true
	}
	na, okA := normalDocument(a)
	nb, okB := normalDocument(b)
	return okA && okB && na == nb
}

func normalDocument(q string) (string, bool) {
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		return "", false
	}
	for _, op := range doc.Operations {
		sortSelections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		sortSelections(f.SelectionSet)
	}
	slices.SortStableFunc(doc.Fragments, func(a, b *ast.FragmentDefinition) int { return strings.Compare(a.Name, b.Name) })
	var buf strings.Builder
	formatter.NewFormatter(&buf, formatter.WithCompacted()).FormatQueryDocument(doc)
	return buf.String(), true
}

// sortSelections puts every selection set under set, and set itself, in one order:
// fields by response key, name, arguments and directives, then fragment spreads by
// name, then inline fragments by type condition and content. Selections with equal keys
// (a field repeated, which GraphQL merges) keep their order.
func sortSelections(set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			sortSelections(sel.SelectionSet)
		case *ast.InlineFragment:
			sortSelections(sel.SelectionSet)
		}
	}
	slices.SortStableFunc(set, func(a, b ast.Selection) int { return strings.Compare(selectionKey(a), selectionKey(b)) })
}

func selectionKey(sel ast.Selection) string {
	var b strings.Builder
	switch sel := sel.(type) {
	case *ast.Field:
		b.WriteString("0" + sel.Alias + ":" + sel.Name)
		for _, a := range sel.Arguments {
			b.WriteString("," + a.Name + "=" + a.Value.String())
		}
		writeDirectives(&b, sel.Directives)
	case *ast.FragmentSpread:
		b.WriteString("1" + sel.Name)
		writeDirectives(&b, sel.Directives)
	case *ast.InlineFragment:
		b.WriteString("2" + sel.TypeCondition)
		writeDirectives(&b, sel.Directives)
		for _, child := range sel.SelectionSet {
			b.WriteString("{" + selectionKey(child) + "}")
		}
	}
	return b.String()
}

func writeDirectives(b *strings.Builder, ds ast.DirectiveList) {
	for _, d := range ds {
		b.WriteString("@" + d.Name)
		for _, a := range d.Arguments {
			b.WriteString("," + a.Name + "=" + a.Value.String())
		}
	}
}

// freeFormRefusal says why a free-form query is refused and who may still send one: in
// the playground, a token of such a role in the Authorization header lifts it.
func (p persistedDocuments) freeFormRefusal() string {
	msg := "this server runs only trusted documents: send the id of a registered operation (extensions.persistedQuery.sha256Hash or documentId), not a query"
	if len(p.freeFormRoles) == 0 {
		return msg + "; no role may send free-form queries here"
	}
	roles := make([]string, len(p.freeFormRoles))
	for i, r := range p.freeFormRoles {
		roles[i] = string(r)
	}
	return msg + "; callers with the role " + strings.Join(roles, " or ") + " may (in the playground, put such a token in the headers: {\"Authorization\": \"Bearer <token>\"})"
}

func (p persistedDocuments) mayWriteFreeForm(v auth.Viewer) bool {
	return !v.Anonymous() && slices.Contains(p.freeFormRoles, v.Role)
}

// persistedID reads extensions.persistedQuery: "" when there is none.
func persistedID(ext map[string]any) (string, *gqlerror.Error) {
	v, ok := ext["persistedQuery"]
	if !ok || v == nil {
		return "", nil
	}
	pq, ok := v.(map[string]any)
	if !ok {
		return "", requestError(errcode.BadRequest, "extensions.persistedQuery must be an object {version: 1, sha256Hash}")
	}
	if version := fmt.Sprint(pq["version"]); version != "1" {
		return "", requestError(errcode.BadRequest, "extensions.persistedQuery.version must be 1, not %s", version)
	}
	hash, _ := pq["sha256Hash"].(string)
	if id := normalizeDocumentID(hash); id != "" {
		return id, nil
	}
	return "", requestError(errcode.BadRequest, "extensions.persistedQuery.sha256Hash must be a non-empty string")
}

// normalizeDocumentID drops GraphQL over HTTP's "sha256:" prefix and lower-cases hashes,
// so that every spelling of an id finds the same document.
func normalizeDocumentID(id string) string {
	id = strings.TrimSpace(id)
	if rest, ok := strings.CutPrefix(id, "sha256:"); ok {
		id = rest
	}
	if isSHA256(strings.ToLower(id)) {
		return strings.ToLower(id)
	}
	return id
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func requestError(code errcode.Code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": string(code)}}
}
