package sqlitesnap

import (
	"database/sql"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestSnapshotWhileWriting copies a WAL database while another connection
// commits rows one by one: the copy passes SQLite's integrity check and
// holds a gap-free prefix of what was committed (a consistent moment),
// and a second snapshot to the same file is refused.
func TestSnapshotWhileWriting(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	w, err := sql.Open("sqlite", uri(src, "_pragma=journal_mode(WAL)", "_pragma=busy_timeout(10000)"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(`CREATE TABLE rows (n INTEGER PRIMARY KEY, pad TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var committed atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for n := int64(1); ; n++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := w.Exec(`INSERT INTO rows (n, pad) VALUES (?, printf('%.500c', 'x'))`, n); err != nil {
				done <- err
				return
			}
			committed.Store(n)
		}
	}()
	for committed.Load() < 200 {
		time.Sleep(time.Millisecond)
	}
	dst := filepath.Join(dir, "copy.db")
	err = Snapshot(t.Context(), src, dst)
	during := committed.Load()
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(dst); err != nil {
		t.Fatal(err)
	} else if info.Mode().Perm() != 0o600 {
		t.Fatalf("the copy's mode is %v, want 0600", info.Mode().Perm())
	}
	c, err := sql.Open("sqlite", uri(dst))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var check string
	if err := c.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the copy: %q, %v", check, err)
	}
	var count, maxN int64
	if err := c.QueryRow(`SELECT count(*), coalesce(max(n), 0) FROM rows`).Scan(&count, &maxN); err != nil {
		t.Fatal(err)
	}
	if count < 200 || count != maxN || count > during+1 {
		t.Fatalf("copy holds %d rows up to %d; want a gap-free prefix of at least 200 and at most %d", count, maxN, during+1)
	}
	if err := Snapshot(t.Context(), src, dst); err == nil {
		t.Fatal("a snapshot over an existing file succeeded")
	}
}
