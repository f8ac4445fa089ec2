package slurm

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"

	"github.com/assaylab/assay/runner"
)

// Executor submits trials to Slurm.
type Executor struct {
	cfg  Config
	cmds *commands

	mu   sync.Mutex
	part *partition
}

var _ runner.Executor = (*Executor)(nil)

// New returns a slurm executor, filling Config's defaults. It talks to
// Slurm only when asked to (Probe, Check, Execute).
func New(cfg Config) *Executor {
	cfg = cfg.withDefaults()
	return &Executor{cfg: cfg, cmds: &commands{sbatch: cfg.Sbatch, squeue: cfg.Squeue, scancel: cfg.Scancel, sinfo: cfg.Sinfo}}
}

// Name is "slurm".
func (e *Executor) Name() string { return "slurm" }

// Probe checks that Slurm's commands are here and the controller answers,
// and returns an error that says what to do when not. Commands call it
// before planning work for the cluster.
func (e *Executor) Probe(ctx context.Context) error {
	for _, c := range []string{e.cfg.Sbatch, e.cfg.Squeue, e.cfg.Scancel, e.cfg.Sinfo} {
		if _, err := exec.LookPath(c); err != nil {
			return fmt.Errorf("%s not on PATH; run assay where Slurm's client commands are (a login node), or install them (Debian: slurm-client)", c)
		}
	}
	_, err := e.partition(ctx)
	return err
}

// Describe says where trials go, for a command's "Running N trials on
// ..." line: the partition, its nodes and GPUs, and the CPU bound.
func (e *Executor) Describe(ctx context.Context) string {
	p, err := e.partition(ctx)
	if err != nil {
		return "Slurm"
	}
	s := fmt.Sprintf("Slurm partition %q (%d node%s", p.Name, p.Nodes, plural(p.Nodes))
	if p.MaxGPUs > 0 {
		s += fmt.Sprintf(", up to %d GPU%s per node", p.MaxGPUs, plural(p.MaxGPUs))
	}
	s += ")"
	if e.cfg.Parallel > 0 {
		s += fmt.Sprintf(", at most %d CPU-only trial%s at once", e.cfg.Parallel, plural(e.cfg.Parallel))
	}
	return s
}

// partition asks sinfo once about the partition jobs go to.
func (e *Executor) partition(ctx context.Context) (*partition, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.part != nil {
		return e.part, nil
	}
	p, err := e.cmds.partitionInfo(ctx, e.cfg.Partition)
	var ce *cliError
	switch {
	case errors.As(err, &ce):
		return nil, fmt.Errorf("cannot ask Slurm about its nodes: %w; check that the controller answers (scontrol ping)", err)
	case err != nil:
		return nil, err
	}
	e.part = p
	return p, nil
}

// offered are the labels trials may ask for: the configured ones, else
// the nodes' features and the labels gres_types knows.
func (e *Executor) offered(p *partition) []string {
	if len(e.cfg.Labels) > 0 {
		return e.cfg.Labels
	}
	var out []string
	if p != nil {
		out = append(out, p.Features...)
	}
	for l := range e.cfg.GresTypes {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// gresType is the GPU type a job asks for: that of its first label with
// one in gres_types, or "".
func (e *Executor) gresType(j *runner.Job) (label, typ string) {
	for _, l := range j.Trial.Runner.Labels {
		if t, ok := e.cfg.GresTypes[l]; ok {
			return l, t
		}
	}
	return "", ""
}

// Check refuses jobs that ask for labels the cluster does not offer, or
// for more GPUs (of their type) than any node of the partition has: Slurm
// would reject them, or hold them for ever. When Slurm cannot be asked,
// only labels are checked; Execute then says why.
func (e *Executor) Check(jobs []*runner.Job) []runner.Refusal {
	p, _ := e.partition(context.Background())
	offered := e.offered(p)
	where := "the cluster"
	if p != nil {
		where = fmt.Sprintf("partition %q", p.Name)
	}
	var out []runner.Refusal
	for _, j := range jobs {
		var reasons []string
		var missing []string
		for _, l := range j.Trial.Runner.Labels {
			if !slices.Contains(offered, l) {
				missing = append(missing, l)
			}
		}
		if len(missing) > 0 {
			reasons = append(reasons, e.labelReason(missing, offered, where))
		}
		if n := j.Trial.Runner.GPUs; p != nil && n > 0 {
			label, typ := e.gresType(j)
			switch {
			case typ != "" && n > p.GPUTypes[typ]:
				reasons = append(reasons, fmt.Sprintf("needs %d GPU%s of type %s (label %s, in gres_types) but no node of %s has more than %d of them",
					n, plural(n), typ, label, where, p.GPUTypes[typ]))
			case n > p.MaxGPUs:
				reasons = append(reasons, fmt.Sprintf("needs %d GPU%s but no node of %s has more than %d", n, plural(n), where, p.MaxGPUs))
			}
		}
		if len(reasons) > 0 {
			out = append(out, runner.Refusal{Job: j, Reason: strings.Join(reasons, "; and it ")})
		}
	}
	return out
}

func (e *Executor) labelReason(missing, offered []string, where string) string {
	offers := "no labels"
	if len(offered) > 0 {
		offers = strings.Join(offered, ", ")
	}
	s := fmt.Sprintf("needs label%s %s, which this cluster does not offer (it offers %s", plural(len(missing)), strings.Join(missing, ", "), offers)
	if len(e.cfg.Labels) > 0 {
		return s + fmt.Sprintf("); add %s to executor \"slurm\" { labels = [...] } in assay.hcl if the nodes of %s have %s", them(len(missing)), where, them(len(missing)))
	}
	return s + fmt.Sprintf(": the features of the nodes of %s); add %s to the nodes as feature%s, or list what this executor offers in executor \"slurm\" { labels = [...] } in assay.hcl",
		where, them(len(missing)), plural(len(missing)))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
