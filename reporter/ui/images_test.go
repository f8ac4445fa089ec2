package ui_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/reporter/ui"
	"github.com/assaylab/assay/runner"
)

// plotFiles is an artifact reader whose every run kept one plot. It
// counts the runs whose bytes were read, and the calls that overlapped
// another: like the results store behind the real reader, it is not
// safe for concurrent use.
type plotFiles struct {
	data []byte
	mu   sync.Mutex
	read map[string]bool
	// busy is held for the length of each call; overlaps counts calls
	// that found it held.
	busy     sync.Mutex
	overlaps atomic.Int32
}

// enter marks a call in progress, noting an overlap, and returns its end.
func (p *plotFiles) enter() func() {
	if !p.busy.TryLock() {
		p.overlaps.Add(1)
		return func() {}
	}
	time.Sleep(2 * time.Millisecond) // long enough for another page to arrive
	return p.busy.Unlock
}

func newPlotFiles(t *testing.T) *plotFiles {
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for x := range 8 {
		img.Set(x, 1, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return &plotFiles{data: buf.Bytes(), read: map[string]bool{}}
}

func (p *plotFiles) file() runner.ArtifactFile {
	sum := sha256.Sum256(p.data)
	return runner.ArtifactFile{Path: "plots/loss.png", Size: int64(len(p.data)), SHA256: hex.EncodeToString(sum[:]), MediaType: "image/png"}
}

func (p *plotFiles) Files(*runner.Result) ([]runner.ArtifactFile, error) {
	defer p.enter()()
	return []runner.ArtifactFile{p.file()}, nil
}

func (p *plotFiles) Read(r *runner.Result, _ runner.ArtifactFile, w io.Writer) error {
	defer p.enter()()
	p.mu.Lock()
	p.read[r.RunID] = true
	p.mu.Unlock()
	_, err := w.Write(p.data)
	return err
}

// The compare page embeds the headline runs' images, base beside head,
// when the server is given a reader of runs' files; without one it shows
// none.
func TestComparePageShowsImages(t *testing.T) {
	fx := fixture.Build(t, fixture.Options{})
	files := newPlotFiles(t)
	srv, err := ui.New(ui.Options{Store: fx.Store, Specs: fx.Head.Experiments, Logf: t.Logf,
		Artifacts: func() ui.ArtifactReader { return files }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	u := &uiEnv{fx: fx, srv: srv, ts: ts}
	code, _, body := u.get(t, "/compare?base=1111111&head=%2342")
	if code != 200 {
		t.Fatalf("compare = %d:\n%s", code, body)
	}
	src := "data:image/png;base64," + base64.StdEncoding.EncodeToString(files.data)
	if !strings.Contains(body, "<h3>Images</h3>") || !strings.Contains(body, "plots/loss.png") || !strings.Contains(body, src) {
		t.Fatalf("compare page lacks the embedded plot")
	}
	if len(files.read) < 2 {
		t.Errorf("read the files of %d runs, want the base's and the head's headline runs", len(files.read))
	}

	_, _, plain := newUI(t).get(t, "/compare?base=1111111&head=%2342")
	if strings.Contains(plain, "<h3>Images</h3>") {
		t.Error("a server without an artifact reader shows images")
	}
}

// Pages asked for at once all answer, and the store and files behind
// them are read by one page at a time.
func TestPagesAtOnce(t *testing.T) {
	fx := fixture.Build(t, fixture.Options{})
	files := newPlotFiles(t)
	srv, err := ui.New(ui.Options{Store: fx.Store, Specs: fx.Head.Experiments, Logf: t.Logf,
		Artifacts: func() ui.ArtifactReader { return files }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	idx, err := fx.Store.Index()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/compare?base=1111111&head=%2342", "/", "/compare?base=%2342&head=1111111", "/experiments/ridge", "/runs/" + idx.Entries[0].RunID}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(paths))
	for i := range 4 * len(paths) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(ts.URL + paths[i%len(paths)])
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("GET %s = %d", paths[i%len(paths)], resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := files.overlaps.Load(); n > 0 {
		t.Errorf("%d reads of run files overlapped another page's", n)
	}
}
