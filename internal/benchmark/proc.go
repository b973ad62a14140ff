package benchmark

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every
// Linux architecture Go supports (the kernel's ABI fixes it, whatever CONFIG_HZ is).
const clockTicks = 100

// ProcessUsage is what a server process has used so far.
type ProcessUsage struct {
	CPUSeconds   float64 // user and system time
	PeakRSSBytes int64   // VmHWM: the resident set's high-water mark
}

// ReadProcess reads the CPU time and peak resident set of process pid from /proc.
func ReadProcess(pid int) (ProcessUsage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("read stat of process %d: %w", pid, err)
	}
	// The command name in parentheses may hold spaces: fields count from the last ')'.
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return ProcessUsage{}, fmt.Errorf("parse stat of process %d: no command name", pid)
	}
	fields := strings.Fields(string(stat[end+1:]))
	// After the name: state is field 3 of proc(5), utime 14 and stime 15.
	if len(fields) < 13 {
		return ProcessUsage{}, fmt.Errorf("parse stat of process %d: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return ProcessUsage{}, fmt.Errorf("parse stat of process %d: utime %q, stime %q", pid, fields[11], fields[12])
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("read status of process %d: %w", pid, err)
	}
	var hwm int64
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return ProcessUsage{}, fmt.Errorf("parse VmHWM of process %d: %w", pid, err)
			}
			hwm = kb * 1024
		}
	}
	return ProcessUsage{CPUSeconds: float64(utime+stime) / clockTicks, PeakRSSBytes: hwm}, nil
}

// ResetPeakRSS sets process pid's VmHWM back to its current resident set (proc(5),
// clear_refs value 5), so that each run reports its own peak rather than the largest since
// the process started. Only the process's owner (or root) may; the caller says when the
// reset failed, and the peak then covers the process's whole life.
func ResetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}
