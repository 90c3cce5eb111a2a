package s3test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how Start gave up instead of
// ending the calling test.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

type stop struct{}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	panic(stop{})
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	panic(stop{})
}

// startWithout starts with no weed on PATH nor in GOPATH/bin.
func startWithout(t *testing.T, ci string) *recorder {
	t.Helper()
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("CI", ci)
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		Start(r)
	}()
	return r
}

// TestNoWeedFailsUnderCI: under CI=true a missing weed fails the test
// (the test command builds it); elsewhere it skips.
func TestNoWeedFailsUnderCI(t *testing.T) {
	if r := startWithout(t, "true"); !r.failed || r.skipped || !strings.Contains(r.msg, "no weed") {
		t.Fatalf("CI=true: failed=%v skipped=%v (%s), want a failure saying no weed", r.failed, r.skipped, r.msg)
	}
	if r := startWithout(t, ""); !r.skipped || r.failed {
		t.Fatalf("outside CI: failed=%v skipped=%v (%s), want a skip", r.failed, r.skipped, r.msg)
	}
}

// TestWeedInGOPATHBin: weed is found in GOPATH/bin when it is not on PATH.
func TestWeedInGOPATHBin(t *testing.T) {
	gopath := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOPATH", gopath)
	want := filepath.Join(gopath, "bin", "weed")
	if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(want, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := binary(); err != nil || got != want {
		t.Fatalf("binary() = %q, %v; want %q", got, err, want)
	}
}

// TestStartServesSignedRequestsOnly: the server started answers requests
// signed with its identity, and refuses unsigned ones.
func TestStartServesSignedRequestsOnly(t *testing.T) {
	s := Start(t)
	exists, err := s.Client().BucketExists(t.Context(), s.Bucket)
	if err != nil || !exists {
		t.Fatalf("bucket %s: exists=%v, %v", s.Bucket, exists, err)
	}
	resp, err := http.Get("http://" + s.Endpoint + "/" + s.Bucket + "?list-type=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an unsigned listing of the bucket: %s, want 403 Forbidden", resp.Status)
	}
}
