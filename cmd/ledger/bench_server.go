package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
)

// scratchServer is a `ledger serve` a benchmark started for itself.
type scratchServer struct {
	addr  string // HOST:PORT of the public listener
	admin string // http://HOST:PORT of the admin listener
	pid   int
}

// startScratchServer runs `ledger serve` (this binary) with extraArgs on
// a scratch data directory inside dataDir (named with prefix), writing
// its CPU profile to profile if set and its further output to out. The
// returned function stops it (SIGTERM, then waits) and removes the
// directory.
func startScratchServer(ctx context.Context, dataDir, prefix string, extraArgs []string, profile string, out io.Writer) (scratchServer, func(), error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return scratchServer{}, nil, err
	}
	dir, err := os.MkdirTemp(dataDir, prefix)
	if err != nil {
		return scratchServer{}, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return scratchServer{}, nil, errors.Join(err, os.RemoveAll(dir))
	}
	// Every benchmark client comes from loopback: exempt it from the
	// per-address abuse limits, which would (rightly) cut it off.
	args := append([]string{"serve", "--data", dir, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0", "--limit-exempt", "127.0.0.0/8,::1"}, extraArgs...)
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(os.Environ(), "LEDGER_LOG_LEVEL=warn", cpuProfileEnv+"="+profile) // the last of a name wins
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return scratchServer{}, nil, errors.Join(err, os.RemoveAll(dir))
	}
	if err := cmd.Start(); err != nil {
		return scratchServer{}, nil, errors.Join(fmt.Errorf("start ledger serve: %w", err), os.RemoveAll(dir))
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
	}
	lines := bufio.NewReader(stdout)
	addr, err := serverAddress(lines, "serving on http://")
	admin := ""
	if err == nil {
		admin, err = serverAddress(lines, " on http://")
	}
	if err != nil {
		stop()
		return scratchServer{}, nil, err
	}
	go func() { _, _ = io.Copy(out, lines) }()
	return scratchServer{addr: addr, admin: "http://" + admin, pid: cmd.Process.Pid}, stop, nil
}
