package render

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

// hostileArtifact is a file name a trial may write that reads as a link
// and an image in markdown.
const hostileArtifact = "out/[x](javascript:alert(1))![i](https://evil.example/p.png).png"

// runFiles is a manifest as a run that kept seven files records it: the
// checkpoint, plots, a hostile name, and one file whose upload is pending.
func runFiles(r *runner.Result) []runner.ArtifactFile {
	var out []runner.ArtifactFile
	add := func(p string, pending bool) {
		sum := sha256.Sum256([]byte(r.RunID + p))
		out = append(out, runner.ArtifactFile{Path: p, Size: 1000, SHA256: hex.EncodeToString(sum[:]), MediaType: "application/octet-stream", Pending: pending})
	}
	add("out/confusion.png", false)
	add("out/late.pt", true)
	add("out/model.pt", false)
	add(hostileArtifact, false)
	add("out/roc.svg", false)
	add("out/pr.svg", false)
	add("out/zz.png", false)
	return out
}

func files(r *runner.Result) ([]runner.ArtifactFile, error) { return runFiles(r), nil }

// storeLinks links files as the artifact store at storeURL does.
func storeLinks(t testing.TB, storeURL string) func(runner.ArtifactFile) string {
	t.Helper()
	st, err := artifacts.Open(context.Background(), storeURL, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return func(f runner.ArtifactFile) string { return st.BrowseURL(f.SHA256) }
}

// minio is an S3-compatible store: its objects are linked on the server.
const minio = "s3://ml-artifacts/assay?endpoint=https://minio.lan:9000&use_path_style=true&region=us-east-1"

func TestArtifactLinks(t *testing.T) {
	in := comparetest.Single(t)
	c := compareScenario(t, comparetest.Scenario{Name: "single", Input: func(testing.TB) compare.Input { return in }})
	links, errs := ArtifactLinks(c, &in, files, storeLinks(t, minio))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ea, ok := links["resnet18"]
	if !ok || ea.Base == nil || ea.Head == nil {
		t.Fatalf("links = %+v, want both sides of resnet18", links)
	}
	hr := in.HeadlineRuns(c.Experiments[0])
	if ea.Head.RunID != hr.Head.RunID || ea.Base.RunID != hr.Base.RunID {
		t.Errorf("links name runs %s and %s, want the headline runs %s and %s", ea.Base.RunID, ea.Head.RunID, hr.Base.RunID, hr.Head.RunID)
	}
	// Five of the six stored files; the sixth and the pending one counted.
	if len(ea.Head.Links) != MaxArtifactLinksPerSide || ea.Head.More != 2 {
		t.Errorf("head: %d links and %d more, want %d and 2", len(ea.Head.Links), ea.Head.More, MaxArtifactLinksPerSide)
	}
	for _, l := range ea.Head.Links {
		if l.Path == "out/late.pt" {
			t.Error("a file whose upload is pending is linked")
		}
		if !strings.HasPrefix(l.URL, "https://minio.lan:9000/ml-artifacts/assay/sha256/") {
			t.Errorf("%s is linked to %s, not to the store's server", l.Path, l.URL)
		}
	}

	md, err := RenderMarkdown(c, MarkdownOptions{Artifacts: links})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "artifacts.md", []byte(md.String()))
	checkArtifactMarkdown(t, md.String(), 2)
}

// checkArtifactMarkdown checks the artifact items of a report: each link
// whole, to an https address, at most MaxArtifactLinksPerSide a side, and
// the hostile name never a link or an image of its own.
func checkArtifactMarkdown(t *testing.T, out string, wantItems int) {
	t.Helper()
	item := regexp.MustCompile("(?m)^- (head|base) run `[^`]+` \\(seed \\d+\\): (.*)$")
	link := regexp.MustCompile(`\[((?:[^\]\\]|\\.)+)\]\((https://[^\s()<>]+)\)`)
	items := item.FindAllStringSubmatch(out, -1)
	if len(items) != wantItems {
		t.Errorf("%d artifact items, want %d:\n%s", len(items), wantItems, out)
	}
	for _, it := range items {
		rest := it[2]
		n := len(link.FindAllString(rest, -1))
		if n == 0 || n > MaxArtifactLinksPerSide {
			t.Errorf("%s item has %d links: %s", it[1], n, rest)
		}
		rest = link.ReplaceAllString(rest, "")
		if strings.ContainsAny(strings.TrimSuffix(rest, "`"), "[]()") && !strings.Contains(rest, "more: `assay artifacts") {
			t.Errorf("%s item has text outside its links that markdown could read as one: %q", it[1], rest)
		}
	}
	// Escaped, "\](" and "\![" are text: only an unescaped one would
	// make a link or an image.
	if regexp.MustCompile(`(^|[^\\])\]\(javascript:|(^|[^\\])!\[`).MatchString(out) {
		t.Error("the hostile file name became a link or an image")
	}
	if !strings.Contains(out, `[out/\[x\](javascript:alert(1))\!\[i\](https://evil.example/p.png).png](https://`) {
		t.Error("the hostile file name is not shown, escaped, as the text of its link")
	}
}

func TestArtifactLinksOnlyWhereBrowsable(t *testing.T) {
	in := comparetest.Single(t)
	c := compareScenario(t, comparetest.Scenario{Name: "single", Input: func(testing.TB) compare.Input { return in }})
	plain, err := RenderMarkdown(c, MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A file store: its file:// objects are no link for a reviewer.
	fileLinks, errs := ArtifactLinks(c, &in, files, storeLinks(t, ""))
	if len(errs) > 0 || len(fileLinks) != 0 {
		t.Fatalf("a file store gives links %+v (errors %v)", fileLinks, errs)
	}
	md, err := RenderMarkdown(c, MarkdownOptions{Artifacts: fileLinks})
	if err != nil {
		t.Fatal(err)
	}
	if md.String() != plain.String() {
		t.Error("a file store changed the report")
	}
	// Whatever a store answers, only http and https are linked.
	for _, u := range []string{"file:///srv/blobs/x", "javascript:alert(1)", "s3://bucket/x", "https://", ""} {
		got, _ := ArtifactLinks(c, &in, files, func(runner.ArtifactFile) string { return u })
		if len(got) != 0 {
			t.Errorf("%q was linked", u)
		}
	}
	// A run whose files cannot be read is named, and the other side is
	// still linked.
	hr := in.HeadlineRuns(c.Experiments[0])
	broken := func(r *runner.Result) ([]runner.ArtifactFile, error) {
		if r.RunID == hr.Base.RunID {
			return nil, errors.New("the record is damaged")
		}
		return runFiles(r), nil
	}
	got, errs := ArtifactLinks(c, &in, broken, storeLinks(t, minio))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), hr.Base.RunID) {
		t.Errorf("errors = %v, want one naming run %s", errs, hr.Base.RunID)
	}
	if ea := got["resnet18"]; ea.Base != nil || ea.Head == nil {
		t.Errorf("links = %+v, want the head side only", ea)
	}
}

func TestMarkdownURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://s3.console.aws.amazon.com/s3/object/b?prefix=sha256%2Fab&region=eu-west-1": "https://s3.console.aws.amazon.com/s3/object/b?prefix=sha256%2Fab&region=eu-west-1",
		"https://minio.lan/b/a (1).png": "https://minio.lan/b/a%20%281%29.png",
		"https://x.example/<script>":    "https://x.example/%3Cscript%3E",
	} {
		if got := mdURL.Replace(in); got != want {
			t.Errorf("mdURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// largeLinks gives every experiment of the forty-experiment report its
// links, as a store with a browsable address would.
func largeLinks(t testing.TB) (*compare.Comparison, map[string]ExperimentArtifacts) {
	in := comparetest.Forty(t)
	c, err := compare.Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	links, errs := ArtifactLinks(c, &in, files, storeLinks(t, minio))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(links) == 0 {
		t.Fatal("no links")
	}
	return c, links
}

func TestArtifactLinksInLargeReport(t *testing.T) {
	c, links := largeLinks(t)
	md, err := RenderMarkdown(c, MarkdownOptions{Artifacts: links})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, ea := range links {
		if ea.Base != nil {
			want++
		}
		if ea.Head != nil {
			want++
		}
	}
	checkArtifactMarkdown(t, md.String(), want)
	// The links are part of each experiment's details: folding or
	// dropping the details takes them along.
	for _, s := range md {
		if s.Kind != SectionExperiment {
			continue
		}
		if strings.Contains(s.Heading+s.Summary, "](https://") {
			t.Errorf("%s: a link outside the details", s.Experiment)
		}
		if _, ok := links[s.Experiment]; ok && !strings.Contains(s.Details, "**Artifacts**") {
			t.Errorf("%s: no artifacts in its details", s.Experiment)
		}
	}
}
