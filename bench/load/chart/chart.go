package chart

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"slices"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/tierchain/tierchain/bench/load"
)

// Write draws two bar charts side by side — throughput (op/s) and
// latency (p50 bars with a p99 whisker) — with one group of bars per
// client count and one colour per workload, and writes a PNG.
func Write(w io.Writer, title string, results []load.Result) error {
	if len(results) == 0 {
		return fmt.Errorf("chart: no results to chart")
	}
	const (
		width, height = 1200, 560
		top, bottom   = 60, 190
		panelGap      = 60
		left          = 70
	)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	text(img, 20, 30, title, color.Black)

	names, groups := chartAxes(results)
	panelW := (width - 2*left - panelGap) / 2
	plotH := height - top - bottom
	var maxTP float64
	var maxLat time.Duration
	for _, r := range results {
		maxTP = max(maxTP, r.Throughput)
		maxLat = max(maxLat, r.P99)
	}
	if maxTP == 0 {
		maxTP = 1
	}
	if maxLat == 0 {
		maxLat = time.Millisecond
	}
	panel := func(x0 int, name string) {
		axis := color.Gray{0x44}
		fill(img, x0, top, 1, plotH, axis)
		fill(img, x0, top+plotH, panelW, 1, axis)
		text(img, x0, top-12, name, color.Black)
	}
	panel(left, fmt.Sprintf("throughput, op/s (max %.1f)", maxTP))
	x1 := left + panelW + panelGap
	panel(x1, fmt.Sprintf("latency: bar p50, whisker p99, ms (max %.0f)", float64(maxLat)/float64(time.Millisecond)))

	var labels []func() // drawn last, over every bar
	slot := panelW / len(groups)
	barW := max(min((slot-8)/len(names), 40), 2)
	for gi, clients := range groups {
		gx := gi*slot + (slot-barW*len(names))/2
		for ni, name := range names {
			r, ok := find(results, name, clients)
			if !ok {
				continue
			}
			c := palette[ni%len(palette)]
			x := gx + ni*barW
			h := int(float64(plotH) * r.Throughput / maxTP)
			fill(img, left+x, top+plotH-h, barW-1, h, c)
			h50 := int(float64(plotH) * float64(r.P50) / float64(maxLat))
			h99 := int(float64(plotH) * float64(r.P99) / float64(maxLat))
			fill(img, x1+x, top+plotH-h50, barW-1, h50, c)
			fill(img, x1+x+barW/2-1, top+plotH-h99, 2, h99-h50, color.Black)
			fill(img, x1+x+1, top+plotH-h99, max(barW-3, 1), 1, color.Black)
			if barW >= 28 {
				labels = append(labels, func() {
					text(img, left+x, top+plotH-h-4, fmt.Sprintf("%.0f", r.Throughput), color.Black)
					text(img, x1+x+barW/2+2, top+plotH-h50-4, fmt.Sprintf("%.0f", float64(r.P50)/float64(time.Millisecond)), color.Black)
				})
			}
		}
		label := fmt.Sprintf("%d clients", clients)
		text(img, left+gi*slot+slot/2-len(label)*7/2, top+plotH+16, label, color.Gray{0x33})
		text(img, x1+gi*slot+slot/2-len(label)*7/2, top+plotH+16, label, color.Gray{0x33})
	}
	for _, l := range labels {
		l()
	}
	// Legend: one colour per workload, in columns.
	for ni, name := range names {
		col, row := ni/6, ni%6
		x, y := left+col*260, top+plotH+40+row*20
		fill(img, x, y-10, 12, 12, palette[ni%len(palette)])
		text(img, x+18, y, name, color.Black)
	}
	lo, hi := loadRange(results)
	text(img, x1, top+plotH+40, fmt.Sprintf("1-min load average at the end of the runs: %.1f to %.1f (2 cores)", lo, hi), color.Gray{0x33})
	return png.Encode(w, img)
}

// loadRange is the lowest and highest load average of the results.
func loadRange(results []load.Result) (lo, hi float64) {
	lo, hi = results[0].Load, results[0].Load
	for _, r := range results {
		lo, hi = min(lo, r.Load), max(hi, r.Load)
	}
	return lo, hi
}

// palette tells workloads apart; the first is the baseline's grey when the
// baseline comes first.
var palette = []color.RGBA{
	{0x88, 0x88, 0x88, 0xff}, {0x33, 0x66, 0xcc, 0xff}, {0xee, 0x88, 0x22, 0xff}, {0x33, 0x99, 0x44, 0xff},
	{0xcc, 0x33, 0x33, 0xff}, {0x88, 0x44, 0xaa, 0xff}, {0x22, 0xaa, 0xbb, 0xff}, {0xaa, 0x77, 0x33, 0xff},
	{0xdd, 0x66, 0xaa, 0xff}, {0x55, 0x55, 0x22, 0xff}, {0x00, 0x44, 0x88, 0xff}, {0x99, 0xbb, 0x22, 0xff},
}

// chartAxes returns the workload names in the order of first appearance
// and the client counts in ascending order.
func chartAxes(results []load.Result) (names []string, groups []int) {
	for _, r := range results {
		if !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
		if !slices.Contains(groups, r.Clients) {
			groups = append(groups, r.Clients)
		}
	}
	slices.Sort(groups)
	return names, groups
}

func find(results []load.Result, name string, clients int) (load.Result, bool) {
	for _, r := range results {
		if r.Name == name && r.Clients == clients {
			return r, true
		}
	}
	return load.Result{}, false
}

func fill(img *image.RGBA, x, y, w, h int, c color.Color) {
	if w <= 0 || h <= 0 {
		return
	}
	draw.Draw(img, image.Rect(x, y, x+w, y+h), image.NewUniform(c), image.Point{}, draw.Src)
}

func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
