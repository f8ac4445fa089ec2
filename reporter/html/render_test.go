package html_test

import (
	"bytes"
	"encoding/json"
	stdhtml "html"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/reporter/web"
)

func render(t *testing.T, fx *fixture.Fixture, opts html.Options) (*html.Report, []byte) {
	t.Helper()
	r := html.FromComparison(fx.Comparison, html.Source{Input: fx.Input, Series: fx.Series}, opts)
	var buf bytes.Buffer
	if err := html.Render(&buf, r); err != nil {
		t.Fatal(err)
	}
	return r, buf.Bytes()
}

// TestReportFile checks the rendered file as text: what it may load and
// how it carries user text.
func TestReportFile(t *testing.T) {
	fx := fixture.Build(t, fixture.Options{})
	_, page := render(t, fx, html.Options{})
	t.Run("self-contained", func(t *testing.T) { checkSelfContained(t, page) })
	t.Run("escapes user text", func(t *testing.T) { checkEscaped(t, page) })
}

func checkSelfContained(t *testing.T, page []byte) {
	// Outside the inlined scripts, nothing may point elsewhere: no
	// src, no stylesheet link, no absolute href. (The browser test
	// watches the network as well.)
	markup := regexp.MustCompile(`(?s)<script[^>]*>.*?</script>|<pre>.*?</pre>`).ReplaceAll(page, nil)
	for _, bad := range []string{"src=", "<link", `href="http`, `href="//`, "url("} {
		if i := bytes.Index(markup, []byte(bad)); i >= 0 {
			t.Errorf("report refers to something outside itself: %q near %q", bad, context(markup, i))
		}
	}
	// Every inline script and the style must be allowed by hash in the
	// page's own policy, or the browser would refuse to run them.
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindSubmatch(page)
	if csp == nil {
		t.Fatal("report has no Content-Security-Policy")
	}
	policy := stdhtml.UnescapeString(string(csp[1]))
	for _, m := range regexp.MustCompile(`(?s)<script type="module">(.*?)</script>`).FindAllSubmatch(page, -1) {
		if h := web.CSPHash(m[1]); !strings.Contains(policy, h) {
			t.Errorf("inline script of %d bytes is not allowed by the policy (%s missing)", len(m[1]), h)
		}
	}
	if !strings.Contains(policy, "connect-src 'none'") || !strings.Contains(policy, "default-src 'none'") {
		t.Errorf("policy does not forbid network access: %s", policy)
	}
}

func context(b []byte, i int) string {
	return string(b[max(0, i-60):min(len(b), i+60)])
}

func checkEscaped(t *testing.T, page []byte) {
	if bytes.Contains(page, []byte(fixture.Hostile)) {
		t.Fatalf("report holds %s unescaped", fixture.Hostile)
	}
	escaped := []byte("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	if !bytes.Contains(page, escaped) {
		t.Errorf("report does not show the hostile name as text")
	}
	data := regexp.MustCompile(`(?s)<script type="application/json" id="assay-data">(.*?)</script>`).FindSubmatch(page)
	if data == nil {
		t.Fatal("report embeds no data")
	}
	var got struct {
		Experiments []struct {
			Name     string `json:"name"`
			Parallel *struct {
				Params []string `json:"params"`
			} `json:"parallel"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal(data[1], &got); err != nil {
		t.Fatalf("embedded data is not JSON: %v", err)
	}
	names := map[string]bool{}
	for _, e := range got.Experiments {
		names[e.Name] = true
	}
	for _, want := range []string{"ridge", "resnet", "canary", "intruder"} {
		if !names[want] {
			t.Errorf("experiment %s missing from the data; have %v", want, names)
		}
	}
}

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }
