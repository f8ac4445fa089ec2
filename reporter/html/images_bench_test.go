package html_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/html"
)

// noisePNG is a PNG of random pixels: it does not compress, so its size
// is about 4 × w × h bytes, as a detailed plot's can be.
func noisePNG(b testing.TB, w, h int, seed uint64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.UintN(256))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkRenderImages renders a report whose head run kept 16 plots of
// about 120 KiB, embedding the default budget's share (12 images, at most
// 1.5 MiB: here 12), beside the same report without images, made in the
// same run: the figures to watch are the time images add and the page's
// size (the budget caps it).
func BenchmarkRenderImages(b *testing.B) {
	ir := newImageRepo(b, map[string]keep{"plots": func(side string, seed int64) map[string][]byte {
		files := map[string][]byte{}
		for i := range 16 {
			files[fmt.Sprintf("fig/%02d.png", i)] = noisePNG(b, 175, 175, uint64(i)+uint64(seed)*100)
		}
		if side == compare.SideBase {
			return nil
		}
		return files
	}})
	for _, bc := range []struct {
		name string
		src  html.Source
	}{
		{"none", html.Source{Input: ir.in}},
		{"16 kept", ir.source()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				var buf bytes.Buffer
				if err := html.RenderComparison(&buf, ir.c, bc.src, html.Options{}); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
			}
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}
