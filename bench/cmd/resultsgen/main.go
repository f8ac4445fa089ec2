// Command resultsgen makes realistic run records for the results-branch
// benchmark: 500-step series for three metrics, a few KiB of log (more for
// failed runs), the params and metrics of a typical sweep. It writes them
// either as a git fast-import stream of results-branch commits (the files
// exactly as assay records them, through results.RunFiles, with the index
// segments assay's writers add beside them, results.SegmentWriter) or into
// an assay spool, for assay sync to deliver.
//
//	resultsgen -n 100000 -per-commit 500 | git fast-import --quiet
//	resultsgen -n 100000 -no-segments | git fast-import --quiet   # as an older assay wrote it
//	resultsgen -n 100 -spool .git/assay/spool
package main

import (
	"bufio"
	"crypto/sha1"
	"crypto/sha256"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

func main() {
	n := flag.Int("n", 1000, "runs to make")
	perCommit := flag.Int("per-commit", 100, "runs per results commit (fast-import)")
	seed := flag.Uint64("seed", 1, "random seed")
	start := flag.Int("start", 0, "number of the first run (to add runs to an existing branch)")
	spoolDir := flag.String("spool", "", "write the runs into this spool instead of a fast-import stream")
	branch := flag.String("branch", "refs/heads/assay/results", "branch the stream commits to")
	steps := flag.Int("steps", 500, "points per metric series")
	recordsOnly := flag.Bool("records-only", false, "leave out series and logs (for index and query timings, which read only records)")
	nExp := flag.Int("experiments", 0, "spread the runs over this many experiments (exp-000, exp-001, ...) instead of 8 named ones")
	mainBranch := flag.String("main", "", "also write the default branch (refs/heads/main) as a chain of empty commits, one per 100 runs, and record runs from them")
	prShare := flag.Float64("pr-share", 0, "share of runs from pull requests (the rest are pushes and nights), for the results site")
	noSegments := flag.Bool("no-segments", false, "leave out the index segments (a branch written by an assay before them)")
	flag.Parse()
	g := &gen{rng: rand.New(rand.NewPCG(*seed, uint64(*start))), steps: *steps, experiments: experiments, prShare: *prShare}
	if *nExp > 0 {
		g.experiments = nil
		for k := range *nExp {
			g.experiments = append(g.experiments, fmt.Sprintf("exp-%03d", k))
		}
	}
	tmp, err := os.MkdirTemp("", "resultsgen")
	check(err)
	defer os.RemoveAll(tmp)

	if *spoolDir != "" {
		sp, err := spool.Open(*spoolDir)
		check(err)
		for i := *start; i < *start+*n; i++ {
			run, log := g.run(i)
			run.LogPath = filepath.Join(tmp, fmt.Sprintf("log%d", i))
			check(os.WriteFile(run.LogPath, log, 0o644))
			check(sp.Put(run))
		}
		return
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	if *mainBranch != "" {
		g.mainCommits = writeMainCommits(w, *mainBranch, (*start+*n+99)/100)
	}
	segs := results.NewSegmentWriter()
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix() + int64(*start)*60
	for i := *start; i < *start+*n; i += *perCommit {
		var files, records []results.File
		for j := i; j < i+*perCommit && j < *start+*n; j++ {
			run, log := g.run(j)
			if *recordsOnly {
				run.Series = nil
			}
			fs, err := results.RunFiles(run)
			check(err)
			if *recordsOnly {
				fs = fs[:1]
			}
			// The log tail as RunFiles cuts it, without a file round trip.
			limit := results.LogTailBytes
			if run.Result.Status != runner.StatusSucceeded {
				limit = results.FailedLogTailBytes
			}
			r := run.Result
			if !*recordsOnly {
				fs = append(fs, results.File{Path: results.LogPath(r.Experiment, r.TrialKey, r.RunID), Data: results.LogTail(log, limit)})
			}
			files = append(files, fs...)
			records = append(records, fs[0])
		}
		// The index segment assay's writer adds beside the records, with
		// the compaction it would do and the trailer it would write.
		var remove []string
		msg := fmt.Sprintf("assay: record %d runs\n\nAssay-Trigger: push\n", len(records))
		if !*noSegments {
			var add []results.File
			var trailer string
			add, remove, trailer = segs.Commit(records)
			files = append(files, add...)
			msg += trailer + "\n"
		}
		fmt.Fprintf(w, "commit %s\ncommitter assay <assay@localhost> %d +0000\n", *branch, when+int64(i)*60)
		fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
		for _, p := range remove {
			fmt.Fprintf(w, "D %s\n", p)
		}
		for _, f := range files {
			inline(w, f)
		}
		w.WriteByte('\n')
	}
}

func inline(w *bufio.Writer, f results.File) {
	fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n", f.Path, len(f.Data))
	w.Write(f.Data)
	w.WriteByte('\n')
}

type gen struct {
	rng         *rand.Rand
	steps       int
	experiments []string
	prShare     float64
	// mainCommits are the default branch's commits, oldest first: run i
	// comes from commit i/100.
	mainCommits []string
}

var experiments = []string{"resnet18", "resnet50", "vit-small", "mlp", "bert-base", "gpt-tiny", "unet", "lstm"}
var optimizers = []string{"sgd", "adam", "adamw"}

// run makes run number i and its log.
func (g *gen) run(i int) (*runner.Run, []byte) {
	r := g.rng
	exp := g.experiments[i%len(g.experiments)]
	lr := []float64{0.3, 0.1, 0.03, 0.01, 0.003}[r.IntN(5)]
	bs := []int{32, 64, 128, 256}[r.IntN(4)]
	opt := optimizers[r.IntN(3)]
	seed := int64(i%5 + 1)
	key := fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprintf("%s/%d", exp, i/2))))
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	dur := 300 + r.Float64()*3000
	status := runner.StatusSucceeded
	exit := 0
	if r.Float64() < 0.05 {
		status, exit = runner.StatusFailed, 1
	}
	peak := 0.55 + 0.44*r.Float64()
	series := map[string][]runner.Point{}
	var log strings.Builder
	for s := 1; s <= g.steps; s++ {
		x := float64(s) / float64(g.steps)
		// float32 values, as a training script logs them from tensors.
		acc := float64(float32(peak*(1-math.Exp(-5*x)) + 0.01*r.NormFloat64()))
		loss := float64(float32(2.3*math.Exp(-4*x) + 0.02*math.Abs(r.NormFloat64())))
		rate := float64(float32(lr * 0.5 * (1 + math.Cos(math.Pi*x))))
		series["val_acc"] = append(series["val_acc"], runner.Point{Step: int64(s * 10), Value: acc})
		series["train_loss"] = append(series["train_loss"], runner.Point{Step: int64(s * 10), Value: loss})
		series["lr"] = append(series["lr"], runner.Point{Step: int64(s * 10), Value: rate})
		if s%10 == 0 {
			fmt.Fprintf(&log, "epoch %d step %d loss=%.4f acc=%.4f lr=%.5f imgs/s=%.1f\n", s/10, s*10, loss, acc, rate, 1400+100*r.Float64())
		}
	}
	if status != runner.StatusSucceeded {
		log.WriteString("Traceback (most recent call last):\n")
		for k := 0; k < 40; k++ {
			fmt.Fprintf(&log, "  File \"/opt/conda/lib/python3.11/site-packages/torch/nn/modules/module.py\", line %d, in _call_impl\n", 1500+k)
		}
		log.WriteString("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n")
	}
	last := series["val_acc"][g.steps-1].Value
	res := &runner.Result{
		Schema: runner.ResultSchema, RunID: started.Format("20060102T150405.000Z") + fmt.Sprintf("-%010x", r.Uint64()&0xffffffffff),
		TrialKey: key, Experiment: exp,
		Params: map[string]any{"lr": lr, "batch_size": float64(bs), "optimizer": opt, "weight_decay": 1e-4},
		Seed:   seed, Status: status, ExitCode: exit, Attempt: 1,
		Metrics: map[string]float64{"val_acc": last, "train_loss": series["train_loss"][g.steps-1].Value, "lr": 0},
		Started: started, Finished: started.Add(time.Duration(dur * float64(time.Second))), DurationS: dur,
		Command: []string{"python", "train.py", fmt.Sprintf("--lr=%g", lr), fmt.Sprintf("--bs=%d", bs), fmt.Sprintf("--seed=%d", seed)},
		Workdir: "models/" + exp, Labels: []string{"gpu", "a100"}, GPUs: []string{fmt.Sprint(i % 8)}, Executor: "local",
		System: runner.System{Host: fmt.Sprintf("gpu-node-%02d", i%16), OS: "linux/amd64", GPUModel: "NVIDIA A100-SXM4-80GB",
			GPUDriver: "550.54.15", GPUPeakMemoryMiB: 20000 + 1000*r.Float64(), GPUUtilMean: 80 + 15*r.Float64()},
		SourceCommit: fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(i/100))))[:40],
		Trigger:      runner.TriggerPush,
	}
	// Pull requests' runs come from commits of their own; one night in
	// ten re-runs a config on schedule.
	if g.mainCommits != nil {
		res.SourceCommit = g.mainCommits[min(i/100, len(g.mainCommits)-1)]
	}
	if g.prShare > 0 {
		switch u := r.Float64(); {
		case u < g.prShare:
			res.Trigger, res.PR = runner.TriggerPR, 1+i/500
			res.SourceCommit = fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint("pr", i/100))))[:40]
		case u < g.prShare+0.1*(1-g.prShare):
			res.Trigger = runner.TriggerSchedule
		}
	}
	return &runner.Run{Result: res, Series: series}, []byte(log.String())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "resultsgen:", err)
		os.Exit(1)
	}
}

// writeMainCommits writes a chain of n empty commits on branch to the
// fast-import stream and returns their ids, computed as git computes
// them, so run records can name commits that are on the branch.
func writeMainCommits(w *bufio.Writer, branch string, n int) []string {
	const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	var ids []string
	parent := ""
	for k := range n {
		when := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC).Unix() + int64(k)*600
		who := fmt.Sprintf("bench <bench@example.com> %d +0000", when)
		msg := fmt.Sprintf("change %d\n", k)
		body := "tree " + emptyTree + "\n"
		if parent != "" {
			body += "parent " + parent + "\n"
		}
		body += "author " + who + "\ncommitter " + who + "\n\n" + msg
		h := sha1.Sum([]byte(fmt.Sprintf("commit %d\x00%s", len(body), body)))
		// Each commit of a branch follows the one before it in the stream.
		fmt.Fprintf(w, "commit %s\nauthor %s\ncommitter %s\ndata %d\n%s\n", branch, who, who, len(msg), msg)
		parent = fmt.Sprintf("%x", h)
		ids = append(ids, parent)
	}
	return ids
}
