package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/web"
)

func server(t *testing.T) *httptest.Server {
	t.Helper()
	p := web.New()
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", p.Playground())
	mux.Handle("GET /dashboard", p.Dashboard())
	mux.Handle("GET "+web.AssetsPath, p.Assets())
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	// A transport of its own: the default one would ask for gzip and undo it silently.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/assets/[^"?]+)\?v=([0-9a-f]+)"`)

// TestPagesLoadOnlyTheirOwnAssets: each page names versioned assets of this server and
// nothing elsewhere, under a policy that forbids anything elsewhere.
func TestPagesLoadOnlyTheirOwnAssets(t *testing.T) {
	ts := server(t)
	for _, tc := range []struct{ path, script string }{
		{"/", "/assets/playground.js"},
		{"/dashboard", "/assets/dashboard.js"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res, body := get(t, ts.URL+tc.path, nil)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET %s = %d %s", tc.path, res.StatusCode, res.Header.Get("Content-Type"))
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, directive := range []string{"default-src 'self'", "connect-src 'self'", "script-src 'self'"} {
				if !strings.Contains(csp, directive) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, directive)
				}
			}
			if regexp.MustCompile(`(?:href|src)="(?:https?:)?//`).Match(body) {
				t.Errorf("the page names another host:\n%s", body)
			}
			refs := assetRef.FindAllStringSubmatch(string(body), -1)
			if len(refs) == 0 || !strings.Contains(string(body), tc.script) {
				t.Fatalf("the page names no versioned %s:\n%s", tc.script, body)
			}
			for _, ref := range refs {
				res, asset := get(t, ts.URL+ref[1]+"?v="+ref[2], nil)
				if res.StatusCode != http.StatusOK || len(asset) == 0 {
					t.Errorf("GET %s = %d, %d bytes", ref[1], res.StatusCode, len(asset))
				}
			}
		})
	}
}

// TestAssetsAreCachedByVersionAndCompressed: the current version may be cached for good,
// anything else revalidates; gzip is sent to those who accept it.
func TestAssetsAreCachedByVersionAndCompressed(t *testing.T) {
	ts := server(t)
	_, page := get(t, ts.URL+"/", nil)
	var script, version string
	for _, ref := range assetRef.FindAllStringSubmatch(string(page), -1) {
		if strings.HasSuffix(ref[1], ".js") {
			script, version = ref[1], ref[2]
		}
	}
	plainRes, plain := get(t, ts.URL+script+"?v="+version, nil)
	if plainRes.Header.Get("Content-Encoding") != "" {
		t.Fatalf("sent %s to a client that asked for no encoding", plainRes.Header.Get("Content-Encoding"))
	}
	cases := []struct {
		name, query, acceptEncoding string
		wantCache                   string
		wantGzip                    bool
	}{
		{"current version", "?v=" + version, "", "public, max-age=31536000, immutable", false},
		{"no version", "", "", "no-cache", false},
		{"an old version", "?v=0000000000000000", "", "no-cache", false},
		{"gzip accepted", "?v=" + version, "gzip, deflate, br", "public, max-age=31536000, immutable", true},
		{"gzip with a weight", "?v=" + version, "br;q=1.0, gzip;q=0.8", "public, max-age=31536000, immutable", true},
		{"gzip refused", "?v=" + version, "gzip;q=0, identity", "public, max-age=31536000, immutable", false},
		{"only brotli", "?v=" + version, "br", "public, max-age=31536000, immutable", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.acceptEncoding != "" {
				h.Set("Accept-Encoding", tc.acceptEncoding)
			}
			res, body := get(t, ts.URL+script+tc.query, h)
			if got := res.Header.Get("Cache-Control"); got != tc.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.wantCache)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
				t.Errorf("Content-Type = %q", res.Header.Get("Content-Type"))
			}
			gzipped := res.Header.Get("Content-Encoding") == "gzip"
			if gzipped != tc.wantGzip {
				t.Fatalf("Content-Encoding = %q, want gzip: %v", res.Header.Get("Content-Encoding"), tc.wantGzip)
			}
			if gzipped {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, err = io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, plain) {
				t.Error("the body differs from the plain asset")
			}
			// Revalidation with the ETag just received costs nothing.
			h.Set("If-None-Match", res.Header.Get("ETag"))
			if res, _ := get(t, ts.URL+script+tc.query, h); res.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match its own ETag = %d, want 304", res.StatusCode)
			}
		})
	}
	if res, _ := get(t, ts.URL+"/assets/nothing.js", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown asset = %d, want 404", res.StatusCode)
	}
}

// TestAssetsShipTheirLicensesAndNoRemoteStylesheets: the bundles' licenses are served
// beside them, and no stylesheet imports or names anything remote.
func TestAssetsShipTheirLicensesAndNoRemoteStylesheets(t *testing.T) {
	ts := server(t)
	res, licenses := get(t, ts.URL+"/assets/licenses.txt", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("licenses.txt = %d", res.StatusCode)
	}
	for _, pkg := range []string{"graphiql@", "react@", "react-dom@", "graphql@", "graphql-ws@", "chart.js@", "codemirror@"} {
		if !bytes.Contains(licenses, []byte("\n"+pkg)) {
			t.Errorf("licenses.txt has no section for %s", strings.TrimSuffix(pkg, "@"))
		}
	}
	remote := regexp.MustCompile(`@import|url\(\s*["']?(?:https?:)?//`)
	for _, css := range []string{"/assets/playground.css", "/assets/dashboard.css"} {
		_, body := get(t, ts.URL+css, nil)
		if m := remote.Find(body); m != nil {
			t.Errorf("%s loads something remote: %s", css, m)
		}
	}
}
