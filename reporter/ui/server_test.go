package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/ui"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

type uiEnv struct {
	fx  *fixture.Fixture
	srv *ui.Server
	ts  *httptest.Server
}

func newUI(t *testing.T) *uiEnv {
	t.Helper()
	fx := fixture.Build(t, fixture.Options{})
	srv, err := ui.New(ui.Options{Store: fx.Store, Specs: fx.Head.Experiments, Project: "demo", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &uiEnv{fx: fx, srv: srv, ts: ts}
}

func (u *uiEnv) get(t *testing.T, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(u.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

var rowRE = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)

func countRows(body string) int {
	m := rowRE.FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	return strings.Count(m[1], "<tr")
}

func TestPagesOverTheResultsBranch(t *testing.T) {
	u := newUI(t)
	idx, err := u.fx.Store.Index()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("runs", func(t *testing.T) {
		code, h, body := u.get(t, "/")
		if code != 200 {
			t.Fatalf("GET / = %d", code)
		}
		if got := countRows(body); got != len(idx.Entries) {
			t.Errorf("explorer lists %d runs, the branch has %d", got, len(idx.Entries))
		}
		if h.Get("Content-Security-Policy") != ui.ContentSecurityPolicy {
			t.Errorf("CSP = %q", h.Get("Content-Security-Policy"))
		}
		_, _, body = u.get(t, "/?experiment=resnet")
		if got := countRows(body); got != 6 {
			t.Errorf("experiment=resnet lists %d runs, want 6 (3 seeds × 2 sides)", got)
		}
		_, _, body = u.get(t, "/?where="+urlQuery(`experiment == "ridge" && metrics.val_acc > 0.75`))
		want := 0
		for _, e := range idx.Entries {
			if v, ok := e.Metrics["val_acc"]; ok && e.Experiment == "ridge" && v > 0.75 {
				want++
			}
		}
		if got := countRows(body); got != want || want == 0 {
			t.Errorf("--where lists %d runs, want %d", got, want)
		}
		// Sorting as ls --sort does: the best resnet run first.
		_, _, body = u.get(t, "/?experiment=resnet&sort="+urlQuery("-metrics.val_acc"))
		best, bestRun := -1.0, ""
		for _, e := range idx.Entries {
			if v := e.Metrics["val_acc"]; e.Experiment == "resnet" && v > best {
				best, bestRun = v, e.RunID
			}
		}
		if first := regexp.MustCompile(`href="/runs/([^"]+)"`).FindStringSubmatch(body); first == nil || first[1] != bestRun {
			t.Errorf("sort=-metrics.val_acc lists %v first, want %s", first, bestRun)
		}
		code, _, body = u.get(t, "/?where="+urlQuery(`metrics.val_acc >`))
		if code != http.StatusBadRequest || !strings.Contains(body, "The query is not valid: invalid --where expression") {
			t.Errorf("a broken expression gives %d without saying why:\n%s", code, body)
		}
	})

	t.Run("experiment", func(t *testing.T) {
		code, _, body := u.get(t, "/experiments/ridge")
		if code != 200 {
			t.Fatalf("GET /experiments/ridge = %d", code)
		}
		// Best configs come first: the ranks follow the val_acc means.
		if !strings.Contains(body, `data-chart="history"`) || !strings.Contains(body, `data-chart="curves"`) {
			t.Error("experiment page lacks its history or curves")
		}
		means := regexp.MustCompile(`<td class="num">(\d+)</td>\s*<td class="mono">[^<]*</td>\s*<td class="num">\d+</td><td class="num" data-sort="([^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(means) < 2 {
			t.Fatalf("no config rows found")
		}
		for i := 1; i < len(means); i++ {
			if atof(means[i-1][2]) < atof(means[i][2]) {
				t.Errorf("config ranked %s (%s) above one with a higher val_acc (%s)", means[i-1][1], means[i-1][2], means[i][2])
			}
		}
		code, _, body = u.get(t, "/experiments/nope")
		if code != 404 || !strings.Contains(body, "no runs of experiment") {
			t.Errorf("unknown experiment: %d", code)
		}
	})

	t.Run("compare", func(t *testing.T) {
		code, _, body := u.get(t, "/compare?base=1111111&head=%2342")
		if code != 200 {
			t.Fatalf("compare = %d:\n%s", code, body)
		}
		for _, want := range []string{`id="summary-table"`, ">ridge<", ">resnet<", "params.lr", `data-chart="parallel"`} {
			if !strings.Contains(body, want) {
				t.Errorf("compare page lacks %s", want)
			}
		}
		code, _, body = u.get(t, "/compare?base=1111111&head=%23999")
		if code != 400 || !strings.Contains(body, "no runs from pull request #999") {
			t.Errorf("an unknown PR gives %d:\n%s", code, body)
		}
		code, _, _ = u.get(t, "/compare")
		if code != 200 {
			t.Errorf("compare form = %d", code)
		}
	})

	t.Run("run", func(t *testing.T) {
		var failed *results.Entry
		for _, e := range idx.Entries {
			if e.Status == "failed" {
				failed = e
			}
		}
		code, _, body := u.get(t, "/runs/"+failed.RunID)
		if code != 200 || !strings.Contains(body, "ValueError: &lt;b&gt;bad&lt;/b&gt; &amp; worse") {
			t.Errorf("run page = %d, without its escaped log tail", code)
		}
		code, _, _ = u.get(t, "/runs/zzzz")
		if code != 404 {
			t.Errorf("unknown run = %d", code)
		}
	})

	t.Run("hostile text stays text", func(t *testing.T) {
		var intruder string
		for _, e := range idx.Entries {
			if e.Experiment == "intruder" {
				intruder = e.RunID
			}
		}
		for _, p := range []string{"/", "/experiments/intruder", "/experiments/ridge", "/compare?base=1111111&head=2222222", "/runs/" + intruder} {
			code, _, body := u.get(t, p)
			if code != 200 {
				t.Errorf("GET %s = %d", p, code)
			}
			if strings.Contains(body, fixture.Hostile) {
				t.Errorf("GET %s holds %s unescaped", p, fixture.Hostile)
			}
			if !strings.Contains(body, "&lt;script&gt;") && !strings.Contains(body, `\u003cscript\u003e`) {
				t.Errorf("GET %s does not show the hostile name at all", p)
			}
		}
	})
}

func TestReadOnlyAndLoopbackOnly(t *testing.T) {
	fx := fixture.Build(t, fixture.Options{NoSingle: true, NoCanary: true})
	srv, err := ui.New(ui.Options{Store: fx.Store})
	if err != nil {
		t.Fatal(err)
	}
	ln, exposed, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if exposed {
		t.Error("127.0.0.1 counted as exposed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ui.Serve(ctx, ln, srv) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	base := ui.URL(ln)

	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(method, base, strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s / = %d, want 405", method, resp.StatusCode)
		}
	}
	for host, want := range map[string]int{"evil.example": 421, "localhost" + portOf(base): 200, "127.0.0.1" + portOf(base): 200, "127.0.0.1:1": 421} {
		req, _ := http.NewRequest("GET", base, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
	resp, err := http.Get(base + "assets/echarts/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("chart library: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// Another port: the address in use is a clear error.
	if _, _, err := srv.Listen(strings.TrimPrefix(strings.TrimSuffix(base, "/"), "http://")); err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Errorf("listening twice: %v", err)
	}
}

func portOf(u string) string {
	i := strings.LastIndex(u, ":")
	return strings.TrimSuffix(u[i:], "/")
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", " ", "%20", "=", "%3D", ">", "%3E", "<", "%3C", `"`, "%22", "#", "%23", "+", "%2B").Replace(s)
}

func atof(s string) float64 {
	var f float64
	fmt.Sscan(s, &f)
	return f
}
