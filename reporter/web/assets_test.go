package web

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/zip"
)

func TestCheckFindsEveryAsset(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	for _, get := range []func() ([]byte, error){Style, Script, ChartLibrary, ChartLibraryLicense} {
		if b, err := get(); err != nil || len(b) == 0 {
			t.Errorf("asset: %d bytes, %v", len(b), err)
		}
	}
}

// A missing asset is an error that names the file and what to do, not a
// panic (a binary built from a module zip that dropped vendor/ used to
// crash every HTML command).
func TestMissingAssetIsAnError(t *testing.T) {
	_, err := read("echarts/absent.js")
	var missing *MissingAssetError
	if !errors.As(err, &missing) || missing.Name != "echarts/absent.js" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read of an absent asset: %v, want a MissingAssetError wrapping fs.ErrNotExist", err)
	}
	for _, want := range []string{"echarts/absent.js", "built without", "install a release"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestAssetPathsSurviveModuleZips checks the module as go install …@version
// sees it: golang.org/x/mod/zip, which makes module zips, must keep every
// embedded asset. It drops any path with a vendor element, among others.
func TestAssetPathsSurviveModuleZips(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := zip.CheckDir(root)
	if err != nil && len(files.Valid) == 0 {
		t.Fatal(err)
	}
	// CheckDir names files by their path on disk.
	rel := func(p string) string {
		r, err := filepath.Rel(root, p)
		if err != nil {
			return p
		}
		return filepath.ToSlash(r)
	}
	kept := map[string]bool{}
	for _, f := range files.Valid {
		kept[rel(f)] = true
	}
	for _, o := range files.Omitted {
		if strings.HasPrefix(rel(o.Path), "reporter/web/") {
			t.Errorf("a module zip leaves out %s: %v", o.Path, o.Err)
		}
	}
	n := 0
	err = fs.WalkDir(Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
			if !kept["reporter/web/assets/"+p] {
				t.Errorf("reporter/web/assets/%s is not in the module zip", p)
			}
		}
		return err
	})
	if err != nil || n < len(required) {
		t.Fatalf("walked %d assets: %v", n, err)
	}
}
