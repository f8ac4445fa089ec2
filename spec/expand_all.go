package spec

import (
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// ExpandAll expands every experiment, on all cores, and returns their
// trials in the order of exps. inputs gives each experiment's inputs
// fingerprint (nil means "" for all). Experiments are independent, and a
// plan over hundreds of them should not wait on one core.
func ExpandAll(exps []*Experiment, inputs func(*Experiment) string) ([][]*Trial, hcl.Diagnostics) {
	out := make([][]*Trial, len(exps))
	diags := make([]hcl.Diagnostics, len(exps))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(exps), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				in := ""
				if inputs != nil {
					in = inputs(exps[i])
				}
				out[i], diags[i] = exps[i].Trials(in)
			}
		}()
	}
	for i := range exps {
		next <- i
	}
	close(next)
	wg.Wait()
	var all hcl.Diagnostics
	for _, d := range diags {
		all = append(all, d...)
	}
	return out, all
}
