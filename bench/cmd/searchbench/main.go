// Command searchbench measures assay's adaptive search (bench/search.sh):
//
//   - TPE against random search and Optuna's TPE: the median best value
//     after 20 and 40 trials, over repetitions, on Branin, Hartmann-6 and
//     the quickstart's trainer (examples/quickstart/train.py, its lowest
//     validation loss over lr and l2);
//   - early stopping (ASHA and the median rule) on synthetic learning
//     curves and on the quickstart's trainer: the steps saved against
//     running every trial to its end, and how far the best found is from
//     the best of the full run.
//
// Every search runs through the code assay run uses: the spec loader,
// runner.ReplaySearch round by round against an in-memory history, and
// the early-stopping judges; only the trials are evaluated in process.
//
//	searchbench -reps 20 -budget 40
//	searchbench -reps 2 -budget 8 -problems branin -asha synthetic
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

type options struct {
	reps, budget, parallel int
	problems, asha         []string
	optuna                 string
}

func run(args []string, w io.Writer) error {
	fl := flag.NewFlagSet("searchbench", flag.ContinueOnError)
	o := options{}
	var probs, asha string
	fl.IntVar(&o.reps, "reps", 20, "repetitions of each search (sweep seeds 0..reps-1)")
	fl.IntVar(&o.budget, "budget", 40, "trials per search; bests are read at budget/2 and budget")
	fl.IntVar(&o.parallel, "parallel", 2, "repetitions run at once")
	fl.StringVar(&probs, "problems", "branin,hartmann6,quickstart", "problems for TPE against random search (comma-separated; empty for none)")
	fl.StringVar(&asha, "asha", "synthetic,crossing,quickstart", "learning curves for early stopping (comma-separated; empty for none)")
	fl.StringVar(&python, "python", "python3", "the Python that runs the quickstart's trainer and Optuna")
	fl.StringVar(&trainerScript, "trainer", "bench/search_trainer.py", "the trainer wrapper")
	fl.StringVar(&o.optuna, "optuna", "bench/search_optuna.py", "Optuna's TPE on the same problems; empty to leave it out")
	if err := fl.Parse(args); err != nil {
		return err
	}
	o.problems, o.asha = split(probs), split(asha)
	if o.reps < 1 || o.budget < 2 {
		return fmt.Errorf("-reps must be at least 1 and -budget at least 2")
	}
	if len(o.problems) > 0 {
		if err := tpeTable(w, o); err != nil {
			return err
		}
	}
	if len(o.asha) > 0 {
		if err := ashaTable(w, o); err != nil {
			return err
		}
	}
	return nil
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parallelReps runs f for each repetition, o.parallel at a time, each
// worker with its own evaluator state from setup.
func parallelReps[T any](o options, f func(rep int) (T, error)) ([]T, error) {
	out := make([]T, o.reps)
	errs := make([]error, o.reps)
	next := make(chan int)
	done := make(chan struct{})
	for range max(1, o.parallel) {
		go func() {
			for rep := range next {
				out[rep], errs[rep] = f(rep)
			}
			done <- struct{}{}
		}()
	}
	for rep := range o.reps {
		next <- rep
	}
	close(next)
	for range max(1, o.parallel) {
		<-done
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// quantile is the q-quantile of xs by linear interpolation between order
// statistics (q = 0.5 is the textbook median).
func quantile(xs []float64, q float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	lo := int(pos)
	if lo+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[lo] + (pos-float64(lo))*(s[lo+1]-s[lo])
}

// spread renders a sample as "median [q1, q3]".
func spread(xs []float64) string {
	return fmt.Sprintf("%.4g [%.4g, %.4g]", quantile(xs, 0.5), quantile(xs, 0.25), quantile(xs, 0.75))
}

// pool keeps evaluators (a Python trainer each, for the quickstart) for
// reuse across repetitions, so a table starts at most one per worker.
type pool[E interface{ close() }] struct {
	idle chan E
	make func() (E, error)
	mu   sync.Mutex
	all  []E
}

func newPool[E interface{ close() }](size int, mk func() (E, error)) *pool[E] {
	return &pool[E]{idle: make(chan E, max(1, size)), make: mk}
}

func (p *pool[E]) get() (E, error) {
	select {
	case e := <-p.idle:
		return e, nil
	default:
	}
	e, err := p.make()
	if err == nil {
		p.mu.Lock()
		p.all = append(p.all, e)
		p.mu.Unlock()
	}
	return e, err
}

func (p *pool[E]) put(e E) {
	select {
	case p.idle <- e:
	default:
		// more were made than the pool holds: keep it for closeAll
	}
}

func (p *pool[E]) closeAll() {
	for _, e := range p.all {
		e.close()
	}
}
