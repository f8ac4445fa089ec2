//go:build e2e

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/web"
)

// TestInstallFromModuleZip installs assay the way go install …@version
// does, from a module zip of this checkout served by a file GOPROXY
// (offline), and renders an HTML report with that binary. Module zips
// leave out paths a build from the checkout has (every vendor/ element);
// an embedded asset under one once made every HTML command panic.
func TestInstallFromModuleZip(t *testing.T) {
	for _, bin := range []string{"git", "go", "sh"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", bin)
		}
	}
	proxy := newModuleProxy(t, repoRoot(t))
	gobin := t.TempDir()
	install := exec.Command("go", "install", "-tags", "disable_grpc_modules", modulePath+"/cmd/assay@"+proxy.Commit)
	install.Dir = t.TempDir() // outside any module, as a user runs it
	install.Env = append(os.Environ(), append(proxy.Env, "GOBIN="+gobin)...)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install …@%s: %v\n%s", proxy.Commit, err, out)
	}
	bin := filepath.Join(gobin, "assay")

	// Go stamps the module version into the binary; --version reads it.
	if out := runIn(t, "", nil, bin, "--version"); out != "assay "+proxy.Version+" (commit "+proxy.Commit+")" {
		t.Errorf("assay --version: %q, want the module's pseudo-version and commit", out)
	}

	// A repository with results on both sides of a change.
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "NO_COLOR=1", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com"}
	files := map[string]string{
		"assay.hcl": "executor \"local\" {\n  gpus = []\n}\n",
		"experiments/fit.hcl": `experiment "fit" {
  command = ["sh", "fit.sh", "${param.lr}", "${seed}"]
  inputs  = ["fit.sh"]
  params  = { lr = 0.1 }
  seeds   = [1, 2, 3]
  metric "loss" { goal = "minimize" }
}
`,
		"fit.sh": `awk -v lr="$1" -v seed="$2" 'BEGIN { printf "{\"step\": 1, \"loss\": %.4f}\n", 1 - lr + seed * 0.001 }' >> "$ASSAY_METRICS_FILE"` + "\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runIn(t, dir, env, "git", "init", "-q", "-b", "main")
	runIn(t, dir, env, "git", "add", "-A")
	runIn(t, dir, env, "git", "commit", "-q", "-m", "fit")
	base := runIn(t, dir, env, "git", "rev-parse", "HEAD")
	runIn(t, dir, env, bin, "run", "--all")
	replaceIn(t, filepath.Join(dir, "experiments/fit.hcl"), "lr = 0.1", "lr = 0.3")
	runIn(t, dir, env, "git", "commit", "-q", "-am", "lr 0.3")
	runIn(t, dir, env, bin, "run", "--base", base)

	html := runIn(t, dir, env, bin, "compare", "--base", base, "--head", "HEAD", "--format", "html")
	chart, err := web.ChartLibrary()
	if err != nil {
		t.Fatal(err)
	}
	// The chart library is inlined whole, and the report names its version.
	if !strings.Contains(html, string(web.InlineSafe(chart))[:4096]) || !strings.Contains(html, web.ChartLibraryVersion) {
		t.Errorf("the report of a go-installed binary lacks ECharts (%d bytes of HTML)", len(html))
	}
	if !strings.Contains(html, "fit") || !strings.Contains(html, "<html") {
		t.Errorf("the report does not show the experiment:\n%.2000s", html)
	}
}

// runIn runs a command in dir with the environment env added to a minimal
// one, fails the test on a non-zero exit, and returns its output trimmed.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return strings.TrimSpace(string(out))
}
