package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reporter/render -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; run with -update if the change is intended):\n%s", path, diff)
	}
}

func compareScenario(t *testing.T, s comparetest.Scenario) *compare.Comparison {
	t.Helper()
	c, err := compare.Compare(s.Input(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGoldenMarkdown(t *testing.T) {
	for _, s := range comparetest.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			md, err := RenderMarkdown(compareScenario(t, s), MarkdownOptions{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, s.Name+".md", []byte(md.String()))
		})
	}
}

func TestGoldenTable(t *testing.T) {
	for _, s := range comparetest.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderTable(&b, compareScenario(t, s), TableOptions{}); err != nil {
				t.Fatal(err)
			}
			golden(t, s.Name+".txt", b.Bytes())
		})
	}
}

func TestGoldenJSON(t *testing.T) {
	for _, s := range comparetest.Scenarios() {
		if s.Name == "forty" {
			// 450 KB of numbers no reviewer reads; the forty-experiment
			// report is covered by its markdown and table goldens, and
			// its JSON by TestJSONDocument.
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderJSON(&b, compareScenario(t, s)); err != nil {
				t.Fatal(err)
			}
			golden(t, s.Name+".json", b.Bytes())
		})
	}
}
