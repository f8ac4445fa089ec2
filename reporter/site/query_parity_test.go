package site_test

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/go-git/go-git/v5"

	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/results/query"
	"github.com/assaylab/assay/reporter/site"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// parityRuns are runs that differ in every way a query can tell apart:
// metrics some runs lack, params that are numbers, strings, booleans,
// lists and maps (and absent), every status and trigger, pull requests.
func parityRuns() []*runner.Run {
	var out []*runner.Run
	exps := []string{"resnet", "vit", "mlp-x"}
	for i := 0; i < 24; i++ {
		started := time.Date(2026, 3, 1+i%5, 12, i, 0, 0, time.UTC)
		r := &runner.Result{
			Schema: runner.ResultSchema, RunID: fmt.Sprintf("%sT12%02d00.000Z-%04d", started.Format("20060102"), i, i),
			TrialKey: fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(i/2)))), Experiment: exps[i%3],
			Status: []runner.Status{"succeeded", "failed", "succeeded", "timed_out"}[i%4], ExitCode: []int{0, 1, 0, 124}[i%4],
			Attempt: 1 + i%2, Seed: int64(i % 4), Executor: "local",
			Params:  map[string]any{"lr": []float64{0.1, 0.03, 0.3}[i%3], "opt": []string{"adam", "sgd"}[i%2], "bs": float64(int(32) << (i % 3))},
			Metrics: map[string]float64{}, Started: started, DurationS: float64(60+7*i) + 0.5,
			GPUs: make([]string, i%3), System: runner.System{Host: fmt.Sprintf("gpu-%d", i%3)},
			SourceCommit: fmt.Sprintf("%040x", i/4), Trigger: []string{"push", "pr", "schedule", "manual"}[i%4],
		}
		r.Finished = started.Add(time.Duration(r.DurationS * float64(time.Second)))
		if r.Trigger == runner.TriggerPR {
			r.PR = 10 + i%3
		}
		if i%5 != 0 {
			r.Metrics["val_acc"] = 0.5 + float64(i%7)/17
		}
		if i%3 != 0 {
			r.Metrics["train_loss"] = 1.0 / float64(i+1)
		}
		if i%6 == 0 {
			r.Params["tags"] = []any{"a", fmt.Sprint(i)}
			r.Params["nested"] = map[string]any{"depth": float64(i)}
		}
		if i%7 == 0 {
			r.Params["flag"] = i%2 == 0
			delete(r.Params, "opt")
		}
		out = append(out, &runner.Run{Result: r})
	}
	return out
}

// parityCorpus are expressions people write, and the corners where Go's
// expr and a naive evaluator part ways.
var parityCorpus = strings.Split(strings.TrimSpace(`
metrics.val_acc > 0.9
metrics.val_acc > 0.7 && params.lr < 0.1
status == "failed"
status != "succeeded"
experiment in ["resnet", "vit"] && seed == 1
started > date("2026-03-03")
started >= date("2026-03-02 12:05:00") && started < date("2026-03-04T00:00:00Z")
started > date("Mon, 02 Mar 2026 12:05:00 GMT")
source startsWith "0000"
metrics.val_acc
nil
params.opt == 1
seed == 2.0
seed / 4 == 0.5
"lr" in params
"a" in params.tags
params.tags[0] == "a"
params.tags[-1] == "12"
params.nested.depth > 3
params.nope.x == 1
params.nope?.x == nil
metrics.x == nil
metrics.val_acc ?? 0 > 0.5
(metrics.val_acc ?? 0) > 0.5
((metrics.val_acc ?? 0) % started.Day()) <= exit_code
experiment matches "^res"
experiment matches "(?i)^RES"
!(seed > 1)
not (seed > 1)
len(experiment) > 3
len(params) >= 4
metrics["val_acc"] > 0.9
pr > 0 and trigger == "pr"
status == 1
seed % 2 == 0
params.bs % 2 == 0
started.Year() == 2026
started.Before(date("2026-03-02"))
1 < seed < 3
seed not in [1, 3]
experiment not contains "x"
duration > 100
params.lr > "a"
params.opt + "!" == "adam!"
true ? 1 : "a"
seed > 1 ? metrics.val_acc > 0.6 : false
metrics
lower(experiment) == "resnet"
string(params.lr) == "0.1"
max(seed, 2) == 2
round(duration) == 61
trimSuffix(experiment, "net") == "res"
finished - started > started - started
now() > started
date("not a date") < started
started > "2026"
seed == "2"
params.flag
params.flag in ["adam", "gpu-1"]
false in [gpus, exit_code]
pr in [seed, finished - started]
status in ["failed", "timed_out"] or metrics.val_acc < 0.6
"succeeded" != "resnet" && params["lr"] in ["succeeded", params.opt] && params.bs || metrics.train_loss
0x10 == 16 && 1_000 == 1000 && .5 == 0.5
experiment == "res\"net" || "\u0041" == "A"
let x = 1; x == 1
map(params.tags, # + "x") == []
experiment | lower() == "vit"
`), "\n")

// parityExpression makes a random expression over the runs' fields.
func parityExpression(r *rand.Rand, depth int) string {
	fields := []string{"id", "key", "experiment", "status", "exit_code", "attempt", "seed", "params.lr", "params.opt", "params.bs",
		"params.tags", "params.flag", "params.nope", "metrics.val_acc", "metrics.train_loss", "metrics.nope", "started", "finished",
		"duration", "host", "gpus", "source", "trigger", "pr"}
	lits := []string{"0", "1", "2", "0.5", "0.1", "100", `"resnet"`, `"succeeded"`, `"adam"`, `"push"`, `"a"`, "true", "false", "nil",
		`date("2026-03-03")`, "-1", `"gpu-1"`, "len(experiment)", `params["lr"]`, "(metrics.val_acc ?? 0)", "started.Day()",
		"lower(status)", "(seed > 1 ? 1 : 2.5)", "abs(params.lr)", "string(seed)", "int(duration)", `date("12:00:00")`,
		"float(gpus)", "max(seed, 1)", "params?.tags?.[0]", "metrics", "params", "[1, 2]", "finished - started",
		"round(metrics.val_acc * 10)", `trimPrefix(host, "gpu-")`, "-duration", "seed ** 2", "pr % 3"}
	atom := func() string {
		if r.IntN(3) == 0 {
			return lits[r.IntN(len(lits))]
		}
		return fields[r.IntN(len(fields))]
	}
	cmp := []string{"==", "!=", "<", ">", "<=", ">="}
	if depth == 0 {
		return atom()
	}
	switch r.IntN(9) {
	case 0, 1, 2:
		return atom() + " " + cmp[r.IntN(len(cmp))] + " " + atom()
	case 3:
		return parityExpression(r, depth-1) + " && " + parityExpression(r, depth-1)
	case 4:
		return parityExpression(r, depth-1) + " || " + parityExpression(r, depth-1)
	case 5:
		return "!(" + parityExpression(r, depth-1) + ")"
	case 6:
		return "(" + atom() + " " + []string{"+", "-", "*", "/", "%"}[r.IntN(5)] + " " + atom() + ") " + cmp[r.IntN(len(cmp))] + " " + atom()
	case 7:
		return atom() + " in [" + atom() + ", " + atom() + "]"
	default:
		return fields[r.IntN(len(fields))] + []string{" contains ", " startsWith ", " endsWith ", " matches "}[r.IntN(4)] +
			`"` + []string{"a", "1", "res", "^g", "0"}[r.IntN(5)] + `"`
	}
}

type verdict struct {
	Error   string   `json:"error"`
	IDs     []string `json:"ids"`
	Skipped int      `json:"skipped"`
}

// TestSearchAgreesWithAssayLs runs the same expressions through assay
// ls's evaluator (Go, expr-lang) and the site's search (the browser's
// evaluator over the site's run index, as its search page runs them):
// every expression must be refused by both or by neither, and match and
// skip the same runs. The runs are recorded on a real results branch
// and read back as the site reads them.
func TestSearchAgreesWithAssayLs(t *testing.T) {
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	store, err := results.Open(dir, results.Options{Getenv: func(k string) string {
		return map[string]string{"GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range parityRuns() {
		if err := sp.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Commit(sp); err != nil {
		t.Fatal(err)
	}
	idx, err := store.Index()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	if _, err := site.Build(out, site.Options{Store: store, ChunkRuns: 7, MaxRunDetails: -1, Curves: -1}); err != nil {
		t.Fatal(err)
	}

	exprs := append([]string(nil), parityCorpus...)
	rng := rand.New(rand.NewPCG(20, 26))
	for len(exprs) < 1500 {
		exprs = append(exprs, parityExpression(rng, 3))
	}
	want := make([]verdict, len(exprs))
	for i, x := range exprs {
		res, err := query.Run(idx.Entries, query.Options{Where: x})
		if err != nil {
			want[i].Error = err.Error()
			continue
		}
		for _, e := range res.Runs {
			want[i].IDs = append(want[i].IDs, e.RunID)
		}
		sort.Strings(want[i].IDs)
		want[i].Skipped = res.Skipped
	}

	b := browsertest.New(t)
	b.Do(t, chromedp.Navigate((&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/search.html"}).String()))
	b.WaitFor(t, `document.documentElement.dataset.searchDone`, 20*time.Second)
	browsertest.Eval[bool](t, b, `window.parity = `+jsString(strings.Join(exprs, "\x00"))+`.split('\x00'); window.parityOut = null;
	  Promise.all(window.parity.map(function (x) { return assaySite.search(x, ''); })).then(function (rs) {
	    window.parityOut = rs.map(function (r) { return {error: r.error || '', ids: (r.ids || []).sort(), skipped: r.skipped || 0}; });
	  }, function (e) { window.parityOut = String(e.stack || e); });
	  true`)
	b.WaitFor(t, `window.parityOut !== null`, 60*time.Second)
	got := browsertest.Eval[[]verdict](t, b, `window.parityOut`)
	if len(got) != len(exprs) {
		t.Fatalf("the browser answered %d of %d expressions", len(got), len(exprs))
	}
	bad, refused := 0, 0
	for i, x := range exprs {
		g, w := got[i], want[i]
		// The browser refuses what it does not evaluate (let, predicates,
		// most builtins), saying so; it never evaluates them differently.
		unsupported := strings.Contains(g.Error, "not supported in the browser")
		if unsupported {
			refused++
		}
		same := unsupported || (g.Error == "") == (w.Error == "") && (w.Error != "" || (slices.Equal(g.IDs, w.IDs) && g.Skipped == w.Skipped))
		if !same && bad < 20 {
			t.Errorf("%s\n  assay ls: %s\n  browser:  %s", x, describe(w), describe(g))
		}
		if !same {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d expressions disagree", bad, len(exprs))
	}
	if refused != 3 {
		t.Errorf("the browser refuses %d expressions as unsupported, want only the corpus's 3", refused)
	}
	for _, x := range []string{"let x = 1; x == 1", "map(params.tags, # + \"x\") == []", "experiment | lower() == \"vit\""} {
		if i := slices.Index(exprs, x); i >= 0 && !strings.Contains(got[i].Error, "not supported in the browser") {
			t.Errorf("%s: the browser says %q, not that it does not support it", x, got[i].Error)
		}
	}

	// Sorting orders the runs as --sort does.
	for _, s := range []string{"-metrics.val_acc", "experiment,-params.lr", "started", "params.opt,-seed"} {
		res, err := query.Run(idx.Entries, query.Options{Sort: s})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range res.Runs {
			ids = append(ids, e.RunID)
		}
		browsertest.Eval[bool](t, b, `window.sorted = null; assaySite.search('', `+jsString(s)+`).then(function (r) { window.sorted = r.ids; }); true`)
		b.WaitFor(t, `window.sorted !== null`, 20*time.Second)
		if g := browsertest.Eval[[]string](t, b, `window.sorted`); !slices.Equal(g, ids) {
			t.Errorf("--sort %s: browser %v, assay ls %v", s, g, ids)
		}
	}
	b.CheckClean(t)
}

func describe(v verdict) string {
	if v.Error != "" {
		return "refused: " + strings.SplitN(v.Error, "\n", 2)[0]
	}
	return fmt.Sprintf("%d matched %v, %d skipped", len(v.IDs), v.IDs, v.Skipped)
}
