// Package clamav is a client of ClamAV's scanning daemon, clamd: it checks
// that the daemon answers (PING) and streams content to it for a scan
// (zINSTREAM), over a unix socket or TCP.
//
// It is written here rather than taken from a library: the Go clients of
// clamd the module proxy serves (github.com/dutchcoders/go-clamd, last
// changed in 2017) take no context and report a scan through channels,
// and the protocol this package needs is three commands' worth.
//
// Every command opens its own connection, so a Client is safe for
// concurrent use and a daemon restarted between two scans is no matter.
package clamav

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Errors callers branch on. Each is wrapped with what was being done.
var (
	// ErrUnavailable: clamd could not be reached, or the connection broke
	// before it answered.
	ErrUnavailable = errors.New("clamd unavailable")
	// ErrSizeLimit: the content was longer than clamd's StreamMaxLength.
	ErrSizeLimit = errors.New("clamd: INSTREAM size limit exceeded")
	// ErrMalformedReply: clamd's answer was not one this client knows.
	ErrMalformedReply = errors.New("clamd: malformed reply")
)

// ServerError is an error clamd reported ("... ERROR"), other than the
// size limit.
type ServerError struct{ Message string }

func (e *ServerError) Error() string { return "clamd: " + e.Message }

// DefaultPort is clamd's TCP port, taken when a tcp:// address has none.
const DefaultPort = "3310"

// chunkSize is how much content goes in one INSTREAM chunk: the content
// streams through a buffer of this size and is never held whole.
const chunkSize = 64 << 10

// maxReply bounds what is read of clamd's answer: a reply is a line
// naming at most a signature, and a broken peer must not make the client
// read without end.
const maxReply = 4 << 10

// Client talks to one clamd.
type Client struct {
	network, address string
	addr             string
}

// New returns a client of the clamd at addr: "unix:///path/to/clamd.ctl"
// or "tcp://host[:port]" (port 3310 by default). It checks the address
// but does not connect; Ping does.
func New(addr string) (*Client, error) {
	u, err := url.Parse(addr)
	if err != nil {
		return nil, fmt.Errorf("clamd address %q: %w", addr, err)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("clamd address %q: only unix:///PATH or tcp://HOST[:PORT]", addr)
	}
	switch u.Scheme {
	case "unix":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasSuffix(u.Path, "/") {
			return nil, fmt.Errorf("clamd address %q: a unix socket is unix:///absolute/path", addr)
		}
		return &Client{network: "unix", address: u.Path, addr: addr}, nil
	case "tcp":
		if u.Path != "" || u.Hostname() == "" {
			return nil, fmt.Errorf("clamd address %q: a TCP address is tcp://HOST[:PORT]", addr)
		}
		port := u.Port()
		if port == "" {
			if strings.HasSuffix(u.Host, ":") {
				return nil, fmt.Errorf("clamd address %q: empty port", addr)
			}
			port = DefaultPort
		}
		return &Client{network: "tcp", address: net.JoinHostPort(u.Hostname(), port), addr: addr}, nil
	default:
		return nil, fmt.Errorf("clamd address %q: the scheme must be unix or tcp", addr)
	}
}

// String is the address the client was made with.
func (c *Client) String() string { return c.addr }

// Ping checks that clamd answers.
func (c *Client) Ping(ctx context.Context) error {
	conn, stop, err := c.dial(ctx)
	if err != nil {
		return fmt.Errorf("ping clamd at %s: %w", c.addr, err)
	}
	defer stop()
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return fmt.Errorf("ping clamd at %s: %w", c.addr, c.broken(ctx, err))
	}
	reply, err := readReply(conn)
	if err != nil {
		return fmt.Errorf("ping clamd at %s: %w", c.addr, c.broken(ctx, err))
	}
	if reply != "PONG" {
		return fmt.Errorf("ping clamd at %s: %w: %q", c.addr, ErrMalformedReply, reply)
	}
	return nil
}

// Scan streams r to clamd to its end and returns the name of the
// signature it matched: "" when the content is clean. Errors wrap
// ErrUnavailable, ErrSizeLimit, ErrMalformedReply, a *ServerError, the
// context's error, or r's own read error. The end of ctx interrupts the
// exchange with clamd, not a read of r that blocks: r's owner ends that.
func (c *Client) Scan(ctx context.Context, r io.Reader) (string, error) {
	conn, stop, err := c.dial(ctx)
	if err != nil {
		return "", fmt.Errorf("scan with clamd at %s: %w", c.addr, err)
	}
	defer stop()
	sent, sendErr := stream(conn, r)
	var readErr *contentError
	if errors.As(sendErr, &readErr) {
		return "", fmt.Errorf("scan with clamd at %s: %w", c.addr, readErr.err)
	}
	// clamd answers a stream over its limit and closes the connection
	// while the content is still being sent: a failed send may still
	// have a reply to read, and that says more than the broken pipe.
	reply, err := readReply(conn)
	if err != nil {
		if sendErr != nil {
			err = sendErr
		}
		return "", fmt.Errorf("scan %d bytes with clamd at %s: %w", sent, c.addr, c.broken(ctx, err))
	}
	sig, err := ParseReply(reply)
	if err != nil {
		return "", fmt.Errorf("scan %d bytes with clamd at %s: %w", sent, c.addr, err)
	}
	if sendErr != nil { // clamd answered a stream it did not get whole
		return "", fmt.Errorf("scan %d bytes with clamd at %s: %w: %q after a failed send: %w", sent, c.addr, ErrMalformedReply, reply, sendErr)
	}
	return sig, nil
}

// dial connects and ties the connection to ctx: when ctx ends, pending
// reads and writes fail at once. stop closes the connection.
func (c *Client) dial(ctx context.Context) (net.Conn, func(), error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.network, c.address)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	unhook := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return conn, func() { unhook(); _ = conn.Close() }, nil
}

// broken explains an I/O error on a connection: the context's error when
// it ended (which is why the I/O failed), otherwise clamd is unavailable.
func (c *Client) broken(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrMalformedReply) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// contentError is a failure to read the content, as opposed to a failure
// to send it.
type contentError struct{ err error }

func (e *contentError) Error() string { return e.err.Error() }

// stream sends the INSTREAM command and r in chunks, each after its
// length as four big-endian bytes, then the zero-length chunk that ends
// the stream. It returns how many content bytes were sent.
func stream(w io.Writer, r io.Reader) (int64, error) {
	if _, err := w.Write([]byte("zINSTREAM\x00")); err != nil {
		return 0, err
	}
	buf := make([]byte, 4+chunkSize)
	var sent int64
	for {
		n, rerr := io.ReadFull(r, buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, err := w.Write(buf[:4+n]); err != nil {
				return sent, err
			}
			sent += int64(n)
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return sent, &contentError{fmt.Errorf("read the content: %w", rerr)}
		}
	}
	_, err := w.Write([]byte{0, 0, 0, 0})
	return sent, err
}

// readReply reads clamd's answer to a z-command: text up to its NUL, at
// most maxReply bytes. An answer cut off by the end of the connection is
// still an answer (the parser judges it); no answer at all is an error.
func readReply(r io.Reader) (string, error) {
	buf := make([]byte, 0, 256)
	for len(buf) <= maxReply {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), maxReply+1)])
		buf = buf[:len(buf)+n]
		if i := bytes.IndexByte(buf, 0); i >= 0 {
			return string(buf[:i]), nil
		}
		if errors.Is(err, io.EOF) && len(buf) > 0 {
			return string(buf), nil
		}
		if errors.Is(err, io.EOF) {
			return "", io.ErrUnexpectedEOF // clamd closed without answering
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("%w: no end within %d bytes", ErrMalformedReply, maxReply)
}
