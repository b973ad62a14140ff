package benchmark

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// BackendMeter measures the CPU time PostgreSQL spends for one database: the backends
// connected to it, read from /proc at Start and at Stop. PostgreSQL and the caller must
// share the machine. The process title says whom a backend serves: "postgres:
// 15/main: <user> <database> <client> <state>". Parallel workers (titled "parallel
// worker for PID <leader>") live for one statement and would need sampling, which costs
// the caller CPU in proportion to the wall time: measure with
// max_parallel_workers_per_gather = 0 instead, so that the backends do all the work. A
// backend that exits between Start and Stop is missed: keep the pool's connections open.
type BackendMeter struct {
	database string
	start    map[int]float64 // CPU seconds of each backend at Start
}

// NewBackendMeter meters the backends of database.
func NewBackendMeter(database string) *BackendMeter {
	return &BackendMeter{database: database}
}

// Start begins metering.
func (m *BackendMeter) Start() error {
	start, err := m.sample()
	m.start = start
	return err
}

// Stop returns the CPU seconds the database's backends spent since Start; backends
// that connected since count whole.
func (m *BackendMeter) Stop() (float64, error) {
	now, err := m.sample()
	if err != nil {
		return 0, err
	}
	total := 0.0
	for pid, cpu := range now {
		total += cpu - m.start[pid]
	}
	return total, nil
}

// sample reads the CPU time of every backend serving the database.
func (m *BackendMeter) sample() (map[int]float64, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("meter PostgreSQL: %w", err)
	}
	out := map[int]float64{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		title, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !strings.HasPrefix(string(title), "postgres: ") || !servesDatabase(strings.TrimRight(string(title), "\x00 "), m.database) {
			continue
		}
		if u, err := ReadProcess(pid); err == nil {
			out[pid] = u.CPUSeconds
		}
	}
	return out, nil
}

// servesDatabase reads a backend's title: "postgres: <cluster>: <user> <database> ...".
func servesDatabase(title, database string) bool {
	fields := strings.Fields(title)
	for i := 1; i+1 < len(fields); i++ {
		if fields[i+1] == database && strings.HasSuffix(fields[i-1], ":") {
			return true
		}
	}
	return false
}
