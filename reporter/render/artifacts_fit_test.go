package render_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/reporter/github"
	"github.com/assaylab/assay/reporter/render"
	"github.com/assaylab/assay/runner"
)

// A pull request comment with artifact links still fits GitHub's limit the
// way reporter/github fits any report: details fold, then go to the full
// report, then sections go; a link is never cut in half.
func TestArtifactLinksFitAComment(t *testing.T) {
	in := comparetest.Forty(t)
	c, err := compare.Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	st, err := artifacts.Open(context.Background(), "s3://ml-artifacts?region=eu-west-1", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	files := func(r *runner.Result) ([]runner.ArtifactFile, error) {
		var out []runner.ArtifactFile
		for _, p := range []string{"out/model.pt", "out/confusion.png", "out/roc.svg"} {
			sum := sha256.Sum256([]byte(r.RunID + p))
			out = append(out, runner.ArtifactFile{Path: p, Size: 10, SHA256: hex.EncodeToString(sum[:])})
		}
		return out, nil
	}
	links, errs := render.ArtifactLinks(c, &in, files, func(f runner.ArtifactFile) string { return st.BrowseURL(f.SHA256) })
	if len(errs) > 0 || len(links) != len(c.Experiments) {
		t.Fatalf("links for %d of %d experiments (errors %v)", len(links), len(c.Experiments), errs)
	}
	md, err := render.RenderMarkdown(c, render.MarkdownOptions{Artifacts: links})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := render.RenderMarkdown(c, render.MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	link := "\\[out/[a-z]+\\.[a-z]+\\]\\(https://s3\\.console\\.aws\\.amazon\\.com/s3/object/ml-artifacts\\?prefix=sha256%2F[0-9a-f]{2}%2F[0-9a-f]{64}&region=eu-west-1\\)"
	item := regexp.MustCompile("^- (head|base) run `[^`]+` \\(seed \\d+\\): " + link + "( · " + link + "){2}$")
	for _, limit := range []int{0, 30000, 8000} {
		f := github.Fit(github.ReportFromMarkdown(md), "https://github.com/acme/models/blob/assay/results/reports/pr-42/x.md", limit)
		want := limit
		if want == 0 {
			want = github.MaxCommentChars
		}
		if n := github.CommentLength(f.Body); n > want {
			t.Errorf("limit %d: body is %d long", limit, n)
		}
		if o, cl := strings.Count(f.Body, "<details>"), strings.Count(f.Body, "</details>"); o != cl {
			t.Errorf("limit %d: %d <details> but %d </details>", limit, o, cl)
		}
		shown := 0
		for _, line := range strings.Split(f.Body, "\n") {
			if strings.HasPrefix(line, "- head run ") || strings.HasPrefix(line, "- base run ") {
				shown++
				if !item.MatchString(line) {
					t.Errorf("limit %d: an artifact item is not whole: %s", limit, line)
				}
			}
		}
		pf := github.Fit(github.ReportFromMarkdown(plain), "https://github.com/acme/models/blob/assay/results/reports/pr-42/x.md", limit)
		switch {
		case limit == 0 && (shown == 0 || f.Cut > 0 || f.Dropped == 0 || pf.Dropped > 0):
			// Forty experiments' links (about 1,200 characters each) do
			// not all fit: the last sections' details, links included,
			// go to the full report, and no section is cut.
			t.Errorf("limit %d: %d artifact items shown, %d details dropped, %d sections cut; without links %d dropped", limit, shown, f.Dropped, f.Cut, pf.Dropped)
		case limit == 8000 && (shown != 0 || f.Cut != pf.Cut):
			// Details go before sections do, links with them, and the
			// links cost no section its place.
			t.Errorf("limit %d: %d artifact items shown, %d sections cut (%d without links)", limit, shown, f.Cut, pf.Cut)
		}
		t.Logf("limit %d: %d characters, %d artifact items, folded %v, %d details dropped, %d sections cut (without links: %d characters)",
			limit, github.CommentLength(f.Body), shown, f.Folded, f.Dropped, f.Cut, github.CommentLength(pf.Body))
	}
}
