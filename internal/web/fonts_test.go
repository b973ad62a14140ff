package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	fontFace     = regexp.MustCompile(`@font-face\{([^}]*)\}`)
	fontURL      = regexp.MustCompile(`url\(([^)?]+\.woff2)\?v=([0-9a-f]+)\) format\('woff2'\)`)
	unicodeRange = regexp.MustCompile(`unicode-range:([^;}]+)`)
)

// maxFontBytes bounds what the embedded CJK font adds to the binary.
const maxFontBytes = 3 << 20

// TestTheEmbeddedCJKFontIsServedAsImmutableWoff2: both pages load fonts.css, whose
// Noto Sans SC slices are served as font/woff2 under their current version, cacheable
// for good; no slice covers Latin text, one covers the demo's 沈阳, the page's policy
// lets fonts load from the server, and the font's licence is shipped.
func TestTheEmbeddedCJKFontIsServedAsImmutableWoff2(t *testing.T) {
	ts := server(t)
	var stylesheet string
	for _, page := range []string{"/", "/dashboard"} {
		res, body := get(t, ts.URL+page, nil)
		m := regexp.MustCompile(`href="(/assets/fonts\.css\?v=[0-9a-f]+)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("%s does not load fonts.css:\n%s", page, body)
		}
		stylesheet = string(m[1])
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "font-src 'self'") {
			t.Errorf("%s: Content-Security-Policy %q does not let fonts load from the server", page, csp)
		}
	}
	base, _ := url.Parse(ts.URL + stylesheet)
	res, css := get(t, base.String(), nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("GET %s = %d %s", stylesheet, res.StatusCode, res.Header.Get("Content-Type"))
	}
	faces := fontFace.FindAllSubmatch(css, -1)
	if len(faces) == 0 {
		t.Fatalf("fonts.css declares no font:\n%.500s", css)
	}
	var total int
	coversShenyang := map[rune]bool{'沈': false, '阳': false}
	for _, f := range faces {
		face := string(f[1])
		for _, want := range []string{"font-family:'Noto Sans SC'", "font-display:swap", "font-weight:400"} {
			if !strings.Contains(face, want) {
				t.Errorf("a face lacks %s: %.200s", want, face)
			}
		}
		ranges := unicodeRange.FindStringSubmatch(face)
		if ranges == nil {
			t.Fatalf("a face has no unicode-range, so Latin pages would fetch it: %.200s", face)
		}
		for _, r := range strings.Split(ranges[1], ",") {
			lo, hi, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(r), "U+"), "-")
			if hi == "" {
				hi = lo
			}
			a, errA := strconv.ParseUint(lo, 16, 32)
			b, errB := strconv.ParseUint(hi, 16, 32)
			if errA != nil || errB != nil || a > b {
				t.Fatalf("unicode-range entry %q does not parse", r)
			}
			if a < 0x2e80 {
				t.Errorf("unicode-range %q reaches below the CJK blocks (Latin text would fetch the font)", r)
			}
			for c := range coversShenyang {
				if uint64(c) >= a && uint64(c) <= b {
					coversShenyang[c] = true
				}
			}
		}
		u := fontURL.FindStringSubmatch(face)
		if u == nil {
			t.Fatalf("a face names no versioned woff2: %.200s", face)
		}
		ref, _ := url.Parse(u[1] + "?v=" + u[2])
		res, body := get(t, base.ResolveReference(ref).String(), http.Header{"Accept-Encoding": {"gzip"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "font/woff2" || !bytes.HasPrefix(body, []byte("wOF2")) {
			t.Fatalf("GET %s = %d %q, %.4q...; want a woff2 font", ref, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q, want it cacheable for good under its version", ref, cc)
		}
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s sent %s: woff2 is compressed already", ref, res.Header.Get("Content-Encoding"))
		}
		total += len(body)
	}
	for c, ok := range coversShenyang {
		if !ok {
			t.Errorf("no slice covers %c", c)
		}
	}
	t.Logf("%d slices, %d bytes", len(faces), total)
	if total > maxFontBytes {
		t.Errorf("the font's slices weigh %d bytes, more than %d", total, maxFontBytes)
	}
	_, licenses := get(t, ts.URL+"/assets/licenses.txt", nil)
	if !bytes.Contains(licenses, []byte("\n@fontsource/noto-sans-sc@")) || !bytes.Contains(licenses, []byte("SIL Open Font License, Version 1.1")) {
		t.Error("licenses.txt lacks the font's SIL Open Font License")
	}
}
