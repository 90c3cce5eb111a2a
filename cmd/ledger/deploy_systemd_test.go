package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// systemdUnit is the unit README's production checklist installs.
const systemdUnit = "../../deploy/systemd/ledger.service"

// TestSystemdUnitVerifies checks the shipped unit with systemd's own
// parser: a misspelt key is only a warning to systemd (the option is then
// silently missing), so any output fails the test, not just the exit status.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze := requireTool(t, "systemd-analyze")
	unit := installableUnit(t)
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestSystemdUnitIsHardened holds the unit to systemd's exposure score
// (0 best, 10 worst): the ledger needs its state directory and the network,
// nothing else, so a score above 2.0 means a hardening option was lost.
func TestSystemdUnitIsHardened(t *testing.T) {
	analyze := requireTool(t, "systemd-analyze")
	unit := installableUnit(t)
	out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=20", unit).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: exposure above 2.0 (%v)\n%s", err, out)
	}
}

// TestSystemdUnitFlagsExist parses the unit's command line with serve's
// own flags, so that renaming a flag breaks this test rather than the
// service at its next start.
func TestSystemdUnitFlagsExist(t *testing.T) {
	b, err := os.ReadFile(systemdUnit)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart=/usr/local/bin/ledger serve "); ok {
			args = strings.Fields(rest)
		}
	}
	if len(args) == 0 {
		t.Fatalf("%s: no ExecStart running ledger serve with flags", systemdUnit)
	}
	fs, _ := serveFlags(io.Discard)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("ExecStart flags %q: %v", args, err)
	}
	if fs.NArg() != 0 {
		t.Fatalf("ExecStart has arguments serve does not take: %q", fs.Args())
	}
}

// installableUnit copies the unit with its ExecStart pointed at an
// executable that exists here (verify checks that it does), keeping the
// unit's name.
func installableUnit(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(systemdUnit)
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "ExecStart=/usr/local/bin/ledger serve ") {
		t.Fatalf("%s: ExecStart does not run /usr/local/bin/ledger serve", systemdUnit)
	}
	unit := filepath.Join(t.TempDir(), "ledger.service")
	text := strings.ReplaceAll(string(b), "/usr/local/bin/ledger", self)
	if err := os.WriteFile(unit, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return unit
}
