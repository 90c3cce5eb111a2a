package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	cases := []struct {
		list string
		want []int
		bad  bool
	}{
		{list: "1", want: []int{1}},
		{list: "0,2", want: []int{0, 2}},
		{list: "0-3", want: []int{0, 1, 2, 3}},
		{list: " 1 , 3-4", want: []int{1, 3, 4}},
		{list: "", bad: true},
		{list: "a", bad: true},
		{list: "3-1", bad: true},
		{list: "-1", bad: true},
		{list: "0,", bad: true},
		{list: "4096", bad: true},
	}
	for _, tc := range cases {
		set, err := parseCPUList(tc.list)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: accepted", tc.list)
			}
			continue
		}
		if err != nil || set.Count() != len(tc.want) {
			t.Errorf("%q: %d CPUs, %v; want %v", tc.list, set.Count(), err, tc.want)
			continue
		}
		for _, cpu := range tc.want {
			if !set.IsSet(cpu) {
				t.Errorf("%q: CPU %d not set", tc.list, cpu)
			}
		}
	}
}

// TestPinProcess pins a child process to CPU 0 and reads its affinity
// back from /proc, every thread of it.
func TestPinProcess(t *testing.T) {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	if err := pinProcess(child.Process.Pid, "0"); err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(child.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "Cpus_allowed_list:\t0\n") {
		t.Fatalf("the pinned process is allowed on other CPUs:\n%s", status)
	}
	if err := pinProcess(child.Process.Pid, "x"); err == nil {
		t.Fatal("a bad CPU list was accepted")
	}
}

// TestProcStatus reads this process's own status fields.
func TestProcStatus(t *testing.T) {
	v, err := procStatus(os.Getpid(), "VmHWM", "RssAnon", "RssFile")
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"VmHWM", "RssAnon", "RssFile"} {
		if !strings.HasSuffix(v[i], " kB") {
			t.Errorf("%s = %q, want a size in kB", name, v[i])
		}
	}
	if _, err := procStatus(os.Getpid(), "NoSuchField"); err == nil {
		t.Error("a missing field was not reported")
	}
}
