package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestDemoMMcPrintsTheComparison(t *testing.T) {
	var out bytes.Buffer
	if err := runMMcDemo(&out, mmcFlags{agents: 10, aht: 3 * time.Minute, loads: "0.5,0.8", arrivals: 20_000, seed: 1}); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "| 0.") {
			rows++
		}
	}
	if rows != 2 || !strings.Contains(out.String(), "| 0.80 | 160.0 | 0.4092 |") {
		t.Fatalf("demo --mmc printed:\n%s", out.String())
	}
	for _, bad := range []mmcFlags{{agents: 10, loads: "1.0", arrivals: 10}, {agents: 0, loads: "0.5", arrivals: 10}, {agents: 10, loads: "x", arrivals: 10}} {
		if err := runMMcDemo(&out, bad); err == nil {
			t.Errorf("runMMcDemo(%+v) accepted bad settings", bad)
		}
	}
}

func TestPoissonArrivals(t *testing.T) {
	d := newDemoTraffic(demoConfig{Customers: 10, Interactions: 20_000, Seed: 3, Span: 20_000 * time.Minute}, nil)
	if len(d.arrivals) != 20_000 {
		t.Fatalf("%d arrival times, want 20000", len(d.arrivals))
	}
	// Exponential gaps at one a minute: mean 60 s, and about e^-1 of them
	// longer than the mean (an even spread would have none).
	longer := 0
	for i := 1; i < len(d.arrivals); i++ {
		if d.arrivals[i] < d.arrivals[i-1] {
			t.Fatal("arrival times go back")
		}
		if d.arrivals[i]-d.arrivals[i-1] > time.Minute {
			longer++
		}
	}
	mean := d.arrivals[len(d.arrivals)-1].Seconds() / float64(len(d.arrivals))
	share := float64(longer) / float64(len(d.arrivals)-1)
	if mean < 57 || mean > 63 || share < 0.35 || share > 0.39 {
		t.Fatalf("mean gap %.1f s, share of gaps over a minute %.3f; want about 60 s and 0.368", mean, share)
	}
}
