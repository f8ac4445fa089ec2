package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// method is one way of searching, with the bests of every repetition at
// half the budget and at the budget.
type method struct {
	name       string
	half, full []float64
}

func tpeTable(w io.Writer, o options) error {
	fmt.Fprintf(w, "TPE against random search: the best value after %d and %d trials, median [25%%, 75%%] over %d repetitions (lower is better)\n\n",
		o.budget/2, o.budget, o.reps)
	fmt.Fprintf(w, "%-11s %-22s %-30s %-30s\n", "problem", "method", fmt.Sprintf("best@%d", o.budget/2), fmt.Sprintf("best@%d", o.budget))
	var checks []string
	for _, name := range o.problems {
		pr, ok := problems[name]
		if !ok {
			return fmt.Errorf("no problem %q", name)
		}
		var ms []*method
		evals := newPool(o.parallel, pr.newEval)
		for _, m := range []struct {
			name, sweep string
			tpe         bool
		}{
			{"random (assay)", "method = \"random\"\n    samples = %[1]d\n    seed = %[2]d", false},
			{"assay tpe, batch 1", "method = \"tpe\"\n    budget = %[1]d\n    batch = 1\n    seed = %[2]d", true},
			{"assay tpe, batch 4", "method = \"tpe\"\n    budget = %[1]d\n    batch = 4\n    seed = %[2]d", true},
		} {
			res, err := parallelReps(o, func(rep int) ([2]float64, error) {
				e, err := specOf(pr, fmt.Sprintf(m.sweep, o.budget, rep), "")
				if err != nil {
					return [2]float64{}, err
				}
				ev, err := evals.get()
				if err != nil {
					return [2]float64{}, err
				}
				defer evals.put(ev)
				var trace []float64
				if m.tpe {
					trace, err = searchTrace(e, ev)
				} else {
					trace, err = randomTrace(e, ev)
				}
				if err != nil {
					return [2]float64{}, err
				}
				return [2]float64{bestAt(trace, o.budget/2), bestAt(trace, o.budget)}, nil
			})
			if err != nil {
				evals.closeAll()
				return err
			}
			ms = append(ms, collect(m.name, res))
		}
		evals.closeAll()
		if o.optuna != "" {
			res, err := optunaBests(o, name)
			switch {
			case err != nil:
				fmt.Fprintf(w, "%-11s %-22s %s\n", name, "optuna tpe", "skipped: "+err.Error())
			default:
				ms = append(ms, collect("optuna tpe", res))
			}
		}
		for _, m := range ms {
			fmt.Fprintf(w, "%-11s %-22s %-30s %-30s\n", name, m.name, spread(m.half), spread(m.full))
		}
		checks = append(checks, tpeChecks(name, ms)...)
	}
	fmt.Fprintln(w)
	for _, c := range checks {
		fmt.Fprintln(w, c)
	}
	fmt.Fprintln(w)
	return nil
}

func collect(name string, res [][2]float64) *method {
	m := &method{name: name}
	for _, r := range res {
		m.half, m.full = append(m.half, r[0]), append(m.full, r[1])
	}
	return m
}

// tpeChecks states the targets: assay's TPE reaches random search's best
// at the full budget within half of it, and is no worse than Optuna's TPE
// by more than its spread (its median within Optuna's upper quartile).
func tpeChecks(name string, ms []*method) []string {
	random := ms[0]
	var out []string
	for _, m := range ms[1:3] {
		h, r := quantile(m.half, 0.5), quantile(random.full, 0.5)
		out = append(out, fmt.Sprintf("%s, %s: median best@half %.4g vs random's best@full %.4g: %s",
			name, m.name, h, r, verdict(h <= r)))
		if len(ms) > 3 {
			opt := ms[3]
			for _, at := range []struct {
				label    string
				mine, it []float64
			}{{"half", m.half, opt.half}, {"full", m.full, opt.full}} {
				a, q3 := quantile(at.mine, 0.5), quantile(at.it, 0.75)
				out = append(out, fmt.Sprintf("%s, %s: median best@%s %.4g vs Optuna's median %.4g (upper quartile %.4g): %s",
					name, m.name, at.label, a, quantile(at.it, 0.5), q3, verdict(a <= q3)))
			}
		}
	}
	return out
}

func verdict(ok bool) string {
	if ok {
		return "target met"
	}
	return "TARGET MISSED"
}

// optunaBests runs Optuna's TPE on a problem with the same budget and
// repetitions (bench/search_optuna.py), or says why it cannot.
func optunaBests(o options, name string) ([][2]float64, error) {
	probe := exec.Command(python, "-c", "import optuna")
	if err := probe.Run(); err != nil {
		return nil, fmt.Errorf("%s has no optuna module (apt-get install python3-optuna, or pip install optuna)", python)
	}
	cmd := exec.Command(python, o.optuna, "--problem", name, "--reps", fmt.Sprint(o.reps), "--budget", fmt.Sprint(o.budget),
		"--trainer", trainerScript, "--parallel", fmt.Sprint(o.parallel))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var res [][2]float64
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var line struct {
			Values []float64 `json:"values"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, fmt.Errorf("reading %s: %w", o.optuna, err)
		}
		res = append(res, [2]float64{bestAt(line.Values, o.budget/2), bestAt(line.Values, o.budget)})
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", o.optuna, err, stderr.String())
	}
	if len(res) != o.reps {
		return nil, fmt.Errorf("%s gave %d repetitions, want %d", o.optuna, len(res), o.reps)
	}
	return res, nil
}
