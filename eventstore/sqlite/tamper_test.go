package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

// seedLedger writes 60 events over 4 streams to a new file and returns its
// path and the events as stored.
func seedLedger(t *testing.T) (string, []eventstore.RecordedEvent) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.db")
	s := openAt(t, path)
	ctx := context.Background()
	for i := range 60 {
		e := eventstore.EventData{ID: uuid.New(), Type: "MessageReceived", Schema: 1,
			Data:     fmt.Appendf(nil, `{"body":"message number %d","n":%d}`, i, i),
			Metadata: []byte(`{"channel":"sms"}`)}
		if _, err := s.Append(ctx, fmt.Sprintf("interaction-%d", i%4), eventstore.Any, []eventstore.EventData{e}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ReadAll(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, all
}

// tamper runs SQL directly on the file, as someone with the file would,
// dropping the append-only triggers first.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts = append([]string{"DROP TRIGGER events_no_update", "DROP TRIGGER events_no_delete",
		"DROP TRIGGER streams_no_update", "DROP TRIGGER streams_no_delete"}, stmts...)
	for _, q := range stmts {
		res, err := db.Exec(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); strings.HasPrefix(q, "UPDATE") || strings.HasPrefix(q, "DELETE") {
			if n != 1 {
				t.Fatalf("%s changed %d rows, want 1", q, n)
			}
		}
	}
}

func TestVerifyNamesTamperedEvent(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		// bad is the position Verify must name; reason a word its reason
		// must contain.
		bad    uint64
		reason string
	}{
		{"one byte of data", `UPDATE events SET data = replace(data, 'number 16', 'number 1X') WHERE position = 17`, 17, "hash mismatch"},
		{"metadata", `UPDATE events SET metadata = '{"channel":"email"}' WHERE position = 23`, 23, "hash mismatch"},
		{"type", `UPDATE events SET type = 'MessageSent' WHERE position = 30`, 30, "hash mismatch"},
		{"schema", `UPDATE events SET schema = 2 WHERE position = 31`, 31, "hash mismatch"},
		{"recorded_at", `UPDATE events SET recorded_at = '2020-01-01T00:00:00Z' WHERE position = 41`, 41, "hash mismatch"},
		{"stream", `UPDATE events SET stream = 'interaction-9' WHERE position = 45`, 45, "version gap"},
		// The event is gone; the next one in $all shows the gap.
		{"deleted event", `DELETE FROM events WHERE position = 12`, 13, "position gap"},
		// Data and hash rewritten together: the event itself checks out,
		// the next event of its stream (position 24) no longer links to it.
		{"data and hash rewritten", `UPDATE events SET data = '{"body":"forged","n":19}', hash = 'forged' WHERE position = 20`, 20, "hash mismatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, before := seedLedger(t)
			tamper(t, path, tc.sql)
			s := openAt(t, path)
			rep, err := eventstore.Verify(context.Background(), s, nil)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if rep.OK || rep.FirstBad == nil {
				t.Fatalf("verify passed a tampered ledger: %+v", rep)
			}
			bad := rep.FirstBad
			want := before[tc.bad-1]
			if bad.Position != tc.bad || bad.ID != want.ID {
				t.Fatalf("verify named position %d id %s (%s), want position %d id %s", bad.Position, bad.ID, bad.Reason, tc.bad, want.ID)
			}
			if !strings.Contains(bad.Reason, tc.reason) {
				t.Fatalf("reason %q does not mention %q", bad.Reason, tc.reason)
			}
			if rep.CheckedEvents != tc.bad-boolToUint(tc.name == "deleted event") {
				t.Fatalf("checked %d events before stopping, want %d", rep.CheckedEvents, tc.bad)
			}
		})
	}
}

// TestVerifyNamesMisfiledEvent: the hash chain covers events.stream, not
// stream_id or the streams table that ReadStream finds a stream's events
// through. Moving an event to another stream number, or renaming a
// stream, would hide events from ReadStream while every chain still
// checks out; verify names the first event affected.
func TestVerifyNamesMisfiledEvent(t *testing.T) {
	cases := []struct {
		name string
		sql  []string
		bad  uint64
	}{
		// Position 17 is interaction-0's version 4.
		{"stream_id changed", []string{`UPDATE events SET stream_id = stream_id + 100 WHERE position = 17`}, 17},
		{"moved to a new stream", []string{
			`INSERT INTO streams (name) VALUES ('interaction-hidden')`,
			`UPDATE events SET stream_id = (SELECT id FROM streams WHERE name = 'interaction-hidden') WHERE position = 17`}, 17},
		// interaction-1's first event is at position 2.
		{"stream renamed", []string{`UPDATE streams SET name = 'interaction-9' WHERE name = 'interaction-1'`}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, before := seedLedger(t)
			tamper(t, path, tc.sql...)
			s := openAt(t, path)
			rep, err := eventstore.Verify(context.Background(), s, nil)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if rep.OK || rep.FirstBad == nil {
				t.Fatalf("verify passed a misfiled ledger: %+v", rep)
			}
			bad, want := rep.FirstBad, before[tc.bad-1]
			if bad.Position != tc.bad || bad.ID != want.ID || bad.Stream != want.Stream || rep.CheckedEvents != tc.bad {
				t.Fatalf("verify named position %d id %s on %s after %d events (%s), want position %d id %s on %s",
					bad.Position, bad.ID, bad.Stream, rep.CheckedEvents, bad.Reason, tc.bad, want.ID, want.Stream)
			}
			if !strings.Contains(bad.Reason, "stream_id") {
				t.Fatalf("reason %q does not mention stream_id", bad.Reason)
			}
		})
	}
}

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// TestVerifyCatchesRehashedEvent: an attacker who recomputes the hash of
// the event they changed breaks the link from the next event of the
// stream.
func TestVerifyCatchesRehashedEvent(t *testing.T) {
	path, before := seedLedger(t)
	e := before[19] // position 20, stream interaction-3; next in stream: 24
	e.Data = []byte(`{"body":"forged","n":19}`)
	forged := eventstore.ComputeHash(e.PrevHash, e)
	tamper(t, path, fmt.Sprintf(`UPDATE events SET data = '%s', hash = '%s' WHERE position = 20`, e.Data, forged))
	s := openAt(t, path)
	rep, err := eventstore.Verify(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.FirstBad.Position != 24 || rep.FirstBad.ID != before[23].ID || !strings.Contains(rep.FirstBad.Reason, "prev_hash") {
		t.Fatalf("verify = %+v, want position 24 named for a broken prev_hash link", rep.FirstBad)
	}
}

// TestVerifyRefusesRewrittenTime: the same instant written differently is
// not what was hashed; reading it fails and names the position.
func TestVerifyRefusesRewrittenTime(t *testing.T) {
	path, _ := seedLedger(t)
	tamper(t, path, `UPDATE events SET recorded_at = replace(recorded_at, 'Z', '+00:00') WHERE position = 8`)
	s := openAt(t, path)
	_, err := eventstore.Verify(context.Background(), s, nil)
	if err == nil || !strings.Contains(err.Error(), "position 8") {
		t.Fatalf("verify = %v, want an error naming position 8", err)
	}
}

// TestEventsAreAppendOnly: the schema refuses updates and deletes.
func TestEventsAreAppendOnly(t *testing.T) {
	path, _ := seedLedger(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`UPDATE events SET data = '{}' WHERE position = 1`, `DELETE FROM events WHERE position = 1`,
		`UPDATE streams SET name = 'renamed' WHERE id = 1`, `DELETE FROM streams WHERE id = 1`} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Fatalf("%s: err = %v, want the immutability trigger to refuse", q, err)
		}
	}
}

// TestAuditorCanReadWithSQLiteCLI opens the file with the sqlite3 tool.
func TestAuditorCanReadWithSQLiteCLI(t *testing.T) {
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sqlite3 command-line tool not found (Debian package sqlite3)")
		}
		t.Skip("sqlite3 command-line tool not installed")
	}
	path, before := seedLedger(t)
	out, err := exec.Command(bin, "-readonly", path,
		`SELECT count(*), min(position), max(position), sum(typeof(data) = 'text') FROM events;`,
		`SELECT event_id, stream, version, data FROM events WHERE position = 17;`,
		// The README's way to read one stream: by its number.
		`SELECT group_concat(position) FROM (SELECT position FROM events
			WHERE stream_id = (SELECT id FROM streams WHERE name = 'interaction-1') ORDER BY version);`,
		`PRAGMA integrity_check;`).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	e := before[16]
	var positions []string
	for _, ev := range before {
		if ev.Stream == "interaction-1" {
			positions = append(positions, fmt.Sprint(ev.Position))
		}
	}
	want := fmt.Sprintf("60|1|60|60\n%s|%s|%d|%s\n%s\nok\n", e.ID, e.Stream, e.Version, e.Data, strings.Join(positions, ","))
	if string(out) != want {
		t.Fatalf("sqlite3 printed\n%s\nwant\n%s", out, want)
	}
}

// TestStreamsAreIndexedByNumber: events are found by stream number, and
// the stream name is indexed once, in streams: an index on events.stream
// would take every append at a random place (see the migration).
func TestStreamsAreIndexedByNumber(t *testing.T) {
	path, _ := seedLedger(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT l.name, group_concat(i.name) FROM pragma_index_list('events') AS l, pragma_index_info(l.name) AS i
		GROUP BY l.name ORDER BY 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, cols string
		if err := rows.Scan(&name, &cols); err != nil {
			t.Fatal(err)
		}
		got = append(got, cols)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"event_id", "stream_id,version"}; !slices.Equal(got, want) {
		t.Fatalf("indexes on events cover %q, want %q", got, want)
	}
}
