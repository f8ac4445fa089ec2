package site_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/site"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// siteEnv is a results branch as a team has it after a pull request: the
// fixture's runs (main at fixture.BaseCommit, the pull request at
// fixture.HeadCommit) and the pull request's report, committed by the
// results store as assay report commits it.
type siteEnv struct {
	fx     *fixture.Fixture
	branch *pages.Branch
	report []byte
}

func newSiteEnv(t testing.TB, o fixture.Options) *siteEnv {
	t.Helper()
	fx := fixture.Build(t, o)
	var page bytes.Buffer
	if err := html.RenderComparison(&page, fx.Comparison, html.Source{Input: fx.Input, Series: fx.Series}, html.Options{Generated: "test"}); err != nil {
		t.Fatal(err)
	}
	p := "reports/pr-42/" + fixture.HeadCommit + ".html"
	if err := fx.Store.PutReport(context.Background(), p, page.Bytes()); err != nil {
		t.Fatal(err)
	}
	return &siteEnv{
		fx:     fx,
		branch: &pages.Branch{Name: "main", Commits: map[string]bool{fixture.BaseCommit: true}},
		report: page.Bytes(),
	}
}

// build writes the site into a new folder and returns it.
func (e *siteEnv) build(t testing.TB, opts site.Options) (string, *site.Summary) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "site")
	opts.Store = e.fx.Store
	if opts.Specs == nil {
		opts.Specs = e.fx.Head.Experiments
	}
	if opts.Branch == nil {
		opts.Branch = e.branch
	}
	if opts.Project == "" {
		opts.Project = "demo"
	}
	sum, err := site.Build(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if keep := os.Getenv(browsertest.ArtifactsEnv); keep != "" {
		if err := os.CopyFS(filepath.Join(browsertest.ArtifactsDir(t), "site"), os.DirFS(dir)); err != nil {
			t.Logf("keeping the site: %v", err)
		}
	}
	return dir, sum
}
