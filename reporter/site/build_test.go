package site_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/reporter/site"
)

func TestBuildWritesEveryPage(t *testing.T) {
	env := newSiteEnv(t, fixture.Options{})
	dir, sum := env.build(t, site.Options{})
	for _, p := range []string{"index.html", "search.html", "run.html", "prs.html", "pr/42.html", "experiments/ridge.html",
		"data/runs/manifest.js", "data/runs/0000.js", "assets/assay.js", "assets/echarts/echarts.min.js"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("site lacks %s: %v", p, err)
		}
	}
	t.Logf("%+v", sum)
}
