package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// These tests need an S3-compatible server, which testscript scripts
// cannot start: the one here is gofakes3 over real HTTP in this process,
// reached by assay's own S3 client. The scenarios with a file store are
// in testdata/script/artifacts_report_*.txtar.

// The plots the trials write: 24 × 16 at base (acc 0.8), 20 × 16 at
// head (acc 0.9).
var plotPNG = map[string]string{
	"0.8": "iVBORw0KGgoAAAANSUhEUgAAABgAAAAQCAIAAACDRijCAAAAJUlEQVR4nGLhY2Bg4KICYmFg4GegBhg1aNSgUYNGqkGAAAAA///VvQIWQo0FwwAAAABJRU5ErkJggg==",
	"0.9": "iVBORw0KGgoAAAANSUhEUgAAABQAAAAQCAIAAACZeshMAAAAJElEQVR4nGJhZGBg4CITsTAw8DOQC0Y1j2oe1UxtzYAAAAD///BgAeERF3drAAAAAElFTkSuQmCC",
}

// s3Store serves bucket over HTTP; writes fail while down is set, and
// stop closes the server.
func s3Store(t *testing.T, bucket string) (storeURL string, down *atomic.Bool, stop func()) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	inner := gofakes3.New(backend).Server()
	down = &atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
			http.Error(w, "<Error><Code>ServiceUnavailable</Code><Message>down for maintenance</Message></Error>", http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "assay-test", "AWS_SECRET_ACCESS_KEY": "assay-test-secret",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"} {
		t.Setenv(k, v)
	}
	return fmt.Sprintf("s3://%s/team?endpoint=%s&region=us-east-1&use_path_style=true", bucket, srv.URL), down, srv.Close
}

func plotProject(t *testing.T, storeURL string) map[string]string {
	files := map[string]string{
		"assay.hcl": fmt.Sprintf(`project {
  artifact_store = %q
}

executor "local" {
  gpus   = []
  labels = ["cpu"]
}
`, storeURL),
		"experiments/plot.hcl": `experiment "plot" {
  command = ["sh", "train.sh", "${param.acc}", "${seed}"]
  params  = { acc = "0.8" }
  seeds   = [1, 2]
  metric "acc" { goal = "maximize" }
}
`,
		"train.sh": `echo "{\"acc\": $1$2}" >> "$ASSAY_METRICS_FILE"
cp "plot-$1.png" "$ASSAY_ARTIFACTS_DIR/plot.png"
echo "weights $1 $2" > "$ASSAY_ARTIFACTS_DIR/model.pt"
`,
	}
	for acc, b64 := range plotPNG {
		png, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		files["plot-"+acc+".png"] = string(png)
	}
	return files
}

// artifactItem is one side's line of links in a comment.
var artifactItem = regexp.MustCompile("(?m)^- (head|base) run `([^`]+)` \\(seed (\\d)\\): (.*)$")

// sideLinks are one side's artifact item in a comment: the run's seed and
// its links by path.
type sideLinks struct {
	seed  string
	links map[string]string
}

// commentLinks returns each side's artifact item.
func commentLinks(t *testing.T, comment string) map[string]*sideLinks {
	t.Helper()
	out := map[string]*sideLinks{}
	link := regexp.MustCompile(`\[([^\]]+)\]\(([^)]+)\)`)
	for _, m := range artifactItem.FindAllStringSubmatch(comment, -1) {
		sl := &sideLinks{seed: m[3], links: map[string]string{}}
		for _, l := range link.FindAllStringSubmatch(m[4], -1) {
			sl.links[l[1]] = l[2]
		}
		out[m[1]] = sl
	}
	return out
}

func TestReportLinksArtifactsOfAnS3Store(t *testing.T) {
	storeURL, down, stop := s3Store(t, "artifacts")
	e := newReportEnv(t, plotProject(t, storeURL))
	e.mustAssay("run", "--all")
	base := e.git("rev-parse", "HEAD")
	e.git("checkout", "-q", "-b", "feature")

	// Change the experiment, and run the head while the store is down:
	// its files wait, pending, in this repository's .git/assay.
	spec := filepath.Join(e.dir, "experiments/plot.hcl")
	src, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec, []byte(strings.Replace(string(src), `acc = "0.8"`, `acc = "0.9"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	e.git("commit", "-q", "-am", "raise the accuracy")
	head := e.git("rev-parse", "HEAD")
	down.Store(true)
	code, _, errOut := e.assay("run", "--base", base)
	if code != 0 || !strings.Contains(errOut, "could not be uploaded to the artifact store") {
		t.Fatalf("assay run with the store down: exit %d\n%s", code, errOut)
	}
	down.Store(false)

	out := e.mustAssay("report", "--pr", "7", "--base", base, "--head", head, "--dry-run")
	links := commentLinks(t, out)
	if links["head"] != nil {
		t.Errorf("the head run's files are pending, yet the comment links them: %v", links["head"].links)
	}
	checkStoreLinks(t, links["base"], "base", "0.8")

	// The interactive report shows both sides' plot: base's from the
	// store, head's from the copy kept here.
	page := e.mustAssay("compare", "--base", base, "--head", head, "--format", "html")
	for side, acc := range map[string]string{"base": "0.8", "head": "0.9"} {
		want := `<img class="artifact" src="data:image/png;base64,` + plotPNG[acc] + `" alt="plot.png of the ` + side + ` run"`
		if !strings.Contains(page, want) {
			t.Errorf("the HTML report does not show the %s run's plot.png", side)
		}
	}

	// Once assay sync has stored them, the head's files are linked too.
	if code, _, errOut := e.assay("sync"); code != 0 {
		t.Fatalf("assay sync: exit %d\n%s", code, errOut)
	}
	out = e.mustAssay("report", "--pr", "7", "--base", base, "--head", head, "--dry-run")
	links = commentLinks(t, out)
	checkStoreLinks(t, links["base"], "base", "0.8")
	checkStoreLinks(t, links["head"], "head", "0.9")
	if !regexp.MustCompile("(?m)^\\*\\*Artifacts\\*\\*$").MatchString(out) {
		t.Errorf("the comment has no Artifacts heading:\n%s", out)
	}

	// With the store unreachable, the HTML report shows the copies kept
	// here, and the comment still links the files where they are stored.
	stop()
	page = e.mustAssay("compare", "--base", base, "--head", head, "--format", "html")
	for side, acc := range map[string]string{"base": "0.8", "head": "0.9"} {
		if !strings.Contains(page, `src="data:image/png;base64,`+plotPNG[acc]+`" alt="plot.png of the `+side+` run"`) {
			t.Errorf("with the store down, the HTML report does not show the %s run's plot.png", side)
		}
	}
	out = e.mustAssay("report", "--pr", "7", "--base", base, "--head", head, "--dry-run")
	if links := commentLinks(t, out); links["head"] == nil || links["base"] == nil {
		t.Errorf("with the store down, the comment lost its links:\n%s", out)
	}
}

// checkStoreLinks follows each link as a reviewer's browser would: it
// must serve the file the trial wrote.
func checkStoreLinks(t *testing.T, sl *sideLinks, side, acc string) {
	t.Helper()
	if sl == nil {
		t.Fatalf("the comment links no file of the %s run", side)
	}
	links := sl.links
	if len(links) != 2 || links["plot.png"] == "" || links["model.pt"] == "" {
		t.Fatalf("%s links = %v, want plot.png and model.pt", side, links)
	}
	png, _ := base64.StdEncoding.DecodeString(plotPNG[acc])
	for path, u := range links {
		if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/artifacts/team/sha256/[0-9a-f]{2}/[0-9a-f]{64}$`).MatchString(u) {
			t.Errorf("%s %s is linked to %s, not to its object on the store's server", side, path, u)
			continue
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := string(png)
		if path == "model.pt" {
			want = "weights " + acc + " " + sl.seed + "\n"
		}
		if resp.StatusCode != http.StatusOK || string(body) != want {
			t.Errorf("GET %s (%s of %s): %s, %q", u, path, side, resp.Status, body)
		}
	}
}
