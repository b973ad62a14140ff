// Package web serves the server's browser pages, the GraphiQL playground and the live
// dashboard, with every script, stylesheet and font they use embedded in the binary:
// deployments on networks without internet access load nothing from elsewhere.
//
// The assets are built from the npm packages pinned in web/ by web/build.sh and
// committed, so building the server needs no npm.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed assets
var assetFS embed.FS

//go:embed pages/*.html
var pageFS embed.FS

// AssetsPath is where the assets are served from; mount Pages.Assets there.
const AssetsPath = "/assets/"

// contentSecurityPolicy lets the pages load and connect to their own origin only (the
// WebSocket of subscriptions included), so a stray reference to a CDN fails loudly in
// development instead of silently on an offline network. Inline styles are allowed:
// React and CodeMirror position elements with style attributes.
const contentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
	"style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Pages holds the rendered pages and the assets, each with its hash and gzipped copy.
type Pages struct {
	assets     map[string]*asset
	playground []byte
	dashboard  []byte
}

type asset struct {
	body        []byte
	contentType string
	version     string // leading hex digits of the body's sha256

	// Compressed on first request: the bundles take about 80 ms, which a server that
	// never serves them (or a test) should not pay. Level 9 would double that for 0.1%.
	compress sync.Once
	gzipped  []byte // nil when gzip would not make it smaller
}

func (a *asset) gzip() []byte {
	a.compress.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		zw.Write(a.body)
		zw.Close()
		if buf.Len() < len(a.body) {
			a.gzipped = buf.Bytes()
		}
	})
	return a.gzipped
}

// New reads the embedded assets and renders the pages with versioned asset URLs
// (/assets/name?v=hash), which browsers may then cache for good.
func New() *Pages {
	p := &Pages{assets: map[string]*asset{}}
	entries, err := fs.ReadDir(assetFS, "assets")
	if err != nil {
		panic(err) // the directory is compiled in
	}
	for _, e := range entries {
		body, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, version: hex.EncodeToString(sum[:8]), contentType: contentType(e.Name())}
		p.assets[e.Name()] = a
	}
	pages := template.Must(template.New("").Funcs(template.FuncMap{"asset": p.url}).ParseFS(pageFS, "pages/*.html"))
	p.playground = render(pages, "playground.html")
	p.dashboard = render(pages, "dashboard.html")
	return p
}

// contentType is the media type of an asset by its name. Fonts are named here: the
// system's mime.types, which package mime reads over its own table, may call woff2
// application/font-woff2 or not know it, and browsers check a font's type under nosniff.
func contentType(name string) string {
	if path.Ext(name) == ".woff2" {
		return "font/woff2"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// url is the versioned address of an asset; a page naming an asset that was not built
// fails New, and with it every test that starts a server.
func (p *Pages) url(name string) (string, error) {
	a, ok := p.assets[name]
	if !ok {
		return "", &fs.PathError{Op: "asset", Path: name, Err: fs.ErrNotExist}
	}
	return AssetsPath + name + "?v=" + a.version, nil
}

func render(t *template.Template, name string) []byte {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Playground serves the GraphiQL page, which queries /query.
func (p *Pages) Playground() http.Handler { return page(p.playground) }

// Dashboard serves the live dashboard page, which reads /query.
func (p *Pages) Dashboard() http.Handler { return page(p.dashboard) }

func page(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// Pages are small and name the current assets' versions: always revalidate.
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// Assets serves the embedded assets under AssetsPath. A request naming the current
// version may be cached for a year; any other must revalidate (ETag).
func (p *Pages) Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := p.assets[strings.TrimPrefix(r.URL.Path, AssetsPath)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Vary", "Accept-Encoding")
		if r.URL.Query().Get("v") == a.version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		body, etag := a.body, a.version
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			if gz := a.gzip(); gz != nil {
				body, etag = gz, a.version+"-gz"
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", strconv.Quote(etag))
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed without q=0.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if q, err := strconv.ParseFloat(v, 64); err == nil && q == 0 {
				return false
			}
		}
		return true
	}
	return false
}
