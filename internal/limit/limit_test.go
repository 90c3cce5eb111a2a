package limit

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLimiterCutsOffOneKeyAndServesAnother(t *testing.T) {
	c := &clock{time.Unix(1_700_000_000, 0)}
	l := NewLimiter(Rate{PerSecond: 1, Burst: 3}, "messages from this address", 0, c.now)
	for i := range 3 {
		if err := l.Allow("a"); err != nil {
			t.Fatalf("message %d of the burst refused: %v", i, err)
		}
	}
	err := l.Allow("a")
	var le *Error
	if !errors.As(err, &le) || le.RetryAfter <= 0 || le.RetryAfter > time.Second {
		t.Fatalf("4th message: %v, want a refusal with a retry within 1 s", err)
	}
	if err := l.Allow("b"); err != nil {
		t.Fatalf("another key refused: %v", err)
	}
	c.t = c.t.Add(time.Second)
	if err := l.Allow("a"); err != nil {
		t.Fatalf("after the refill: %v", err)
	}
}

func TestLimiterBoundedWithoutForgettingEveryone(t *testing.T) {
	c := &clock{time.Unix(1_700_000_000, 0)}
	l := NewLimiter(Rate{PerSecond: 0.001, Burst: 1}, "x", 100, c.now)
	if err := l.Allow("victim"); err != nil {
		t.Fatal(err)
	}
	for i := range 99 {
		c.t = c.t.Add(time.Millisecond)
		_ = l.Allow(fmt.Sprint("k", i))
	}
	// The bound is reached: a new key evicts only the least recently seen.
	c.t = c.t.Add(time.Millisecond)
	_ = l.Allow("k-new")
	if l.Len() != 100 {
		t.Fatalf("Len = %d, want 100", l.Len())
	}
	if err := l.Allow("k98"); err == nil {
		t.Fatal("a recently limited key was forgotten")
	}
	// Keys idle until their bucket is full again are forgotten first.
	c.t = c.t.Add(2000 * time.Second)
	_ = l.Allow("fresh")
	if l.Len() != 1 {
		t.Fatalf("Len after everyone refilled = %d, want 1", l.Len())
	}
}

func TestUnlimitedAndNil(t *testing.T) {
	var l *Limiter
	if l.Allow("a") != nil || NewLimiter(Rate{}, "x", 0, nil).Allow("a") != nil {
		t.Fatal("a nil or unlimited limiter refused")
	}
}

func TestCounter(t *testing.T) {
	c := NewCounter(2, "open chats from this address")
	r1, err1 := c.Acquire("a")
	_, err2 := c.Acquire("a")
	_, err3 := c.Acquire("a")
	if err1 != nil || err2 != nil || err3 == nil {
		t.Fatalf("Acquire x3 = %v, %v, %v; want the third refused", err1, err2, err3)
	}
	if _, err := c.Acquire("b"); err != nil {
		t.Fatalf("another key refused: %v", err)
	}
	r1()
	r1() // releasing twice gives back one
	if c.Held("a") != 1 {
		t.Fatalf("Held = %d, want 1", c.Held("a"))
	}
	if _, err := c.Acquire("a"); err != nil {
		t.Fatalf("after a release: %v", err)
	}
}

func TestSourcesKey(t *testing.T) {
	exempt, err := ParsePrefixes("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	s := Sources{Exempt: exempt}
	cases := map[string]string{
		"192.0.2.1:5060":             "192.0.2.1",
		"[::ffff:192.0.2.1]:1":       "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":       "2001:db8:1:2::/64",
		"127.0.0.1:80":               "",
		"10.1.2.3":                   "",
		"not an address":             "?not an address",
		"[fe80::1%eth0]:80":          "fe80::/64",
	}
	for in, want := range cases {
		if got := s.Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := ParsePrefixes("nonsense"); err == nil {
		t.Error("ParsePrefixes accepted nonsense")
	}
}

func TestParseRate(t *testing.T) {
	cases := map[string]Rate{
		"off":      {},
		"0":        {},
		"10/s":     {PerSecond: 10, Burst: 10},
		"10/s:50":  {PerSecond: 10, Burst: 50},
		"60/m":     {PerSecond: 1, Burst: 1},
		"3600/h:5": {PerSecond: 1, Burst: 5},
		"0.5/s":    {PerSecond: 0.5, Burst: 1},
	}
	for in, want := range cases {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"10", "10/d", "x/s", "-1/s", "10/s:0", "10/s:x", "NaN/s", "Inf/s"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"10/s", "10/s:50", "off", "1e9/h:1", ":", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err == nil && !r.Unlimited() && (r.Burst < 1 || r.PerSecond <= 0) {
			t.Fatalf("ParseRate(%q) = %+v", s, r)
		}
	})
}

func TestGuardExemptAddressesAreNotLimited(t *testing.T) {
	exempt, _ := ParsePrefixes("127.0.0.0/8")
	g := NewGuard(GuardConfig{PerSource: Rate{PerSecond: 0.001, Burst: 1}, PerIdentity: Rate{PerSecond: 0.001, Burst: 1}, Exempt: exempt})
	for range 3 {
		if g.Source("127.0.0.1:1") != nil || g.Identity("127.0.0.1:1", "PHONE:+1") != nil {
			t.Fatal("an exempt address was limited")
		}
	}
	if g.Identity("192.0.2.1:1", "PHONE:+1") != nil || g.Identity("192.0.2.2:1", "PHONE:+1") == nil {
		t.Fatal("the identity limit does not hold across other addresses")
	}
	if g.Source("[2001:db8::1]:1") != nil || g.Source("[2001:db8::2]:1") == nil {
		t.Fatal("two addresses of one IPv6 /64 do not share a budget")
	}
	var nilGuard *Guard
	if nilGuard.Source("x") != nil || nilGuard.Identity("x", "y") != nil || nilGuard.SourceKey("x") != nil {
		t.Fatal("a nil guard limited")
	}
}

func TestCheckTakesNoToken(t *testing.T) {
	c := &clock{time.Unix(1_700_000_000, 0)}
	l := NewLimiter(Rate{PerSecond: 0.1, Burst: 2}, "failed sign-ins", 0, c.now)
	for range 10 {
		if err := l.Check("a"); err != nil {
			t.Fatalf("Check took a token: %v", err)
		}
	}
	_ = l.Allow("a")
	_ = l.Allow("a")
	var le *Error
	if err := l.Check("a"); !errors.As(err, &le) || le.RetryAfter <= 0 || le.RetryAfter > 10*time.Second {
		t.Fatalf("Check after the burst: %v, want a refusal within 10 s", err)
	}
	c.t = c.t.Add(10 * time.Second)
	if err := l.Check("a"); err != nil {
		t.Fatalf("after the refill: %v", err)
	}
}
