package main

import (
	"net"
	"testing"
	"time"
)

// TestShutdownClosesUnusedConnections: a connection opened ahead of need
// (as browsers do) and never used does not hold the server's shutdown:
// it drains within a second, which http.Server alone would not (it gives
// such a connection five seconds).
func TestShutdownClosesUnusedConnections(t *testing.T) {
	srv, err := startServer(t.Context(), serveConfig{data: t.TempDir(), addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // the server has accepted it
	if err := srv.shutdown(time.Second); err != nil {
		t.Fatalf("shutdown with an unused connection open: %v", err)
	}
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("the unused connection is still open after the shutdown")
	}
}
