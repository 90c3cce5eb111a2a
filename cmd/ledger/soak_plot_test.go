package main

import (
	"encoding/csv"
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// soakSeries is one curve of the soak's plot.
type soakSeries struct {
	name string
	of   func(soakSample) float64
}

// plotSoak draws the samples as a PNG of four panels over minutes of
// load: memory, goroutines and open files, p99 latencies, follower lag. A
// leak shows as a curve that keeps climbing.
func plotSoak(t *testing.T, path string, samples []soakSample) {
	t.Helper()
	panels := []struct {
		title, unit string
		series      []soakSeries
	}{
		{"Resident memory", "MiB", []soakSeries{
			{"RSS", func(s soakSample) float64 { return s.rssMiB }},
			{"anonymous", func(s soakSample) float64 { return s.anonMiB }},
			{"Go heap in use", func(s soakSample) float64 { return s.heapMiB }}}},
		{"Goroutines and open files", "count", []soakSeries{
			{"goroutines", func(s soakSample) float64 { return s.goroutines }},
			{"open files", func(s soakSample) float64 { return s.openFiles }}}},
		{"p99 latency per interval", "ms", []soakSeries{
			{"channel acknowledgements", func(s soakSample) float64 { return ms(s.channelP99) }},
			{"GraphQL queries", func(s soakSample) float64 { return ms(s.graphqlP99) }}}},
		{"Lag", "events", []soakSeries{
			{"followers (largest)", func(s soakSample) float64 { return s.followerLag }},
			{"projections (largest)", func(s soakSample) float64 { return s.projectionLag }}}},
	}
	plots := make([][]*plot.Plot, len(panels))
	for i, panel := range panels {
		p := plot.New()
		p.Title.Text = panel.title
		p.X.Label.Text = "minutes of load"
		p.Y.Label.Text = panel.unit
		p.Y.Min = 0
		p.Legend.Top = true
		for j, s := range panel.series {
			line, err := plotter.NewLine(soakPoints(samples, s.of))
			if err != nil {
				t.Fatal(err)
			}
			line.Color = soakColors[j%len(soakColors)]
			line.Width = vg.Points(1.5)
			p.Add(line)
			p.Legend.Add(s.name, line)
		}
		p.Add(plotter.NewGrid())
		plots[i] = []*plot.Plot{p}
	}
	img := vgimg.New(vg.Points(900), vg.Points(1100))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		t.Fatal(err)
	}
}

var soakColors = []color.Color{color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}}

func soakPoints(samples []soakSample, of func(soakSample) float64) plotter.XYs {
	pts := make(plotter.XYs, len(samples))
	for i, s := range samples {
		pts[i].X = s.at.Minutes()
		pts[i].Y = of(s)
	}
	return pts
}

// readSoakCSV reads samples writeSoakCSV wrote.
func readSoakCSV(t *testing.T, path string) []soakSample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%s: %d rows, %v", path, len(rows), err)
	}
	var out []soakSample
	for _, r := range rows[1:] {
		v := make([]float64, len(r))
		for i, cell := range r {
			if v[i], err = strconv.ParseFloat(cell, 64); err != nil {
				t.Fatalf("%s: %q: %v", path, cell, err)
			}
		}
		ms := func(x float64) time.Duration { return time.Duration(x * float64(time.Millisecond)) }
		out = append(out, soakSample{at: time.Duration(v[0]) * time.Second, rssMiB: v[1], anonMiB: v[2], heapMiB: v[3], goroutines: v[4], openFiles: v[5],
			followerLag: v[6], projectionLag: v[7], channelP99: ms(v[8]), graphqlP99: ms(v[9]), acked: int(v[10])})
	}
	return out
}

// TestReplotSoak redraws the plot of a soak's samples: LEDGER_SOAK_REPLOT
// names a soak.csv, and soak.png is written beside it.
func TestReplotSoak(t *testing.T) {
	path := os.Getenv("LEDGER_SOAK_REPLOT")
	if path == "" {
		t.Skip("LEDGER_SOAK_REPLOT names no soak.csv to redraw")
	}
	samples := readSoakCSV(t, path)
	plotSoak(t, filepath.Join(filepath.Dir(path), "soak.png"), samples)
	logSoakSummary(t, samples)
}

// TestPlotSoak draws a plot of made-up samples, and reads back the CSV
// they are written to: a PNG comes out, and the samples round-trip.
func TestPlotSoak(t *testing.T) {
	var samples []soakSample
	for i := range 30 {
		samples = append(samples, soakSample{at: time.Duration(i) * 10 * time.Second, rssMiB: 80 + float64(i%3), anonMiB: 60, heapMiB: 30, goroutines: 120, openFiles: 40,
			channelP99: time.Duration(10+i%5) * time.Millisecond, graphqlP99: 20 * time.Millisecond, acked: 100 * i})
	}
	dir := t.TempDir()
	writeSoakCSV(t, filepath.Join(dir, "soak.csv"), samples)
	if back := readSoakCSV(t, filepath.Join(dir, "soak.csv")); !reflect.DeepEqual(back, samples) {
		t.Fatalf("samples read back:\n%+v\nwant\n%+v", back[:2], samples[:2])
	}
	path := filepath.Join(dir, "soak.png")
	plotSoak(t, path, samples)
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 1000 || string(b[1:4]) != "PNG" {
		t.Fatalf("soak.png: %d bytes, %v", len(b), err)
	}
}
