package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/collect"
)

// gen makes realistic runs: 500-step series for three metrics, a few KiB
// of log (more for failed runs), the params and metrics of a typical
// sweep.
type gen struct {
	rng         *rand.Rand
	steps       int
	experiments []string
	prShare     float64
	// artifactStore is the base URL of the store assay uploads each
	// run's full log to (with a trailing slash); empty: none.
	artifactStore string
	// mainCommits are the default branch's commits, oldest first: run i
	// comes from commit i/100.
	mainCommits []string
}

var experiments = []string{"resnet18", "resnet50", "vit-small", "mlp", "bert-base", "gpt-tiny", "unet", "lstm"}
var optimizers = []string{"sgd", "adam", "adamw"}

// genStart is when run 0 started; run i starts i minutes later.
var genStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// run makes run number i and its log. Without series (records only) it
// draws the same random numbers, so the record is the one a full run
// would have, but keeps neither the series nor the log: most of the cost.
func (g *gen) run(i int, series bool) (*runner.Run, []byte) {
	r := g.rng
	exp := g.experiments[i%len(g.experiments)]
	lr := []float64{0.3, 0.1, 0.03, 0.01, 0.003}[r.IntN(5)]
	bs := []int{32, 64, 128, 256}[r.IntN(4)]
	opt := optimizers[r.IntN(3)]
	seed := int64(i%5 + 1)
	key := fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprintf("%s/%d", exp, i/2))))
	started := genStart.Add(time.Duration(i) * time.Minute)
	dur := 300 + r.Float64()*3000
	status := runner.StatusSucceeded
	exit := 0
	if r.Float64() < 0.05 {
		status, exit = runner.StatusFailed, 1
	}
	peak := 0.55 + 0.44*r.Float64()
	var accs, losses, rates []runner.Point
	var lastAcc, lastLoss float64
	var log strings.Builder
	for s := 1; s <= g.steps; s++ {
		x := float64(s) / float64(g.steps)
		// float32 values, as a training script logs them from tensors.
		acc := float64(float32(peak*(1-math.Exp(-5*x)) + 0.01*r.NormFloat64()))
		loss := float64(float32(2.3*math.Exp(-4*x) + 0.02*math.Abs(r.NormFloat64())))
		lastAcc, lastLoss = acc, loss
		if s%10 == 0 {
			speed := 1400 + 100*r.Float64()
			if series {
				rate := float64(float32(lr * 0.5 * (1 + math.Cos(math.Pi*x))))
				fmt.Fprintf(&log, "epoch %d step %d loss=%.4f acc=%.4f lr=%.5f imgs/s=%.1f\n", s/10, s*10, loss, acc, rate, speed)
			}
		}
		if series {
			rate := float64(float32(lr * 0.5 * (1 + math.Cos(math.Pi*x))))
			accs = append(accs, runner.Point{Step: int64(s * 10), Value: acc})
			losses = append(losses, runner.Point{Step: int64(s * 10), Value: loss})
			rates = append(rates, runner.Point{Step: int64(s * 10), Value: rate})
		}
	}
	if series && status != runner.StatusSucceeded {
		log.WriteString("Traceback (most recent call last):\n")
		for k := 0; k < 40; k++ {
			fmt.Fprintf(&log, "  File \"/opt/conda/lib/python3.11/site-packages/torch/nn/modules/module.py\", line %d, in _call_impl\n", 1500+k)
		}
		log.WriteString("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n")
	}
	res := &runner.Result{
		Schema: runner.ResultSchema, RunID: started.Format("20060102T150405.000Z") + fmt.Sprintf("-%010x", r.Uint64()&0xffffffffff),
		TrialKey: key, Experiment: exp,
		Params: map[string]any{"lr": lr, "batch_size": float64(bs), "optimizer": opt, "weight_decay": 1e-4},
		Seed:   seed, Status: status, ExitCode: exit, Attempt: 1,
		Metrics: map[string]float64{"val_acc": lastAcc, "train_loss": lastLoss, "lr": 0},
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
	if g.artifactStore != "" {
		res.FullLog = g.fullLog(res.RunID, []byte(log.String()), series, status)
	}
	run := &runner.Run{Result: res}
	if series {
		run.Series = map[string][]runner.Point{"val_acc": accs, "train_loss": losses, "lr": rates}
	}
	return run, []byte(log.String())
}

// fullLog is the entry assay's delivery adds for the run's full log once
// it is in the artifact store (results.Store's uploadRun): its size,
// sha256, media type and URL. Without the log (records only), a log of
// the usual size stands in, hashed from the run id: the record reads the
// same, and no reader fetches the log.
func (g *gen) fullLog(runID string, log []byte, haveLog bool, status runner.Status) *runner.ArtifactFile {
	if !haveLog {
		size := 50 * 76
		if status != runner.StatusSucceeded {
			size += 4200
		}
		h := sha256.Sum256([]byte(runID))
		sum := hex.EncodeToString(h[:])
		return &runner.ArtifactFile{Path: "log", Size: int64(size), SHA256: sum,
			MediaType: collect.MediaType("log", []byte("epoch 1 step 10 loss=")), URL: g.artifactStore + artifacts.Key(sum)}
	}
	h := sha256.Sum256(log)
	sum := hex.EncodeToString(h[:])
	return &runner.ArtifactFile{Path: "log", Size: int64(len(log)), SHA256: sum,
		MediaType: collect.MediaType("log", log[:min(len(log), 512)]), URL: g.artifactStore + artifacts.Key(sum)}
}
