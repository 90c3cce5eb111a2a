// Package s3test starts a throw-away SeaweedFS for tests: `weed server`
// with its S3 gateway on free loopback ports, its data in a temporary
// directory, and one S3 identity whose access key and secret every
// request is signed with and checked against. `weed` is looked for on
// PATH and in $(go env GOPATH)/bin (scripts/test-deps.sh builds it
// there); under CI=true a server that cannot start fails the test
// instead of skipping it.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Server is a running SeaweedFS.
type Server struct {
	Endpoint  string // host:port of the S3 gateway, plain http
	AccessKey string
	SecretKey string
	Bucket    string // created empty at start

	dir     string
	client  *minio.Client
	buckets atomic.Int64
	cmd     *exec.Cmd
	done    chan struct{}
	sockets []string // weed's unix sockets in /tmp, which a killed weed leaves
}

// Start starts a server and kills it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := binary()
	if err != nil {
		unavailable(t, err.Error())
	}
	s := &Server{dir: t.TempDir(), AccessKey: "ledger-test", SecretKey: rand.Text(), Bucket: "ledger"}
	if err := s.start(bin); err != nil {
		unavailable(t, err.Error())
	}
	t.Cleanup(s.Kill)
	return s
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("SeaweedFS unavailable under CI: %s", why)
	}
	t.Skipf("SeaweedFS unavailable: %s", why)
}

// binary finds weed on PATH or in GOPATH/bin, where `go install` and
// scripts/test-deps.sh put it.
func binary() (string, error) {
	if p, err := exec.LookPath("weed"); err == nil {
		return p, nil
	}
	p := filepath.Join(gopath(), "bin", "weed")
	if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
		return p, nil
	}
	return "", fmt.Errorf("no weed on PATH or at %s (scripts/test-deps.sh builds it)", p)
}

func gopath() string {
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.SplitList(p)[0]
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		return filepath.SplitList(strings.TrimSpace(string(out)))[0]
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go")
}

// Spec is the blob store spec of a bucket on this server, as
// blobs.OpenBackend reads it (credentials go in the environment).
func (s *Server) Spec(bucket string) string {
	return fmt.Sprintf("s3://%s?endpoint=%s&secure=false", bucket, s.Endpoint)
}

// NewBucket creates an empty bucket with a name of its own.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test-%d", s.buckets.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.client.MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("create bucket %s: %v\n%s", name, err, s.logTail())
	}
	return name
}

// Client is a client signed as the server's identity, for tests that
// look at the bucket directly.
func (s *Server) Client() *minio.Client { return s.client }

// start writes the identity, runs weed and waits until the gateway
// answers signed requests.
func (s *Server) start(bin string) error {
	config, err := json.Marshal(map[string]any{"identities": []any{map[string]any{
		"name":        "ledger",
		"credentials": []any{map[string]string{"accessKey": s.AccessKey, "secretKey": s.SecretKey}},
		"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
	}}})
	if err != nil {
		return err
	}
	configPath := filepath.Join(s.dir, "s3.json")
	if err := os.WriteFile(configPath, config, 0o600); err != nil {
		return err
	}
	ports, err := freePorts(8)
	if err != nil {
		return err
	}
	s.Endpoint = fmt.Sprintf("127.0.0.1:%d", ports[0])
	for name, port := range map[string]int{"master": ports[2], "volume": ports[4], "filer": ports[6], "s3": ports[7]} {
		s.sockets = append(s.sockets, fmt.Sprintf("/tmp/seaweedfs-%s-grpc-%d.sock", name, port))
	}
	s.client, err = minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: "us-east-1", MaxRetries: 1})
	if err != nil {
		return err
	}
	data := filepath.Join(s.dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	args := []string{
		"-logtostderr", "server",
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=200",
		fmt.Sprintf("-master.port=%d", ports[1]), fmt.Sprintf("-master.port.grpc=%d", ports[2]),
		fmt.Sprintf("-volume.port=%d", ports[3]), fmt.Sprintf("-volume.port.grpc=%d", ports[4]),
		"-filer", fmt.Sprintf("-filer.port=%d", ports[5]), fmt.Sprintf("-filer.port.grpc=%d", ports[6]),
		"-filer.localSocket=" + filepath.Join(s.dir, "filer.sock"),
		"-s3", fmt.Sprintf("-s3.port=%d", ports[0]), fmt.Sprintf("-s3.port.grpc=%d", ports[7]),
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=" + configPath,
		"-s3.localSocket=" + filepath.Join(s.dir, "s3.sock"), "-s3.autoCreateBucket=false",
	}
	cmd := exec.Command(bin, args...)
	log, err := os.Create(filepath.Join(s.dir, "weed.log"))
	if err != nil {
		return err
	}
	// One volume per bucket rather than seven, and no configuration but
	// this: the working directory and HOME are the test's.
	cmd.Env = append(os.Environ(), "HOME="+s.dir, "WEED_MASTER_VOLUME_GROWTH_COPY_1=1")
	cmd.Stdout, cmd.Stderr, cmd.Dir = log, log, s.dir
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", bin, err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(s.done) }()
	return s.waitReady()
}

// waitReady creates the bucket and waits until an object can be written
// to it: the gateway answers before the volume server has joined.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(90 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("weed exited at start:\n%s", s.logTail())
		default:
		}
		if last = s.probe(s.Bucket); last == nil {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("SeaweedFS's S3 gateway not ready within 90s (%v):\n%s", last, s.logTail())
}

func (s *Server) probe(bucket string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	exists, err := s.client.BucketExists(ctx, bucket)
	if err != nil {
		return err
	}
	if !exists {
		if err := s.client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
			return err
		}
	}
	if _, err := s.client.PutObject(ctx, bucket, "probe", strings.NewReader("ready"), 5, minio.PutObjectOptions{}); err != nil {
		return err
	}
	return s.client.RemoveObject(ctx, bucket, "probe", minio.RemoveObjectOptions{})
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		defer ln.Close() // held until all are chosen, so they differ
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "weed.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// Kill stops the server with SIGKILL, waits until it is gone and
// removes the sockets it left in /tmp.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
	for _, p := range s.sockets {
		_ = os.Remove(p)
	}
}
