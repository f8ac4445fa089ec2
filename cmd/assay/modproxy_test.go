//go:build e2e

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// modulePath is assay's module, as go install names it.
const modulePath = "github.com/assaylab/assay"

// moduleProxy is a file GOPROXY that serves a module zip of this checkout
// at a pseudo-version, as the Go module proxy would serve a commit; the
// dependencies come from the local module cache, which is a valid file
// proxy too. Nothing is fetched from the network.
type moduleProxy struct {
	// Version is the pseudo-version the zip is served at; Commit the
	// short commit a go install …@COMMIT resolves to it.
	Version, Commit string
	// Env is what go needs to install from it, offline.
	Env []string
}

// newModuleProxy zips the checkout's files (tracked, and untracked but not
// ignored: what a commit of the working tree would hold) with
// golang.org/x/mod/zip, which applies the module zip rules, into a file
// proxy under t.TempDir(). What go extracts into the module cache for this
// version is removed when the test ends.
func newModuleProxy(t *testing.T, repoRoot string) *moduleProxy {
	t.Helper()
	commit := strings.Repeat("0", 12)
	if out, err := exec.Command("git", "-C", repoRoot, "rev-parse", "HEAD").Output(); err == nil && len(out) >= 12 {
		commit = string(out[:12])
	}
	// A new timestamp each run: the module cache keeps what it extracted
	// for a version, and an earlier run's zip must never be reused.
	now := time.Now().UTC()
	version := fmt.Sprintf("v0.0.0-%s-%s", now.Format("20060102150405"), commit)
	dir := filepath.Join(t.TempDir(), "proxy")
	at := filepath.Join(dir, modulePath, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command("git", "-C", repoRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("listing the checkout's files: %v", err)
	}
	var files []zip.File
	seen := map[string]bool{}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if seen[name] { // a path in a merge conflict is listed once per stage
			continue
		}
		seen[name] = true
		if fi, err := os.Lstat(filepath.Join(repoRoot, name)); err == nil && fi.Mode().IsRegular() {
			files = append(files, checkoutFile{root: repoRoot, name: name})
		}
	}
	zf, err := os.Create(filepath.Join(at, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	mv := module.Version{Path: modulePath, Version: version}
	if err := zip.Create(zf, mv, files); err != nil {
		t.Fatalf("zipping the module: %v", err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": now.Format(time.RFC3339)})
	for name, data := range map[string][]byte{
		version + ".mod":  gomod,
		version + ".info": info,
		// go install …@<commit> asks the proxy what the commit is.
		commit + ".info": info,
		"list":           []byte(version + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	modcache := goEnv(t, "GOMODCACHE")
	t.Cleanup(func() { forgetModule(modcache, version, commit) })
	return &moduleProxy{
		Version: version,
		Commit:  commit,
		Env: []string{
			"GOPROXY=file://" + filepath.ToSlash(dir) + ",file://" + filepath.ToSlash(filepath.Join(modcache, "cache", "download")),
			"GOSUMDB=off", "GOTOOLCHAIN=local",
			// The flags of the release build (.goreleaser.yaml), so that
			// every build of assay in make e2e-workflow shares one compile
			// of its dependencies in the build cache.
			"CGO_ENABLED=0", "GOFLAGS=-mod=mod -trimpath",
			"GOMODCACHE=" + modcache, "GOCACHE=" + goEnv(t, "GOCACHE"),
		},
	}
}

// forgetModule removes this run's pseudo-version of assay from the module
// cache (go makes extracted modules read-only).
func forgetModule(modcache, version, commit string) {
	extracted := filepath.Join(modcache, modulePath+"@"+version)
	filepath.Walk(extracted, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
	os.RemoveAll(extracted)
	dl := filepath.Join(modcache, "cache", "download", modulePath, "@v")
	for _, suffix := range []string{".zip", ".mod", ".info", ".ziphash", ".lock", ".partial"} {
		os.Remove(filepath.Join(dl, version+suffix))
	}
	os.Remove(filepath.Join(dl, commit+".info"))
	// go lists the versions it has seen; assay's own are only ever this
	// test's.
	os.Remove(filepath.Join(dl, "list"))
	os.Remove(dl)
	os.Remove(filepath.Dir(dl))
	os.Remove(filepath.Join(modcache, filepath.Dir(modulePath)))
}

// checkoutFile is one file of the checkout, as zip.Create reads it.
type checkoutFile struct{ root, name string }

func (f checkoutFile) Path() string { return filepath.ToSlash(f.name) }
func (f checkoutFile) Lstat() (os.FileInfo, error) {
	return os.Lstat(filepath.Join(f.root, f.name))
}
func (f checkoutFile) Open() (io.ReadCloser, error) { return os.Open(filepath.Join(f.root, f.name)) }

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// repoRoot is the checkout this package lives in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
