package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

type syncOptions struct {
	f      *Factory
	g      *globalOptions
	format string
}

func newSyncCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &syncOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "sync [--format text|json]",
		Short: "Deliver results still waiting in the outbox",
		Long: `Record the runs still in the spool on the results branch and push every
result the remote does not have yet.

assay run does this when its trials finish. When the remote cannot be reached
the results stay in the outbox (the local results branch, ahead of its
remote-tracking branch) and assay run exits 1; assay sync delivers them once
the remote is back. It never force-pushes: when other writers moved the
branch it fetches, re-applies the same files on the new tip and pushes again.

A remote that does not answer within ASSAY_CONNECT_TIMEOUT (15s), or goes
quiet for ASSAY_IDLE_TIMEOUT (60s), counts as unreachable. Records someone
else deleted or changed on the remote are reported, never pushed again,
and this clone's copy is kept under refs/assay/original. Runs kept in
.assay/spool before git init are recorded too.`,
		Example: `  assay sync
  assay sync --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("sync takes no arguments, got %q", strings.Join(args, " "))
			}
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			return runSync(opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: `text` or json")
	return cmd
}

type syncJSON struct {
	Branch          string `json:"branch"`
	Remote          string `json:"remote"`
	Recorded        int    `json:"recorded"`
	AlreadyRecorded int    `json:"already_recorded"`
	Delivered       int    `json:"delivered"`
	Pending         int    `json:"pending"`
	// Artifact uploads: files stored now, already present, and still
	// waiting for a reachable store.
	ArtifactsUploaded int      `json:"artifacts_uploaded"`
	ArtifactsPresent  int      `json:"artifacts_present"`
	ArtifactsPending  int      `json:"artifacts_pending"`
	Problems          []string `json:"problems"`
	// Corrections are rewrites of the remote branch by someone else that
	// this sync found (see docs/results.md).
	Corrections []correctionJSON `json:"corrections"`
	Error       string           `json:"error,omitempty"`
}

type correctionJSON struct {
	Deleted []string `json:"deleted"`
	Changed []string `json:"changed"`
	Kept    string   `json:"kept"`
}

func runSync(opts *syncOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	store, err := openResults(f, opts.g, ws)
	if err != nil {
		return err
	}
	sp, err := spool.Open(store.SpoolDir())
	if err != nil {
		return err
	}
	if err := adoptPreGitRuns(f, sp, ws.root, store.Worktree()); err != nil {
		return err
	}
	rep, derr := store.Deliver(f.Context, sp)
	var ob *results.OutboxError
	if derr != nil && !errors.As(derr, &ob) {
		return derr
	}
	pending, _ := store.Pending()
	if opts.format == "json" {
		out := syncJSON{Branch: store.Branch(), Remote: store.Remote(), Recorded: rep.Recorded,
			AlreadyRecorded: rep.AlreadyRecorded, Delivered: rep.Sync.Delivered, Pending: pending, Problems: []string{},
			ArtifactsUploaded: rep.Uploads.Uploaded, ArtifactsPresent: rep.Uploads.Present, ArtifactsPending: rep.Uploads.Pending,
			Corrections: []correctionJSON{}}
		for _, c := range rep.Sync.Corrections {
			out.Corrections = append(out.Corrections, correctionJSON{Deleted: nonNil(c.Deleted), Changed: nonNil(c.Changed), Kept: c.Kept})
		}
		for _, p := range rep.Problems {
			out.Problems = append(out.Problems, p.Error())
		}
		if derr != nil {
			out.Error = derr.Error()
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		if derr != nil || len(rep.Problems) > 0 || rep.Uploads.Pending > 0 {
			return silentError
		}
		return nil
	}
	if err := reportDelivery(f, store, rep, derr); err != nil {
		return err
	}
	if rep.Uploads.Pending > 0 {
		return silentError // reportDelivery said which files wait, and why
	}
	return nil
}

// reportDelivery tells the user what a delivery did, and where results
// are when it could not reach the remote (exit 1).
func reportDelivery(f *Factory, store *results.Store, rep results.DeliverReport, derr error) error {
	for _, p := range rep.Problems {
		fmt.Fprintf(f.IO.ErrOut, "error: %s\n  It stays in the spool, %s.\n", p, store.SpoolDir())
	}
	reportUploads(f, rep.Uploads)
	if derr != nil {
		fmt.Fprintf(f.IO.ErrOut, "error: %s\n", derr)
		return silentError
	}
	switch {
	case store.Remote() == "":
		if rep.Recorded > 0 {
			fmt.Fprintf(f.IO.ErrOut, "Recorded %s on %s (no remote: the branch stays in this repository).\n", plural(rep.Recorded, "run"), shortBranch(store))
		} else {
			fmt.Fprintf(f.IO.ErrOut, "Nothing to record: the spool is empty.\n")
		}
	case rep.Sync.Delivered > 0:
		fmt.Fprintf(f.IO.ErrOut, "Delivered %s to %s on %s.\n", plural(rep.Sync.Delivered, "result"), shortBranch(store), store.Remote())
	default:
		fmt.Fprintf(f.IO.ErrOut, "Nothing to deliver: %s on %s is up to date.\n", shortBranch(store), store.Remote())
	}
	if len(rep.Problems) > 0 {
		return silentError
	}
	return nil
}

func shortBranch(store *results.Store) string {
	return strings.TrimPrefix(store.Branch(), "refs/heads/")
}

// projectSettings reads the project block of assay.hcl without failing on
// problems in experiment files, which the results do not depend on.
func projectSettings(f *Factory, g *globalOptions, ws *workspace) (spec.Settings, error) {
	vv, err := varValues(f, g)
	if err != nil {
		return spec.Settings{}, err
	}
	p, diags := spec.Load(ws.fsys, spec.LoadOptions{Vars: vv})
	var own hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil && filepath.Base(d.Subject.Filename) == spec.ProjectFile {
			own = append(own, d)
		}
	}
	if len(own) > 0 {
		printDiagnostics(f, p.Files, own)
		return p.Settings, silentError
	}
	return p.Settings, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// openResults opens the workspace's results store, as assay.hcl sets it.
func openResults(f *Factory, g *globalOptions, ws *workspace) (*results.Store, error) {
	settings, err := projectSettings(f, g, ws)
	if err != nil {
		return nil, err
	}
	return openStore(f, ws, settings)
}

// openStore opens the results store that settings describe, its warnings
// going to stderr.
func openStore(f *Factory, ws *workspace, settings spec.Settings) (*results.Store, error) {
	store, err := results.OpenForProject(ws.root, settings, f.Getenv)
	if err != nil {
		return nil, err
	}
	store.SetWarnings(f.IO.ErrOut)
	return store, nil
}

// fetchResults brings the results branch up to date; with the remote out
// of reach, or silent past its deadline, it warns and the local copy
// serves.
func fetchResults(f *Factory, store *results.Store) {
	if err := store.Fetch(f.Context); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s\n  Working offline from the local copy of the results branch.\n", err)
	}
}

// resultsRecorded is how assay plan learns which trials have a succeeded
// run: the results branch, fetched first, and the local spool (with the
// runs kept in .assay/spool before `git init` moved into it). What it
// returns is also the runner.History searches are replayed from.
func resultsRecorded(f *Factory) func(ws *workspace, head *spec.Project) (runner.Recorded, error) {
	return func(ws *workspace, head *spec.Project) (runner.Recorded, error) {
		store, err := openStore(f, ws, head.Settings)
		if errors.Is(err, results.ErrNotRepository) {
			// Outside git there is no results branch, only the spool.
			if sp, err := existingSpool(spool.PreGitDir(ws.root)); sp != nil || err != nil {
				return sp, err
			}
			return runner.NothingRecorded{}, nil
		}
		if err != nil {
			return nil, err
		}
		fetchResults(f, store)
		rec := runner.AnyRecorded{store}
		sp, err := spool.Open(store.SpoolDir())
		if err != nil {
			return nil, err
		}
		if err := adoptPreGitRuns(f, sp, ws.root, store.Worktree()); err != nil {
			return nil, err
		}
		return recordedHistory{append(rec, sp), newSearchHistory(store, store.SpoolDir())}, nil
	}
}

// prepareRunResults is what assay run does before planning its trials:
// deliver the outbox first (a failure there is a warning: this run's
// results will join it), then fetch, so reused trials are known. Outside
// git it returns no store.
func prepareRunResults(f *Factory, ws *workspace, settings spec.Settings) (*results.Store, error) {
	store, err := openStore(f, ws, settings)
	if errors.Is(err, results.ErrNotRepository) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if n, _ := store.Pending(); n > 0 {
		if _, err := store.Sync(f.Context); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", err)
			runOffline(f, store)
			return store, nil
		}
	}
	if err := store.Fetch(f.Context); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", err)
		runOffline(f, store)
	}
	return store, nil
}

// runOffline tells the user that assay run goes on without the remote.
func runOffline(f *Factory, store *results.Store) {
	fmt.Fprintf(f.IO.ErrOut, "  Carrying on offline: trials already recorded in the local copy of %s are skipped, and the new results wait in the outbox until assay sync reaches the remote.\n", shortBranch(store))
}

// deliverRunResults records what a run left in the spool on the results
// branch and pushes it (a repository with no remote keeps the branch
// locally; with noPush the commits wait in the outbox for assay sync).
// When the remote stays out of reach it says where the results are and
// returns silentError, so assay run exits 1.
func deliverRunResults(f *Factory, store *results.Store, sp *spool.Spool, noPush bool) error {
	if store == nil {
		return nil
	}
	var rep results.DeliverReport
	var err error
	if noPush {
		rep, err = store.Commit(sp)
		if err == nil && store.Remote() != "" {
			for _, p := range rep.Problems {
				fmt.Fprintf(f.IO.ErrOut, "error: %s\n  It stays in the spool, %s.\n", p, store.SpoolDir())
			}
			reportUploads(f, rep.Uploads)
			fmt.Fprintf(f.IO.ErrOut, "Recorded %s on %s, not pushed (--no-push); assay sync delivers them to %s.\n",
				plural(rep.Recorded, "run"), shortBranch(store), store.Remote())
			if len(rep.Problems) > 0 {
				return silentError
			}
			return nil
		}
	} else {
		rep, err = store.Deliver(f.Context, sp)
	}
	var ob *results.OutboxError
	if err != nil && !errors.As(err, &ob) {
		return fmt.Errorf("recording results on %s: %w; they stay in the spool %s", shortBranch(store), err, sp.Dir)
	}
	return reportDelivery(f, store, rep, err)
}
