package ui_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/reporter/ui"
)

// drawnJS describes every chart on a page: its kind, ECharts' series
// count, and how many canvas pixels are not background.
const drawnJS = `Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var c = echarts.getInstanceByDom(el);
  var canvas = el.querySelector('canvas');
  var inked = 0;
  if (canvas) {
    var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
  }
  return {kind: el.dataset.chart, metric: el.dataset.metric || '', series: c ? c.getOption().series.length : -1, inked: inked};
})`

type drawn struct {
	Kind   string `json:"kind"`
	Metric string `json:"metric"`
	Series int    `json:"series"`
	Inked  int    `json:"inked"`
}

// TestUIInBrowser serves the UI on loopback, as `assay ui` does, and
// visits every page in Chromium: under the server's strict policy no
// script or style may be refused, every chart draws, the explorer's
// filter changes its rows, and hostile names read as text.
func TestUIInBrowser(t *testing.T) {
	fx := fixture.Build(t, fixture.Options{})
	srv, err := ui.New(ui.Options{Store: fx.Store, Specs: fx.Head.Experiments, Project: "demo", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ln, _, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ui.Serve(ctx, ln, srv) }()
	t.Cleanup(func() { cancel(); <-done })
	base := ui.URL(ln)
	b := browsertest.New(t)
	art := browsertest.ArtifactsDir(t)

	open := func(t *testing.T, path string) {
		t.Helper()
		b.Do(t, chromedp.Navigate(base+strings.TrimPrefix(path, "/")))
		b.WaitFor(t, `document.readyState === 'complete' && document.documentElement.dataset.chartsDone !== undefined`, 20*time.Second)
	}
	charts := func(t *testing.T, wantKinds ...string) []drawn {
		t.Helper()
		got := browsertest.Eval[[]drawn](t, b, drawnJS)
		kinds := map[string]bool{}
		for _, c := range got {
			kinds[c.Kind] = true
			if c.Series < 1 || c.Inked < 500 {
				t.Errorf("%s chart %s: %d series, %d inked pixels", c.Kind, c.Metric, c.Series, c.Inked)
			}
		}
		for _, k := range wantKinds {
			if !kinds[k] {
				t.Errorf("no %s chart drawn", k)
			}
		}
		return got
	}

	t.Run("runs", func(t *testing.T) {
		open(t, "/")
		b.Screenshot(t, art, "runs")
		rows := `document.querySelectorAll('#runs-table tbody tr:not(.f-text)').length`
		all := browsertest.Eval[int](t, b, rows)
		b.Do(t, chromedp.SendKeys(chromedp.CSS(`input[data-filter="runs-table"]`), "resnet"))
		if got := browsertest.Eval[int](t, b, rows); got != 6 || all <= 6 {
			t.Errorf("filtering %d runs by resnet leaves %d, want 6", all, got)
		}
		// The --where box submits to the server and keeps its text.
		b.Do(t,
			chromedp.SetValue(chromedp.ID("where"), `experiment == "canary"`),
			chromedp.Submit(chromedp.ID("where")),
		)
		b.WaitFor(t, `location.search.indexOf('where=') >= 0 && document.readyState === 'complete'`, 10*time.Second)
		if got := browsertest.Eval[int](t, b, rows); got != 10 {
			t.Errorf("where experiment == \"canary\" lists %d runs, want 10 (2 seeds × 5 nights)", got)
		}
	})

	t.Run("experiment", func(t *testing.T) {
		open(t, "/experiments/ridge")
		b.Screenshot(t, art, "experiment")
		got := charts(t, "history", "curves")
		for _, c := range got {
			// One seed line per seed of the best config, its band and mean.
			if c.Kind == "curves" && c.Series != 3+2 {
				t.Errorf("curves of %s: %d series, want 5 (3 seeds, band, mean)", c.Metric, c.Series)
			}
		}
	})

	t.Run("compare", func(t *testing.T) {
		open(t, "/compare?base=1111111&head=%2342")
		b.Screenshot(t, art, "compare")
		charts(t, "curves", "parallel", "trend")
		shown := browsertest.Eval[bool](t, b, `document.body.textContent.indexOf(`+jsString(fixture.Hostile)+`) >= 0`)
		if !shown {
			t.Errorf("compare page does not show %s as text", fixture.Hostile)
		}
	})

	t.Run("run", func(t *testing.T) {
		idx, err := fx.Store.Index()
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, e := range idx.Entries {
			if e.Experiment == "intruder" {
				id = e.RunID
			}
		}
		open(t, "/runs/"+id)
		b.Screenshot(t, art, "run")
		charts(t, "curves")
		if n := browsertest.Eval[int](t, b, `document.scripts.length`); n != 3 {
			t.Errorf("run page has %d scripts, want its 3", n)
		}
	})

	for _, u := range b.Requests() {
		if !strings.HasPrefix(u, base) {
			t.Errorf("the UI requested %s, outside the server", u)
		}
	}
	b.CheckClean(t)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
