// Package clamavtest starts a throw-away clamd for tests: Debian's
// clamav-daemon, with its socket, config, temporary files and signature
// database in temporary directories. The database holds one signature, in
// ClamAV's own format, for the EICAR test file: this machine cannot fetch
// the official databases (production runs freshclam for them), and a
// body signature matches EICAR inside an email's parts too. Under CI=true
// a clamd that cannot start fails the test instead of skipping it (the
// test command installs the package).
package clamavtest

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/internal/clamav"
)

// Signature is what clamd reports for EICAR: the name in the local
// database, with the suffix clamd gives signatures of unofficial
// databases.
const Signature = "Ledger.Test.EICAR.UNOFFICIAL"

// StreamMaxLength is the largest content the test clamd scans: above the
// ledger's attachment limits.
const StreamMaxLength = 64 << 20

// EICAR is the EICAR anti-virus test file, 68 bytes that every scanner
// detects and that do no harm. It is put together here so that the
// repository holds no copy a scanner would flag.
func EICAR() []byte {
	parts := []string{`X5O!P%@AP[4\PZX54(P^)7CC)7}$`, "EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!", "$H+H*"}
	return []byte(strings.Join(parts, ""))
}

// Server is a running clamd.
type Server struct {
	t       testing.TB
	dir     string // config, database, temporary files and log
	sockDir string // short, for the socket path's 108-byte limit
	tcpPort int
	started time.Duration

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd was waited for
}

// Start starts clamd, waits until it answers PING and kills it when the
// test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary()
	if bin == "" {
		unavailable(t, "no clamd on PATH nor in /usr/sbin (make test-deps installs Debian's clamav-daemon)")
	}
	sockDir, err := os.MkdirTemp("", "clamd-")
	if err != nil {
		t.Fatalf("clamd socket directory: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(sockDir) })
	s := &Server{t: t, dir: t.TempDir(), sockDir: sockDir, tcpPort: freePort(t)}
	if err := s.writeConfig(); err != nil {
		t.Fatalf("clamd config: %v", err)
	}
	t.Cleanup(s.Kill)
	begin := time.Now()
	if err := s.start(bin); err != nil {
		unavailable(t, err.Error())
	}
	s.started = time.Since(begin)
	t.Logf("clamd answered PING %s after it was started, with a one-signature database", s.started.Round(time.Millisecond))
	return s
}

// Addr is clamd's unix socket, as clamav.New takes it.
func (s *Server) Addr() string { return "unix://" + filepath.Join(s.sockDir, "clamd.sock") }

// TCPAddr is clamd's loopback TCP address, as clamav.New takes it.
func (s *Server) TCPAddr() string { return fmt.Sprintf("tcp://127.0.0.1:%d", s.tcpPort) }

// Client is a client of the server's unix socket.
func (s *Server) Client() *clamav.Client {
	c, err := clamav.New(s.Addr())
	if err != nil {
		s.t.Fatalf("clamd client: %v", err)
	}
	return c
}

// StartTime is how long clamd took from its start to its first PONG.
func (s *Server) StartTime() time.Duration { return s.started }

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("clamd unavailable under CI: %s", why)
	}
	t.Skipf("clamd unavailable: %s", why)
}

func binary() string {
	if p, err := exec.LookPath("clamd"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/clamd"); err == nil {
		return "/usr/sbin/clamd" // a PATH without sbin
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeConfig writes clamd.conf and the database of one body signature
// (.ndb: name, any target type, any offset, the bytes in hex).
func (s *Server) writeConfig() error {
	db, tmp := filepath.Join(s.dir, "db"), filepath.Join(s.dir, "tmp")
	for _, d := range []string{db, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	name := strings.TrimSuffix(Signature, ".UNOFFICIAL")
	ndb := fmt.Sprintf("%s:0:*:%s\n", name, hex.EncodeToString(EICAR()))
	if err := os.WriteFile(filepath.Join(db, "ledger-test.ndb"), []byte(ndb), 0o644); err != nil {
		return err
	}
	config := strings.Join([]string{
		"Foreground yes",
		"LocalSocket " + filepath.Join(s.sockDir, "clamd.sock"),
		"TCPSocket " + fmt.Sprint(s.tcpPort),
		"TCPAddr 127.0.0.1",
		"DatabaseDirectory " + db,
		"TemporaryDirectory " + tmp,
		"LogFile " + filepath.Join(s.dir, "clamd.log"),
		"PidFile " + filepath.Join(s.dir, "clamd.pid"),
		fmt.Sprintf("StreamMaxLength %dM", StreamMaxLength>>20),
		"SelfCheck 0",
		"",
	}, "\n")
	return os.WriteFile(filepath.Join(s.dir, "clamd.conf"), []byte(config), 0o644)
}

// start runs clamd and waits until it answers a ping.
func (s *Server) start(bin string) error {
	cmd := exec.Command(bin, "--config-file="+filepath.Join(s.dir, "clamd.conf"))
	out, err := os.OpenFile(filepath.Join(s.dir, "clamd.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr, cmd.Dir = out, out, s.dir
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("start %s: %w", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); out.Close(); close(done) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, done
	s.mu.Unlock()
	client, err := clamav.New(s.Addr())
	if err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("clamd exited at start: %s", s.logTail())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := client.Ping(ctx)
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("clamd did not answer within 60s: %s", s.logTail())
}

func (s *Server) logTail() string {
	var lines []string
	for _, f := range []string{"clamd.out", "clamd.log"} {
		b, _ := os.ReadFile(filepath.Join(s.dir, f))
		lines = append(lines, strings.Split(strings.TrimSpace(string(b)), "\n")...)
	}
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}

// Kill stops clamd with SIGKILL, as a crash would, and waits until it has
// exited: its socket no longer answers, and its files can be removed.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		s.t.Errorf("clamd (pid %d) did not exit within 10s of SIGKILL", cmd.Process.Pid)
	}
}
