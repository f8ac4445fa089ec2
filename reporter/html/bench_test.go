package html_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/internal/fixture"
)

// bigFixture is the scale: 1,000 runs with 500-step curves. A
// sweep of 20 × 5 configs with 5 seeds at each side makes exactly 1,000
// runs. It lives in b's temporary directory, so each benchmark builds its
// own.
func bigFixture(b *testing.B) *fixture.Fixture {
	bigFx := fixture.Build(b, fixture.Options{Alphas: 20, Solvers: 5, Seeds: 5, Steps: 500, NoSingle: true, NoCanary: true, NoIntruder: true})
	if bigFx.Runs != 1000 {
		b.Fatalf("fixture has %d runs, want 1000", bigFx.Runs)
	}
	return bigFx
}

// BenchmarkRender1000 renders the report of 1,000 runs (curves read from
// the results branch included) and reports its size. Target: under 3 MB.
func BenchmarkRender1000(b *testing.B) {
	fx := bigFixture(b)
	src := html.Source{Input: fx.Input, Series: fx.Series}
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := html.RenderComparison(&buf, fx.Comparison, src, html.Options{}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}

// BenchmarkFirstPaint1000 opens the 1,000-run report in Chromium and
// reports the time to first contentful paint and until every chart is
// drawn, beside the same figures for an empty report (the chart library
// and page alone) measured in the same browser. Target: first paint under
// 1 s.
func BenchmarkFirstPaint1000(b *testing.B) {
	fx := bigFixture(b)
	dir := b.TempDir()
	write := func(name string, c *compare.Comparison, src html.Source) string {
		var buf bytes.Buffer
		if err := html.RenderComparison(&buf, c, src, html.Options{}); err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %.2f MB", name, float64(buf.Len())/1e6)
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	empty := &compare.Comparison{Schema: compare.Schema, Base: fx.Comparison.Base, Head: fx.Comparison.Head, Alpha: compare.DefaultAlpha, Experiments: []*compare.Experiment{}}
	baseline := write("empty.html", empty, html.Source{})
	full := write("report.html", fx.Comparison, html.Source{Input: fx.Input, Series: fx.Series})

	measure := func(u string) (fcp, drawn float64) {
		br := browsertest.New(b)
		start := time.Now()
		br.Do(b, chromedp.Navigate(u))
		br.WaitFor(b, `document.documentElement.dataset.chartsDone !== undefined`, 60*time.Second)
		drawn = float64(time.Since(start).Milliseconds())
		fcp = browsertest.Eval[float64](b, br, `(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: -1}).startTime`)
		br.CheckClean(b)
		return fcp, drawn
	}
	var fcp, drawn, baseFCP, baseDrawn float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		baseFCP, baseDrawn = measure(baseline)
		fcp, drawn = measure(full)
	}
	b.ReportMetric(fcp, "ms-first-paint")
	b.ReportMetric(drawn, "ms-all-charts")
	b.ReportMetric(baseFCP, "ms-first-paint-empty")
	b.ReportMetric(baseDrawn, "ms-all-charts-empty")
}
