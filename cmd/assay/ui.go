package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/ui"
	"github.com/assaylab/assay/reporter/web"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

type uiOptions struct {
	f    *Factory
	g    *globalOptions
	addr string
}

func newUICmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &uiOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "ui [--addr 127.0.0.1:8080]",
		Short: "Browse the results branch in a local, read-only web UI",
		Long: `Serve a read-only web UI over the results branch: a runs explorer with the
--where language of assay ls, a page per experiment (history, best configs,
curves), a compare page for any two commits or pull requests, and a page
per run.

It listens on 127.0.0.1 unless --addr says otherwise, and then answers only
requests addressed to localhost. It reads the local copy of the branch and
never changes it: run git fetch (or assay sync) and reload to see new
results. Ctrl-C stops it.`,
		Example: `  assay ui
  assay ui --addr 127.0.0.1:9000
  assay ui -C ~/src/resnet`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("ui takes no arguments, got %q", strings.Join(args, " "))
			}
			if opts.addr == "" {
				return usageErrorf("--addr needs a host and port, such as 127.0.0.1:8080")
			}
			return runUI(opts)
		},
	}
	cmd.Flags().StringVar(&opts.addr, "addr", ui.DefaultAddr, "listen on `HOST:PORT` (port 0 picks a free one)")
	return cmd
}

func runUI(opts *uiOptions) error {
	f := opts.f
	if err := web.Check(); err != nil {
		return err
	}
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	vv, err := varValues(f, opts.g)
	if err != nil {
		return err
	}
	// Specs give metric goals. A spec with errors still lets the results
	// be browsed: its diagnostics are printed and its goals left out.
	project, diags := spec.Load(ws.fsys, spec.LoadOptions{Vars: vv})
	printDiagnostics(f, project.Files, diags)
	if diags.HasErrors() {
		fmt.Fprintln(f.IO.ErrOut, "assay ui: the specs have errors; metrics are shown without goals until they are fixed.")
	}
	store, err := results.OpenForProject(ws.root, project.Settings, f.Getenv)
	if err != nil {
		return err
	}
	uo := ui.Options{
		Store:   store,
		Specs:   project.Experiments,
		Project: filepath.Base(ws.root),
		Logf:    func(format string, args ...any) { fmt.Fprintf(f.IO.ErrOut, format+"\n", args...) },
		// The compare page shows the headline runs' images, read as the
		// reports read them: the store, else this machine's copies.
		Artifacts: func() ui.ArtifactReader {
			return &runFiles{f: f, store: store, spoolDir: filepath.Join(spool.StateDir(ws.root), "spool")}
		},
	}
	if repo, err := gitrepo.Open(ws.root); err == nil {
		defer repo.Close()
		uo.Resolve = func(ref string) (string, error) {
			h, err := repo.Resolve(ref)
			if err != nil {
				return "", err
			}
			return h.String(), nil
		}
	}
	srv, err := ui.New(uo)
	if err != nil {
		return err
	}
	ln, exposed, err := srv.Listen(opts.addr)
	if err != nil {
		return err
	}
	url := ui.URL(ln)
	runs := "no results yet"
	if idx, err := store.Index(); err == nil && len(idx.Entries) > 0 {
		runs = plural(len(idx.Entries), "run")
	}
	fmt.Fprintf(f.IO.ErrOut, "assay ui: %s on %s, read-only, at %s\n", runs, strings.TrimPrefix(store.Branch(), "refs/heads/"), url)
	if exposed {
		fmt.Fprintf(f.IO.ErrOut, "assay ui: warning: %s is reachable from other machines; anyone who can reach it can read these results\n", ln.Addr())
	}
	fmt.Fprintln(f.IO.ErrOut, "assay ui: press Ctrl-C to stop")
	ctx, stop := signal.NotifyContext(f.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := ui.Serve(ctx, ln, srv); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serving the UI: %w", err)
	}
	fmt.Fprintln(f.IO.ErrOut, "assay ui: stopped")
	return nil
}
