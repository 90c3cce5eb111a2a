package netaddr

import "testing"

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:2113": true, "localhost:25": true, "[::1]:2113": true, "127.9.9.9:1": true,
		"0.0.0.0:2113": false, "10.0.0.5:2113": false, ":2113": false, "example.com:25": false, "127.0.0.1": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
