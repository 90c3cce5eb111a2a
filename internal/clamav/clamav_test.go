package clamav_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/internal/clamav"
	"github.com/interactionledger/ledger/internal/clamav/clamavtest"
)

func TestNewChecksTheAddress(t *testing.T) {
	for _, c := range []struct {
		addr string
		ok   bool
	}{
		{"unix:///run/clamav/clamd.ctl", true},
		{"tcp://127.0.0.1:3310", true},
		{"tcp://clamav.internal", true},
		{"tcp://[::1]:3310", true},
		{"unix://run/clamav/clamd.ctl", false}, // a host, not a path
		{"unix:relative.sock", false},
		{"unix:///run/clamav/", false},
		{"tcp://:3310", false},
		{"tcp://host:", false},
		{"tcp://host:3310/path", false},
		{"tcp://user:pw@host:3310", false},
		{"tcp://host:3310?x=1", false},
		{"http://host:3310", false},
		{"/run/clamav/clamd.ctl", false},
		{"host:3310", false},
		{"", false},
	} {
		_, err := clamav.New(c.addr)
		if (err == nil) != c.ok {
			t.Errorf("New(%q): %v, want ok=%v", c.addr, err, c.ok)
		}
	}
}

func TestParseReply(t *testing.T) {
	for _, c := range []struct {
		reply, sig string
		err        error
	}{
		{"stream: OK", "", nil},
		{"stream: OK\n", "", nil},
		{"stream: Win.Test.EICAR_HDB-1 FOUND", "Win.Test.EICAR_HDB-1", nil},
		{"stream: Ledger.Test.EICAR.UNOFFICIAL FOUND\n", "Ledger.Test.EICAR.UNOFFICIAL", nil},
		{"INSTREAM size limit exceeded. ERROR", "", clamav.ErrSizeLimit},
		{"stream: Can't allocate memory ERROR", "", &clamav.ServerError{}},
		{"UNKNOWN COMMAND", "", &clamav.ServerError{}},
		{"COMMAND READ TIMED OUT", "", &clamav.ServerError{}},
		{"", "", clamav.ErrMalformedReply},
		{"PONG", "", clamav.ErrMalformedReply},
		{"stream: FOUND", "", clamav.ErrMalformedReply},
		{"stream:  FOUND", "", clamav.ErrMalformedReply},
		{"stream: a\x1bb FOUND", "", clamav.ErrMalformedReply},
		{"stream: \xff FOUND", "", clamav.ErrMalformedReply},
		{"stream: " + strings.Repeat("x", 300) + " FOUND", "", clamav.ErrMalformedReply},
		{"stream: OK FOUND junk", "", clamav.ErrMalformedReply},
		{"1: stream: OK", "", clamav.ErrMalformedReply}, // a session reply: this client has none
	} {
		sig, err := clamav.ParseReply(c.reply)
		if sig != c.sig {
			t.Errorf("ParseReply(%q) = %q, want %q", c.reply, sig, c.sig)
		}
		var serverErr *clamav.ServerError
		switch want := c.err.(type) {
		case nil:
			if err != nil {
				t.Errorf("ParseReply(%q): %v", c.reply, err)
			}
		case *clamav.ServerError:
			if !errors.As(err, &serverErr) {
				t.Errorf("ParseReply(%q): %v, want a ServerError", c.reply, err)
			}
		default:
			if !errors.Is(err, want) {
				t.Errorf("ParseReply(%q): %v, want %v", c.reply, err, want)
			}
		}
	}
}

// FuzzParseReply: whatever clamd (or whatever answers in its place)
// sends, the parser returns exactly one of clean, a signature that was in
// the reply and is safe to log, or an error, and never panics.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR", "UNKNOWN COMMAND", "stream: x ERROR", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		sig, err := clamav.ParseReply(reply)
		if err != nil {
			if sig != "" {
				t.Fatalf("ParseReply(%q) = %q with an error %v", reply, sig, err)
			}
			return
		}
		if sig == "" {
			if strings.TrimRight(reply, "\r\n") != "stream: OK" {
				t.Fatalf("ParseReply(%q) is clean", reply)
			}
			return
		}
		if !strings.Contains(reply, "stream: "+sig+" FOUND") || strings.ContainsAny(sig, "\x00\n\r") || len(sig) > 256 {
			t.Fatalf("ParseReply(%q) = signature %q", reply, sig)
		}
	})
}

// TestScanWithClamd scans through a real clamd over both transports:
// clean content, EICAR alone, across a chunk boundary and inside a
// base64 email part, nothing at all, and content over clamd's limit.
func TestScanWithClamd(t *testing.T) {
	srv := clamavtest.Start(t)
	for _, addr := range []string{srv.Addr(), srv.TCPAddr()} {
		t.Run(strings.SplitN(addr, ":", 2)[0], func(t *testing.T) {
			c, err := clamav.New(addr)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Ping(t.Context()); err != nil {
				t.Fatal(err)
			}
			eicar := clamavtest.EICAR()
			acrossChunks := append(bytes.Repeat([]byte{'a'}, 64<<10-30), eicar...)
			email := "From: a@example.com\r\nTo: b@example.com\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
				"--b1\r\nContent-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
				base64.StdEncoding.EncodeToString(eicar) + "\r\n--b1--\r\n"
			for _, s := range []struct {
				name    string
				content []byte
				want    string
			}{
				{"clean", []byte("%PDF-1.7 an invoice"), ""},
				{"empty", nil, ""},
				{"eicar", eicar, clamavtest.Signature},
				{"eicar across chunks", acrossChunks, clamavtest.Signature},
				{"eicar in an email part", []byte(email), clamavtest.Signature},
				{"clean 1 MiB", bytes.Repeat([]byte("0123456789abcdef"), 1<<16), ""},
			} {
				sig, err := c.Scan(t.Context(), bytes.NewReader(s.content))
				if err != nil || sig != s.want {
					t.Errorf("scan %s: %q, %v; want %q", s.name, sig, err, s.want)
				}
			}
			// clamd answers and hangs up while the content is still
			// coming: the answer is read all the same.
			_, err = c.Scan(t.Context(), io.LimitReader(zeros{}, clamavtest.StreamMaxLength+1))
			if !errors.Is(err, clamav.ErrSizeLimit) {
				t.Errorf("scan %d bytes: %v, want ErrSizeLimit", clamavtest.StreamMaxLength+1, err)
			}
			// and at the limit it scans.
			if sig, err := c.Scan(t.Context(), io.LimitReader(zeros{}, clamavtest.StreamMaxLength)); err != nil || sig != "" {
				t.Errorf("scan %d bytes: %q, %v", clamavtest.StreamMaxLength, sig, err)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	c, err := clamav.New("unix://" + filepath.Join(t.TempDir(), "none.sock"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(t.Context()); !errors.Is(err, clamav.ErrUnavailable) {
		t.Errorf("ping nothing: %v, want ErrUnavailable", err)
	}
	if _, err := c.Scan(t.Context(), strings.NewReader("x")); !errors.Is(err, clamav.ErrUnavailable) {
		t.Errorf("scan with nothing: %v, want ErrUnavailable", err)
	}
}

// TestScanAgainstFakes: a daemon that hangs, closes without answering,
// answers nonsense or dies halfway; and a content reader that fails.
func TestScanAgainstFakes(t *testing.T) {
	t.Run("hangs: the context ends the scan", func(t *testing.T) {
		c := fake(t, func(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) })
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Scan(ctx, strings.NewReader("x"))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("scan with a hung clamd: %v after %s, want the deadline at once", err, time.Since(start))
		}
		if err := c.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("ping a hung clamd after the deadline: %v", err)
		}
	})
	t.Run("closes without answering", func(t *testing.T) {
		c := fake(t, func(conn net.Conn) { _ = readStream(conn) })
		if _, err := c.Scan(t.Context(), strings.NewReader("x")); !errors.Is(err, clamav.ErrUnavailable) {
			t.Errorf("scan: %v, want ErrUnavailable", err)
		}
	})
	t.Run("answers nonsense", func(t *testing.T) {
		c := fake(t, func(conn net.Conn) { _ = readStream(conn); _, _ = conn.Write([]byte("stream: \x07 FOUND\x00")) })
		if _, err := c.Scan(t.Context(), strings.NewReader("x")); !errors.Is(err, clamav.ErrMalformedReply) {
			t.Errorf("scan: %v, want ErrMalformedReply", err)
		}
	})
	t.Run("answers without end", func(t *testing.T) {
		c := fake(t, func(conn net.Conn) { _ = readStream(conn); _, _ = io.Copy(conn, zeros1{}) })
		if _, err := c.Scan(t.Context(), strings.NewReader("x")); !errors.Is(err, clamav.ErrMalformedReply) {
			t.Errorf("scan: %v, want ErrMalformedReply", err)
		}
	})
	t.Run("the content fails", func(t *testing.T) {
		c := fake(t, func(conn net.Conn) { _ = readStream(conn); _, _ = conn.Write([]byte("stream: OK\x00")) })
		boom := errors.New("boom")
		_, err := c.Scan(t.Context(), io.MultiReader(strings.NewReader("part"), errReader{boom}))
		if !errors.Is(err, boom) || errors.Is(err, clamav.ErrUnavailable) {
			t.Errorf("scan a failing reader: %v, want its error and not ErrUnavailable", err)
		}
	})
}

// TestScanStreamsInChunks: the content reaches clamd in INSTREAM chunks
// of at most 64 KiB, whole and in order, ended by an empty chunk.
func TestScanStreamsInChunks(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789"), 50_000)
	got := make(chan []int, 1)
	var received bytes.Buffer
	c := fake(t, func(conn net.Conn) {
		sizes, data, err := readChunks(conn)
		if err != nil {
			t.Error(err)
		}
		received.Write(data)
		got <- sizes
		_, _ = conn.Write([]byte("stream: OK\x00"))
	})
	if sig, err := c.Scan(t.Context(), bytes.NewReader(content)); err != nil || sig != "" {
		t.Fatalf("scan: %q, %v", sig, err)
	}
	sizes := <-got
	if !bytes.Equal(received.Bytes(), content) {
		t.Errorf("clamd received %d bytes, not the %d sent", received.Len(), len(content))
	}
	for _, n := range sizes {
		if n > 64<<10 {
			t.Errorf("a chunk of %d bytes", n)
		}
	}
	if len(sizes) < len(content)/(64<<10) {
		t.Errorf("%d chunks for %d bytes", len(sizes), len(content))
	}
}

// BenchmarkScanClean16MiB is the scan throughput of clean content through
// the real clamd (run with -benchtime=1x).
func BenchmarkScanClean16MiB(b *testing.B) {
	c := clamavtest.Start(b).Client()
	const size = 16 << 20
	b.SetBytes(size)
	for b.Loop() {
		sig, err := c.Scan(b.Context(), io.LimitReader(text{}, size))
		if err != nil || sig != "" {
			b.Fatalf("scan: %q, %v", sig, err)
		}
	}
}

// fake serves one handler per connection on a unix socket and returns a
// client of it.
func fake(t *testing.T, handle func(net.Conn)) *clamav.Client {
	t.Helper()
	dir, err := os.MkdirTemp("", "fakeclamd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer conn.Close(); handle(conn) }()
		}
	}()
	c, err := clamav.New("unix://" + sock)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readStream reads an INSTREAM command and its chunks.
func readStream(r io.Reader) error {
	_, _, err := readChunks(r)
	return err
}

func readChunks(r io.Reader) (sizes []int, data []byte, err error) {
	cmd := make([]byte, len("zINSTREAM\x00"))
	if _, err := io.ReadFull(r, cmd); err != nil || string(cmd) != "zINSTREAM\x00" {
		return nil, nil, fmt.Errorf("command %q: %v", cmd, err)
	}
	for {
		var n uint32
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return sizes, data, err
		}
		if n == 0 {
			return sizes, data, nil
		}
		sizes = append(sizes, int(n))
		chunk := make([]byte, n)
		if _, err := io.ReadFull(r, chunk); err != nil {
			return sizes, data, err
		}
		data = append(data, chunk...)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// zeros1 is endless non-NUL bytes.
type zeros1 struct{}

func (zeros1) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// text is endless clean text, closer to a document than zeros.
type text struct{}

func (text) Read(p []byte) (int, error) {
	const line = "Invoice 2026-0042: 3 items, total 118.00 EUR, due in 30 days.\n"
	for i := range p {
		p[i] = line[i%len(line)]
	}
	return len(p), nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
