package html_test

import (
	"bytes"
	stdcontext "context"
	"encoding/base64"
	"fmt"
	stdhtml "html"
	"image"
	"image/color"
	"image/png"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/go-git/go-git/v5"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/collect"
	"github.com/assaylab/assay/runner/spool"
)

// hostileSVG would raise an alert and write to the console if any of its
// script ran.
const hostileSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40" onload="alert('svg onload')">
<script>console.error("svg script ran"); alert("svg script");</script>
<rect width="60" height="40" fill="#0a0"/>
</svg>
`

// hostilePath is a file name a trial may write: the page must show it as
// text.
const hostilePath = `out/<b>plot</b>.png`

// imageRepo is a repository whose results branch holds runs that kept
// files: written to the spool with their artifacts, recorded by
// results.Store.Commit, which uploads them to the default artifact store
// (.git/assay/blobs), and read back through the index, Store.Run and
// Store.RunArtifacts, as assay compare reads them.
type imageRepo struct {
	t     testing.TB
	store *results.Store
	in    *compare.Input
	c     *compare.Comparison
	// files are what each run wrote: run id → path → bytes.
	files map[string]map[string][]byte
}

// pngOf is a real PNG w pixels wide.
func pngOf(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const plotSpec = `
experiment "%s" {
  command = ["python", "plot.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = %s }
  seeds   = [1, 2]
  metric "acc" { goal = "maximize" }
}
`

// keep says what one run writes, by side and seed.
type keep func(side string, seed int64) map[string][]byte

// newImageRepo records every trial of each experiment on both sides, with
// the files keep names.
func newImageRepo(t testing.TB, experiments map[string]keep) *imageRepo {
	t.Helper()
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	store, err := results.Open(dir, results.Options{Getenv: func(k string) string {
		return map[string]string{"GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	ir := &imageRepo{t: t, store: store, files: map[string]map[string][]byte{}}
	in := &compare.Input{Base: comparetest.BaseRef, Head: comparetest.HeadRef}
	n := 0
	for _, name := range sortedKeys(experiments) {
		ei := compare.ExperimentInput{Name: name}
		for _, side := range []string{compare.SideBase, compare.SideHead} {
			lr, commit := "0.1", comparetest.BaseRef.Commit
			if side == compare.SideHead {
				lr, commit = "0.03", comparetest.HeadRef.Commit
			}
			si := comparetest.Side(t, comparetest.Load(t, fmt.Sprintf(plotSpec, name, lr))[name], "inputs-"+side)
			if side == compare.SideBase {
				ei.Base = si
			} else {
				ei.Head = si
			}
			for _, tr := range si.Trials {
				n++
				started := comparetest.Epoch.Add(time.Duration(n) * time.Minute)
				r := &runner.Result{
					Schema: runner.ResultSchema, RunID: fmt.Sprintf("%s-%04d", started.Format("20060102T150405"), n),
					TrialKey: tr.Key, Experiment: name, Params: tr.Params, Seed: tr.Seed, Status: runner.StatusSucceeded,
					Attempt: 1, Metrics: map[string]float64{"acc": 0.8 + 0.01*float64(n%3)}, Started: started,
					Finished: started.Add(time.Minute), DurationS: 60, Executor: "local", System: runner.System{Host: "gpu-1"},
					SourceCommit: commit, Trigger: runner.TriggerPush,
				}
				adir := filepath.Join(t.TempDir(), "artifacts")
				written := experiments[name](side, tr.Seed)
				for p, body := range written {
					f := filepath.Join(adir, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(f, body, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				ir.files[r.RunID] = written
				run := &runner.Run{Result: r}
				if len(written) > 0 {
					r.Manifest, _ = collect.Artifacts("", nil, adir)
					run.ArtifactsDir = adir
				}
				if err := sp.Put(run); err != nil {
					t.Fatal(err)
				}
			}
		}
		in.Experiments = append(in.Experiments, ei)
	}
	rep, err := store.Commit(sp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Uploads.Pending > 0 {
		t.Fatalf("uploads pending after recording: %+v", rep.Uploads)
	}
	idx, err := store.Index()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string][]*runner.Result{}
	for _, e := range idx.Entries {
		byKey[e.TrialKey] = append(byKey[e.TrialKey], e.Result())
	}
	in.Lookup = func(key string) []*runner.Result { return byKey[key] }
	if ir.c, err = compare.Compare(*in); err != nil {
		t.Fatal(err)
	}
	ir.in = in
	return ir
}

// source reads runs' files the way assay compare does: the manifest as it
// stands on the branch, the bytes from the artifact store.
func (ir *imageRepo) source() html.Source {
	return html.Source{
		Input: ir.in,
		Artifacts: func(r *runner.Result) ([]runner.ArtifactFile, error) {
			d, err := ir.store.Run(r.RunID)
			if err != nil {
				return nil, err
			}
			files, _, err := ir.store.RunArtifacts(d)
			return files, err
		},
		ReadArtifact: func(r *runner.Result, f runner.ArtifactFile, w io.Writer) error {
			st, err := ir.store.ArtifactStore(stdcontext.Background())
			if err != nil {
				return err
			}
			return st.Copy(stdcontext.Background(), f, w)
		},
	}
}

func (ir *imageRepo) render(opts html.Options) (*html.Report, []byte) {
	ir.t.Helper()
	r := html.FromComparison(ir.c, ir.source(), opts)
	var buf bytes.Buffer
	if err := html.Render(&buf, r); err != nil {
		ir.t.Fatal(err)
	}
	return r, buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// plots is an experiment whose runs keep a PNG as wide as 30 + the seed
// (40 + the seed at head), a hostile SVG, a checkpoint, and at head a
// plot base did not make.
func plots(t testing.TB) keep {
	return func(side string, seed int64) map[string][]byte {
		w := 30 + int(seed)
		if side == compare.SideHead {
			w += 10
		}
		files := map[string][]byte{
			"out/loss.png":      pngOf(t, w, 20, color.RGBA{R: 200, A: 255}),
			"out/confusion.svg": []byte(hostileSVG),
			"out/model.pt":      []byte("weights"),
		}
		if side == compare.SideHead {
			files[hostilePath] = pngOf(t, 12, 12, color.RGBA{B: 200, A: 255})
		}
		return files
	}
}

// dataSrc finds the data: URIs of the page's images (html/template
// writes "+" in an attribute as "&#43;").
var dataSrc = regexp.MustCompile(`<img class="artifact" src="data:(image/png|image/svg(?:\+|&#43;)xml);base64,((?:[A-Za-z0-9+/=]|&#43;)+)"`)

func TestReportImages(t *testing.T) {
	ir := newImageRepo(t, map[string]keep{"plots": plots(t)})
	r, page := ir.render(html.Options{})

	e := r.Experiments[0]
	if e.Images == nil || e.Images.Head == nil || e.Images.Base == nil {
		t.Fatalf("experiment images = %+v, want both sides", e.Images)
	}
	// The newest succeeded run of each side: seed 2, recorded last.
	if e.Images.Head.Seed != 2 || e.Images.Base.Seed != 2 {
		t.Errorf("images come from seeds %d (base) and %d (head), want the newest runs, seed 2", e.Images.Base.Seed, e.Images.Head.Seed)
	}
	var paths []string
	for _, row := range e.Images.Rows {
		paths = append(paths, row.Path)
	}
	if got, want := strings.Join(paths, ","), "out/<b>plot</b>.png,out/confusion.svg,out/loss.png"; got != want {
		t.Errorf("image rows = %s, want %s (PNG and SVG only, by path)", got, want)
	}

	// Every image is in the file as a data: URI, byte for byte what the
	// run wrote.
	found := dataSrc.FindAllSubmatch(page, -1)
	if len(found) != 5 {
		t.Fatalf("page embeds %d images, want 5 (3 at head, 2 at base)", len(found))
	}
	wrote := map[string]bool{}
	for _, files := range ir.files {
		for p, body := range files {
			if strings.HasSuffix(p, ".png") || strings.HasSuffix(p, ".svg") {
				wrote[string(body)] = true
			}
		}
	}
	for _, m := range found {
		body, err := decodeB64(m[2])
		if err != nil {
			t.Fatal(err)
		}
		if !wrote[string(body)] {
			t.Errorf("an embedded %s is not a file any run wrote", m[1])
		}
	}
	// The SVG is an image source only: its markup is never in the page.
	if bytes.Contains(page, []byte("svg script ran")) || bytes.Contains(page, []byte("<svg")) {
		t.Error("the page holds SVG markup; it must only be embedded as an <img> source")
	}
	// The hostile file name is text.
	if bytes.Contains(page, []byte(hostilePath)) {
		t.Errorf("the page holds %s unescaped", hostilePath)
	}
	if !bytes.Contains(page, []byte(`out/&lt;b&gt;plot&lt;/b&gt;.png`)) {
		t.Errorf("the page does not show %s as text", hostilePath)
	}
	// Images are not in the data the script reads: no second copy.
	data := regexp.MustCompile(`(?s)<script type="application/json" id="assay-data">(.*?)</script>`).FindSubmatch(page)
	if data == nil || bytes.Contains(data[1], []byte("base64")) {
		t.Error("the page's JSON data carries the images")
	}
	// Apart from the images' data: sources, nothing points outside.
	markup := regexp.MustCompile(`(?s)<script[^>]*>.*?</script>|<pre>.*?</pre>`).ReplaceAll(page, nil)
	markup = dataSrc.ReplaceAll(markup, nil)
	if i := bytes.Index(markup, []byte("src=")); i >= 0 {
		t.Errorf("report refers to something outside itself near %q", context(markup, i))
	}
	if !regexp.MustCompile(`content="[^"]*img-src data:;`).Match(page) {
		t.Error("the page's Content-Security-Policy does not allow img-src data:")
	}
	if r.ImagesLeftOut != 0 || bytes.Contains(page, []byte("left out")) {
		t.Errorf("%d images left out with room for all", r.ImagesLeftOut)
	}

	t.Run("browser", func(t *testing.T) { checkImagesInBrowser(t, page) })
}

func decodeB64(b []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(stdhtml.UnescapeString(string(b)))
}

// imageCheck is what the browser says about one embedded image.
type imageCheck struct {
	Side   string `json:"side"`
	Path   string `json:"path"`
	Width  int    `json:"width"`
	Scheme string `json:"scheme"`
}

// checkImagesInBrowser opens the page in Chromium: every image decodes
// and has its width, the SVG's scripts never run, nothing is fetched.
func checkImagesInBrowser(t *testing.T, page []byte) {
	b := browsertest.New(t)
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	self := (&url.URL{Scheme: "file", Path: file}).String()
	b.Do(t, chromedp.Navigate(self))
	b.WaitFor(t, `document.documentElement.dataset.chartsDone`, 20*time.Second)
	b.WaitFor(t, `Array.from(document.images).every(function (i) { return i.complete; })`, 10*time.Second)
	b.Screenshot(t, browsertest.ArtifactsDir(t), "images")
	got := browsertest.Eval[[]imageCheck](t, b, `Array.from(document.querySelectorAll('img.artifact')).map(function (i) {
	  return {side: i.dataset.side, path: i.dataset.path, width: i.naturalWidth, scheme: i.src.split(',')[0]};
	})`)
	want := map[string]imageCheck{
		"head out/loss.png":      {Width: 42, Scheme: "data:image/png;base64"},
		"base out/loss.png":      {Width: 32, Scheme: "data:image/png;base64"},
		"head out/confusion.svg": {Width: 60, Scheme: "data:image/svg+xml;base64"},
		"base out/confusion.svg": {Width: 60, Scheme: "data:image/svg+xml;base64"},
		"head " + hostilePath:    {Width: 12, Scheme: "data:image/png;base64"},
	}
	if len(got) != len(want) {
		t.Errorf("page shows %d images, want %d: %+v", len(got), len(want), got)
	}
	for _, g := range got {
		w, ok := want[g.Side+" "+g.Path]
		if !ok {
			t.Errorf("unexpected image %s of %s", g.Path, g.Side)
			continue
		}
		if g.Width != w.Width || g.Scheme != w.Scheme {
			t.Errorf("%s of %s: naturalWidth %d from %s, want %d from %s", g.Path, g.Side, g.Width, g.Scheme, w.Width, w.Scheme)
		}
	}
	for _, u := range b.Requests() {
		if u != self && !strings.HasPrefix(u, "data:") {
			t.Errorf("the report requested %s", u)
		}
	}
	// No alert, no console error: the SVG's script and onload never ran.
	b.CheckClean(t)

	// The same SVG put into a page as markup does run: the check above
	// would have caught it.
	ctl := browsertest.New(t)
	inline := filepath.Join(t.TempDir(), "inline.html")
	if err := os.WriteFile(inline, []byte("<!DOCTYPE html><title>control</title>"+hostileSVG), 0o644); err != nil {
		t.Fatal(err)
	}
	ctl.Do(t, chromedp.Navigate((&url.URL{Scheme: "file", Path: inline}).String()))
	ctl.WaitFor(t, `document.readyState === "complete"`, 10*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for len(ctl.Problems()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(ctl.Problems()) == 0 {
		t.Error("control: an inline SVG script ran unnoticed, so the check above proves nothing")
	}
}

// gallery is an experiment whose head run keeps n PNGs of size bytes
// (roughly) each, and whose base run keeps none.
func gallery(t testing.TB, n, width int) keep {
	return func(side string, seed int64) map[string][]byte {
		if side == compare.SideBase {
			return nil
		}
		files := map[string][]byte{}
		for i := range n {
			files[fmt.Sprintf("fig/%02d.png", i)] = pngOf(t, width, width, color.RGBA{G: uint8(10 * i), R: uint8(seed), A: 255})
		}
		return files
	}
}

func TestReportImageBudget(t *testing.T) {
	ir := newImageRepo(t, map[string]keep{"plots": plots(t), "gallery": gallery(t, 20, 8)})

	t.Run("count: experiments take turns", func(t *testing.T) {
		r, page := ir.render(html.Options{MaxImages: 3})
		if n := len(dataSrc.FindAll(page, -1)); n != 3 {
			t.Fatalf("page embeds %d images, want at most 3", n)
		}
		byName := map[string]*html.Experiment{}
		for _, e := range r.Experiments {
			byName[e.Name] = e
		}
		// Each experiment's first path first: gallery's fig/00.png and
		// plots' out/<b>plot</b>.png (both kept at head only), then one
		// of the second paths.
		g, p := byName["gallery"].Images, byName["plots"].Images
		if g.Rows[0].Head.Src == "" || p.Rows[0].Head.Src == "" {
			t.Errorf("the first image of each experiment should be embedded before any second one")
		}
		if g.Rows[2].Head.Src != "" || p.Rows[2].Head.Src != "" {
			t.Errorf("third paths should be left out")
		}
		// gallery lists at most 3 rows, and says how many more it kept.
		if len(g.Rows) != 3 || !strings.Contains(strings.Join(g.Notes, " "), "17 more image files are not listed") {
			t.Errorf("gallery lists %d rows with notes %q", len(g.Rows), g.Notes)
		}
		if r.ImagesLeftOut == 0 || !bytes.Contains(page, []byte("image file(s) are left out to keep this file small")) {
			t.Errorf("the page does not say images were left out (%d)", r.ImagesLeftOut)
		}
		left := regexp.MustCompile(`Left out to keep this file small \(at most 3 images, [^)]+\)\. Get it with assay artifacts get \S+ (fig/\d\d\.png|out/loss\.png)\.`)
		if !left.Match(page) {
			t.Error("a left-out image does not say how to get it")
		}
	})

	t.Run("bytes", func(t *testing.T) {
		var head0 int64
		for _, f := range mustRunFiles(t, ir, "gallery") {
			if f.Path == "fig/00.png" {
				head0 = f.Size
			}
		}
		// Room for two of gallery's PNGs in all; plots' PNG is larger
		// than one may be.
		_, page := ir.render(html.Options{MaxImagesBytes: 2*head0 + head0/2, MaxImageBytes: head0 + 10})
		total := int64(0)
		for _, m := range dataSrc.FindAllSubmatch(page, -1) {
			body, err := decodeB64(m[2])
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(body)) > head0+10 {
				t.Errorf("an embedded image of %d bytes is over the limit of %d", len(body), head0+10)
			}
			total += int64(len(body))
		}
		if total > 2*head0+head0/2 || total == 0 {
			t.Errorf("images embedded %d bytes, budget %d", total, 2*head0+head0/2)
		}
		if !bytes.Contains(page, []byte("one image may take in this file. Get it with assay artifacts get")) {
			t.Error("an image over the size limit does not say so")
		}
	})

	t.Run("a damaged object is not shown", func(t *testing.T) {
		files := mustRunFiles(t, ir, "gallery")
		var blob string
		for _, f := range files {
			if f.Path == "fig/00.png" {
				u, err := url.Parse(f.URL)
				if err != nil || u.Scheme != "file" {
					t.Fatalf("fig/00.png is stored at %q, want a file:// URL", f.URL)
				}
				blob = filepath.FromSlash(u.Path)
			}
		}
		if err := os.Chmod(blob, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(blob, []byte("tampered"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, page := ir.render(html.Options{})
		if !bytes.Contains(page, []byte("does not match the record")) {
			t.Error("a damaged object is not reported in the page")
		}
		if n := len(dataSrc.FindAll(page, -1)); n != 12 {
			t.Errorf("page embeds %d images, want the default 12 with the damaged one replaced", n)
		}
	})
}

// mustRunFiles lists the head headline run's files of an experiment.
func mustRunFiles(t *testing.T, ir *imageRepo, name string) []runner.ArtifactFile {
	t.Helper()
	for _, e := range ir.c.Experiments {
		if e.Name != name {
			continue
		}
		hr := ir.in.HeadlineRuns(e)
		files, err := ir.source().Artifacts(hr.Head)
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	t.Fatalf("no experiment %s", name)
	return nil
}
