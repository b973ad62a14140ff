package benchmark

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// OpProfile is where alliance-graph's CPU went while one operation ran alone: perf's
// summary of the server process, taken because the operation missed the targets Missed.
type OpProfile struct {
	Op      string   `json:"operation"`
	Clients int      `json:"clients"`
	Seconds float64  `json:"seconds"`
	Missed  []string `json:"missed"`
	Text    string   `json:"profile,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// perfFrequency is the sampling rate: high enough for a few seconds to give a few thousand
// samples, low enough that perf's own cost (on the same 2 cores) stays small.
const perfFrequency = "999"

// PerfProfile samples process pid's CPU with its call stacks (perf record -g: Go keeps frame
// pointers, so the stacks need no DWARF) while run runs, and returns perf's summary: the
// functions by own time, then by time including callees outside Go's runtime. It profiles
// the very server the benchmark measures, built and configured as served, where an
// in-process profile would measure a test's copy; it needs perf and the right to attach
// to the process (root, or perf_event_paranoid below 2 for the owner).
func PerfProfile(ctx context.Context, pid int, run func() error) (string, error) {
	perf, err := exec.LookPath("perf")
	if err != nil {
		return "", errors.New("perf is not installed (apt-get install linux-perf)")
	}
	dir, err := os.MkdirTemp("", "alliance-bench-perf-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	data := dir + "/perf.data"
	var out bytes.Buffer
	rec := exec.CommandContext(ctx, perf, "record", "-F", perfFrequency, "-g", "-p", fmt.Sprint(pid), "-o", data)
	rec.Stdout, rec.Stderr = &out, &out
	rec.Cancel = func() error { return rec.Process.Signal(syscall.SIGINT) }
	if err := rec.Start(); err != nil {
		return "", fmt.Errorf("start perf record: %w", err)
	}
	// perf attaches to every thread of the process before it samples; the first
	// requests would otherwise go unrecorded.
	time.Sleep(300 * time.Millisecond)
	runErr := run()
	rec.Process.Signal(syscall.SIGINT)
	if err := rec.Wait(); err != nil && ctx.Err() == nil {
		if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || !strings.Contains(out.String(), "Captured and wrote") {
			return "", fmt.Errorf("perf record: %w: %s", err, strings.TrimSpace(out.String()))
		}
	}
	if runErr != nil {
		return "", fmt.Errorf("run the operation under perf: %w", runErr)
	}
	self, err := perfReport(ctx, perf, data, "--no-children", "0.5")
	if err != nil {
		return "", err
	}
	cum, err := perfReport(ctx, perf, data, "--children", "4")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintln(&b, "CPU by own time (perf report --no-children --sort symbol):")
	for _, l := range limit(self, 25) {
		fmt.Fprintln(&b, l)
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "CPU including callees (perf report --children --sort symbol), without the runtime's frames but its")
	fmt.Fprintln(&b, "allocator and garbage collector, and without the HTTP middleware, which holds every request:")
	var shown []string
	for _, l := range cum {
		if keepCumulative(l) {
			shown = append(shown, l)
		}
	}
	for _, l := range limit(shown, 30) {
		fmt.Fprintln(&b, l)
	}
	return b.String(), nil
}

// perfReport runs perf report in mode (--children or --no-children) and returns its rows
// above percent, without perf's comments.
func perfReport(ctx context.Context, perf, data, mode, percent string) ([]string, error) {
	cmd := exec.CommandContext(ctx, perf, "report", "-i", data, "--stdio", mode, "--sort", "symbol", "-g", "none", "--percent-limit", percent)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("perf report: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var rows []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), " ")
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		rows = append(rows, tidy(l))
	}
	return rows, sc.Err()
}

// tidy rewrites a row of perf report without its padding (it pads every symbol to the
// longest) and its empty trailing columns, and with Go's generic shapes, names of a few
// hundred characters, cut short.
func tidy(row string) string {
	row = cutShapes(row)
	f := strings.Fields(row)
	for len(f) > 0 && f[len(f)-1] == "-" {
		f = f[:len(f)-1]
	}
	var b strings.Builder
	for i, x := range f {
		if strings.HasSuffix(x, "%") {
			fmt.Fprintf(&b, "%7s ", x)
			continue
		}
		b.WriteString(strings.Join(f[i:], " "))
		break
	}
	return b.String()
}

// cutShapes replaces each list of generic shapes ("[go.shape.struct { ... }]", brackets
// nested) by "[...]", keeping the method names that follow.
func cutShapes(s string) string {
	for {
		i := strings.Index(s, "[go.shape")
		if i < 0 {
			return s
		}
		depth, j := 0, i
		for ; j < len(s); j++ {
			if s[j] == '[' {
				depth++
			} else if s[j] == ']' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		if j == len(s) {
			return s[:i] + "[...]"
		}
		s = s[:i] + "[...]" + s[j+1:]
	}
}

// keepCumulative says whether a row of the cumulative report tells where a request's time
// goes: not a frame of the runtime's scheduler or of the middleware every request passes.
func keepCumulative(row string) bool {
	for _, keep := range []string{"runtime.gcBgMarkWorker", "runtime.mallocgc "} {
		if strings.Contains(row, keep) {
			return true
		}
	}
	for _, drop := range []string{" runtime.", "net/http.", "internal/server.New.", ".gowrap", "internal/server.httpTransport", "internal/server.(*httpTransport)"} {
		if strings.Contains(row, drop) {
			return false
		}
	}
	return true
}

func limit(lines []string, n int) []string {
	if len(lines) > n {
		return lines[:n]
	}
	return lines
}
