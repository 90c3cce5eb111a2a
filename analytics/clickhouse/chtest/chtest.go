// Package chtest starts a throw-away ClickHouse server for tests: Debian's
// clickhouse-server (18.16) or a newer single `clickhouse` binary, on free
// loopback ports, with its data and a minimal config in a temporary
// directory. Under CI=true a server that cannot start fails the test
// instead of skipping it (the test command installs the package).
package chtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// Server is a running test server.
type Server struct {
	t        testing.TB
	dir      string
	bin      []string
	tcpPort  int
	httpPort int

	mu  sync.Mutex
	cmd *exec.Cmd
}

// DSN is the server's native-protocol address for clickhouse-go.
func (s *Server) DSN() string { return fmt.Sprintf("clickhouse://127.0.0.1:%d/default", s.tcpPort) }

// Start starts a server and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary()
	if bin == nil {
		unavailable(t, "no clickhouse-server or clickhouse binary on PATH (make test-deps installs Debian's clickhouse-server)")
	}
	s := &Server{t: t, dir: t.TempDir(), bin: bin, tcpPort: freePort(t), httpPort: freePort(t)}
	if err := s.writeConfig(); err != nil {
		t.Fatalf("clickhouse config: %v", err)
	}
	if err := s.start(); err != nil {
		unavailable(t, err.Error())
	}
	t.Cleanup(s.Kill)
	return s
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("ClickHouse unavailable under CI: %s", why)
	}
	t.Skipf("ClickHouse unavailable: %s", why)
}

func binary() []string {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return []string{p}
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return []string{p, "server"}
	}
	return nil
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

// writeConfig writes the smallest config both 18.16 and current servers
// accept: loopback only, the default user without password, data under
// the test's directory.
func (s *Server) writeConfig() error {
	data, tmp := filepath.Join(s.dir, "data")+"/", filepath.Join(s.dir, "tmp")+"/"
	config := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <tcp_port>%d</tcp_port>
  <http_port>%d</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>%s</path>
  <tmp_path>%s</tmp_path>
  <user_files_path>%s</user_files_path>
  <format_schema_path>%s</format_schema_path>
  <users_config>%s</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <timezone>UTC</timezone>
</yandex>
`, s.tcpPort, s.httpPort, data, tmp, filepath.Join(s.dir, "user_files")+"/", filepath.Join(s.dir, "format_schemas")+"/", filepath.Join(s.dir, "users.xml"))
	users := `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`
	for _, d := range []string{data, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(s.dir, "config.xml"), []byte(config), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dir, "users.xml"), []byte(users), 0o644)
}

// start runs the server and waits until it answers a ping.
func (s *Server) start() error {
	args := append(append([]string{}, s.bin[1:]...), "--config-file="+filepath.Join(s.dir, "config.xml"))
	cmd := exec.Command(s.bin[0], args...)
	log, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr, cmd.Dir = log, log, s.dir
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", s.bin[0], err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(done) }()
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("clickhouse exited at start: %s", s.logTail())
		default:
		}
		if s.ping() == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("clickhouse did not answer within 60s: %s", s.logTail())
}

func (s *Server) ping() error {
	conn, err := ch.Open(&ch.Options{Addr: []string{fmt.Sprintf("127.0.0.1:%d", s.tcpPort)}, DialTimeout: time.Second})
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return conn.Ping(ctx)
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}

// Kill stops the server with SIGKILL, as a crash would.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	for i := 0; i < 100 && s.ping() == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
}

// Pause stops the server with SIGSTOP: it holds its connections and
// answers nothing, as a server that hangs would, until Resume.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		s.t.Fatalf("clickhouse is not running: no %s", sig)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("clickhouse %s: %v", sig, err)
	}
}

// Restart starts the server again on the same data and ports (after
// Kill).
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("restart clickhouse: %v", err)
	}
}
