// Command genrepo writes a large, realistic assay repository for the plan
// benchmark: many files, many experiments, and two commits (tagged A and
// B) that differ in a handful of files.
//
//	genrepo -dir /tmp/big -files 100000 -experiments 1000
//
// Layout: assay.hcl; experiments/<team>/eNNNN.hcl, one experiment each,
// in workdir models/mNNNN (a sweep of 2×2 points and 2 seeds, so 8 trials);
// models/mNNNN/ holds the training code in nested packages; vendor/ and
// data/ fill the repository up to -files. Every tenth experiment lists
// explicit inputs (its model and a data lock file) instead of the default.
//
// Commit B changes, relative to A: the learning rate in two experiment
// files, one model file each in two other experiments, and one data lock
// file that several experiments with explicit inputs read. So exactly
// those experiments are modified and the rest unchanged.
//
// The history is written with git fast-import and then repacked with
// deltas, as a real repository is after git gc.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "", "directory to create the repository in (must not exist)")
	files := flag.Int("files", 100000, "number of files in the repository")
	exps := flag.Int("experiments", 1000, "number of experiments")
	flag.Parse()
	if *dir == "" || *exps < 10 || *files < *exps*20 {
		fmt.Fprintln(os.Stderr, "usage: genrepo -dir DIR [-files N] [-experiments M]  (M ≥ 10, N ≥ 20·M)")
		os.Exit(2)
	}
	if err := generate(*dir, *files, *exps); err != nil {
		fmt.Fprintln(os.Stderr, "genrepo:", err)
		os.Exit(1)
	}
}

func generate(dir string, files, exps int) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists; remove it or choose another -dir", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := git(dir, nil, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	g := &gen{w: w, exps: exps, files: files}
	g.commitA()
	g.commitB()
	if err := w.Flush(); err != nil {
		return err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	for _, args := range [][]string{
		{"tag", "A", "refs/heads/main~1"},
		{"tag", "B", "refs/heads/main"},
		{"repack", "-a", "-d", "-q"},
		{"reset", "-q", "--hard", "B"},
	} {
		if err := git(dir, nil, args...); err != nil {
			return err
		}
	}
	return nil
}

func git(dir string, stdout io.Writer, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, os.Stderr
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@example.com",
		"GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@example.com")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %v: %w", args, err)
	}
	return nil
}

type gen struct {
	w           *bufio.Writer
	exps, files int
	mark        int
}

// file writes one inline file modification into the current commit.
func (g *gen) file(path, content string) {
	fmt.Fprintf(g.w, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
}

func (g *gen) begin(msg string, when int64, parent bool) {
	g.mark++
	fmt.Fprintf(g.w, "commit refs/heads/main\nmark :%d\ncommitter bench <bench@example.com> %d +0000\ndata %d\n%s\n",
		g.mark, when, len(msg), msg)
	if parent {
		fmt.Fprintf(g.w, "from :%d\n", g.mark-1)
	}
}

// modelFiles is how many files each model directory holds.
func (g *gen) modelFiles() int { return 60 }

func (g *gen) commitA() {
	g.begin("A: the whole repository", 1700000000, false)
	g.file("assay.hcl", "project {\n  experiments = [\"experiments/**/*.hcl\"]\n}\n\nexecutor \"local\" {\n  labels = [\"gpu\", \"cpu\"]\n}\n")
	g.file("README.md", "# a big repository\n")
	n := 2
	for e := 0; e < g.exps; e++ {
		g.file(specPath(e), specText(e, 0.1))
		n++
		for i := 0; i < g.modelFiles(); i++ {
			g.file(modelFile(e, i), modelText(e, i, 0))
			n++
		}
	}
	for i := 0; i < 10; i++ {
		g.file(fmt.Sprintf("data/set%d.lock", i), fmt.Sprintf("sha256:%064d\n", i))
		n++
	}
	// Fill up with vendored code nobody's inputs cover, in a deep tree.
	for i := 0; n < g.files; i++ {
		g.file(fmt.Sprintf("vendor/pkg%03d/sub%02d/file%04d.go", i%400, (i/400)%20, i), fmt.Sprintf("package p\n\nconst X%d = %d\n", i, i))
		n++
	}
}

func (g *gen) commitB() {
	g.begin("B: a handful of edits", 1700003600, true)
	g.file(specPath(3), specText(3, 0.03))
	g.file(specPath(g.exps/2), specText(g.exps/2, 0.03))
	g.file(modelFile(7, 0), modelText(7, 0, 1))
	g.file(modelFile(g.exps-2, 5), modelText(g.exps-2, 5, 1))
	g.file("data/set0.lock", fmt.Sprintf("sha256:%064d\n", 100))
}

func specPath(e int) string {
	return filepath.ToSlash(fmt.Sprintf("experiments/team%02d/e%04d.hcl", e%20, e))
}

func modelDir(e int) string { return fmt.Sprintf("models/m%04d", e) }

// modelFile spreads a model's files over a few nested packages.
func modelFile(e, i int) string {
	if i == 0 {
		return modelDir(e) + "/train.py"
	}
	return fmt.Sprintf("%s/pkg%d/sub%d/mod%02d.py", modelDir(e), i%3, i%2, i)
}

func modelText(e, i, version int) string {
	return fmt.Sprintf("# model %d file %d version %d\nimport torch\n\ndef step(x):\n    return x * %d\n", e, i, version, e+i)
}

func specText(e int, lr float64) string {
	inputs := ""
	if e%10 == 0 {
		inputs = fmt.Sprintf("  inputs  = [\"%s/**\", \"data/set%d.lock\"]\n", modelDir(e), (e/10)%10)
	}
	labels, gpus := `["gpu"]`, 1
	if e%3 == 0 {
		labels, gpus = `["cpu"]`, 0
	}
	return fmt.Sprintf(`experiment "e%04d" {
  description = "experiment %d"
  command     = ["python", "train.py", "--lr=${param.lr}", "--bs=${param.batch_size}", "--seed=${seed}"]
  workdir     = "%s"
%s  params = {
    lr         = %g
    batch_size = 128
  }
  sweep {
    param "lr" { values = [%g, %g] }
    param "batch_size" { values = [64, 128] }
  }
  seeds = [1, 2]
  runner {
    labels = %s
    gpus   = %d
  }
  metric "val_acc" { goal = "maximize" }
}
`, e, e, modelDir(e), inputs, lr, lr, lr/10, labels, gpus)
}
