package slurm

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/runner/gpu"
)

// wrapper is what the generated batch script needs to know.
type wrapper struct {
	// Title names the trial and attempt in the script's header.
	Title string
	// Dir is the attempt's spool directory, on the shared filesystem.
	Dir string
	// Workdir is the trial's working directory, absolute.
	Workdir string
	Argv    []string
	// Exports are the spec's env and the run contract, in order.
	Exports [][2]string
	// CPUOnly trials get an empty CUDA_VISIBLE_DEVICES, so that they
	// cannot take a GPU by accident; GPU trials get Slurm's.
	CPUOnly bool
	// Timeout (0 for none) and Grace: SIGTERM to the trial's process group
	// after Timeout, SIGKILL Grace later.
	Timeout, Grace time.Duration
	// SampleEvery is how often nvidia-smi is asked about a GPU trial.
	SampleEvery time.Duration
}

// shq quotes s for a POSIX shell.
func shq(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// script renders the wrapper. It is plain POSIX sh plus setsid
// (util-linux), uname and, for a timeout, GNU sleep, which every Linux
// cluster has.
//
// The order of its steps is the protocol with assay: started is written
// before the command runs, exit after everything else; a trial that never
// gets as far as its command says why in exit (notstarted=...). Slurm's
// own messages (time limit, cancellation) land in the same log, because
// the job's output is the log.
func (w *wrapper) script() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("#!/bin/sh\n")
	p("# Written by assay for %s.\n", strings.ReplaceAll(w.Title, "\n", " "))
	p("# Slurm runs it with its output appended to log; assay reads started,\n")
	p("# exit (written last) and metrics.jsonl beside it. Submitting it again\n")
	p("# by hand runs the trial outside assay's records.\n")
	p("d=%s\n", shq(w.Dir))
	// Each file is written by one printf, which is one write: a reader
	// sees all of it or an empty file, and the trailing line says it is
	// whole. Their modification times are the trial's start and end, on
	// the clock of the filesystem both sides share. No date, no mv: every
	// process the wrapper forks costs a busy node time, and a sweep
	// thousands of them.
	p(`term= timedout= killed=
assay_finish() {
  printf 'exit=%%s\nterm=%%s\ntimedout=%%s\nkilled=%%s\nnotstarted=%%s\nend=1\n' "$1" "$term" "$timedout" "$killed" "${2-}" >"$d/exit"
  if [ "$1" -ge 0 ] && [ "$1" -le 255 ]; then exit "$1"; fi
  exit 1
}
printf 'host=%%s\nos=%%s\ngpus=%%s\nend=1\n' "${SLURMD_NODENAME:-$(uname -n)}" "$(uname -sm)" "${CUDA_VISIBLE_DEVICES-}" >"$d/started"
`)
	for _, kv := range w.Exports {
		p("export %s=%s\n", kv[0], shq(kv[1]))
	}
	if w.CPUOnly {
		p("export CUDA_VISIBLE_DEVICES=\n")
	}
	p("export CUDA_DEVICE_ORDER=PCI_BUS_ID\n")
	p("cd %s 2>/dev/null || assay_finish -1 workdir\n", shq(w.Workdir))
	p("set --")
	for _, a := range w.Argv {
		p(" %s", shq(a))
	}
	p(`
case $1 in
*/*)
  if [ -d "$1" ]; then assay_finish -1 isdir
  elif [ ! -e "$1" ]; then assay_finish -1 notfound
  elif [ ! -x "$1" ]; then assay_finish -1 notexec
  fi ;;
*) command -v "$1" >/dev/null 2>&1 || assay_finish -1 notfound ;;
esac
`)
	if !w.CPUOnly {
		// GPU model, driver and use, from the node's own nvidia-smi, in the
		// queries (and so the CSV) of runner/gpu.
		p(`smi=
if [ -n "${CUDA_VISIBLE_DEVICES-}" ] && command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=%s --format=csv,noheader,nounits >"$d/gpus.csv" 2>/dev/null
  setsid sh -c 'while :; do nvidia-smi --query-gpu=%s --format=csv,noheader,nounits; echo; sleep %s; done' >"$d/gpu-samples.csv" 2>/dev/null &
  smi=$!
fi
`, gpu.QueryFields, gpu.SampleFields, seconds(w.SampleEvery))
	}
	// The trial runs in a session of its own, so that a timeout stops the
	// whole of it and nothing of the wrapper. Slurm's scancel and time
	// limit reach every process of the job regardless.
	p(`trap 'term=1' TERM
setsid "$@" &
pid=$!
`)
	if w.Timeout > 0 {
		p(`(
  trap 'kill $s 2>/dev/null; exit 0' TERM
  sleep %s & s=$!; wait $s
  : >"$d/timedout"; kill -TERM "-$pid" 2>/dev/null
  sleep %s & s=$!; wait $s
  if kill -0 "$pid" 2>/dev/null; then : >"$d/killed"; kill -KILL "-$pid" 2>/dev/null; fi
) &
dog=$!
`, seconds(w.Timeout), seconds(w.Grace))
	}
	// wait returns early when a trapped signal arrives; the trial may still
	// be running then.
	p(`while :; do
  wait "$pid"; code=$?
  kill -0 "$pid" 2>/dev/null || break
done
`)
	if w.Timeout > 0 {
		// After a timeout the rest of the trial's group has the rest of
		// the grace to act on its SIGTERM, as the trial itself had: the
		// trial's own process can die of it before its children have run.
		p(`if [ -e "$d/timedout" ]; then
  while kill -0 "-$pid" 2>/dev/null && kill -0 "$dog" 2>/dev/null; do sleep 0.05; done
fi
kill "$dog" 2>/dev/null
`)
	}
	p("kill -KILL \"-$pid\" 2>/dev/null\n")
	if !w.CPUOnly {
		p("[ -n \"$smi\" ] && kill -TERM \"-$smi\" 2>/dev/null\n")
	}
	p(`[ -e "$d/timedout" ] && timedout=1
[ -e "$d/killed" ] && killed=1
assay_finish "$code"
`)
	return b.String()
}
