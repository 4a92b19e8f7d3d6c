package loadgen

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strings"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// WriteChart draws two bar charts side by side — throughput (op/s) and
// latency (p50 and p99) — one bar group per result, and writes a PNG.
func WriteChart(w io.Writer, title string, results []Result) error {
	if len(results) == 0 {
		return fmt.Errorf("loadgen: no results to chart")
	}
	const (
		width, height = 1200, 520
		top, bottom   = 60, 150
		panelGap      = 60
		left          = 70
	)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	text(img, 20, 30, title, color.Black)

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
	blue := color.RGBA{0x33, 0x66, 0xcc, 0xff}
	orange := color.RGBA{0xee, 0x88, 0x22, 0xff}
	red := color.RGBA{0xcc, 0x33, 0x33, 0xff}

	panel := func(x0 int, name string) {
		axis := color.Gray{0x44}
		fill(img, x0, top, 1, plotH, axis)
		fill(img, x0, top+plotH, panelW, 1, axis)
		text(img, x0, top-12, name, color.Black)
	}
	panel(left, fmt.Sprintf("throughput, op/s (max %.1f)", maxTP))
	x1 := left + panelW + panelGap
	panel(x1, fmt.Sprintf("latency p50 / p99, ms (max %.0f)", float64(maxLat)/float64(time.Millisecond)))

	slot := panelW / len(results)
	barW := max(slot/3, 4)
	for i, r := range results {
		// Throughput bar.
		h := int(float64(plotH) * r.Throughput / maxTP)
		x := left + i*slot + slot/2 - barW/2
		fill(img, x, top+plotH-h, barW, h, blue)
		text(img, x, top+plotH-h-4, fmt.Sprintf("%.0f", r.Throughput), color.Black)
		label(img, left+i*slot+4, top+plotH+16, r, slot)
		// Latency bars.
		h50 := int(float64(plotH) * float64(r.P50) / float64(maxLat))
		h99 := int(float64(plotH) * float64(r.P99) / float64(maxLat))
		xl := x1 + i*slot + slot/2 - barW
		fill(img, xl, top+plotH-h50, barW, h50, orange)
		fill(img, xl+barW, top+plotH-h99, barW, h99, red)
		text(img, xl, top+plotH-h99-4, ms(r.P99), color.Black)
		label(img, x1+i*slot+4, top+plotH+16, r, slot)
	}
	fill(img, x1, height-30, 12, 12, orange)
	text(img, x1+18, height-20, "p50", color.Black)
	fill(img, x1+70, height-30, 12, 12, red)
	text(img, x1+88, height-20, "p99", color.Black)
	return png.Encode(w, img)
}

func label(img *image.RGBA, x, y int, r Result, slot int) {
	// basicfont is ASCII only: long names break at their first hyphen.
	lines := []string{r.Name}
	if maxChars := slot / 7; len(r.Name) > maxChars {
		if i := strings.IndexByte(r.Name, '-'); i > 0 {
			lines = []string{r.Name[:i+1], r.Name[i+1:]}
		}
	}
	for i, l := range lines {
		text(img, x, y+14*i, l, color.Black)
	}
	text(img, x, y+14*len(lines), fmt.Sprintf("%d clients", r.Clients), color.Gray{0x55})
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
