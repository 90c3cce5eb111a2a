package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// parseCPUList reads a list of CPUs as taskset and /sys write them:
// "1", "0,2", "0-3".
func parseCPUList(list string) (unix.CPUSet, error) {
	var set unix.CPUSet
	for part := range strings.SplitSeq(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		first, err := strconv.Atoi(lo)
		last := first
		if err == nil && isRange {
			last, err = strconv.Atoi(hi)
		}
		if err != nil || first < 0 || last < first || last >= 1024 {
			return set, fmt.Errorf("CPU list %q: %q is not a CPU or a range of CPUs", list, part)
		}
		for cpu := first; cpu <= last; cpu++ {
			set.Set(cpu)
		}
	}
	if set.Count() == 0 {
		return set, fmt.Errorf("CPU list %q names no CPU", list)
	}
	return set, nil
}

// pinProcess restricts every thread of process pid (0: this one) to the
// CPUs of list, as `taskset -a -p` does: the load generator and the server
// then do not take turns on the same cores. Threads started later inherit
// the mask from the thread that starts them.
func pinProcess(pid int, list string) error {
	set, err := parseCPUList(list)
	if err != nil {
		return err
	}
	proc := "self"
	if pid > 0 {
		proc = strconv.Itoa(pid)
	}
	tasks, err := os.ReadDir(filepath.Join("/proc", proc, "task"))
	if err != nil {
		return fmt.Errorf("pin process %s: %w", proc, err)
	}
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH { // a thread that ended meanwhile
			return fmt.Errorf("pin thread %d of process %s to CPUs %s: %w", tid, proc, list, err)
		}
	}
	return nil
}
