package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/collect"
	"github.com/assaylab/assay/spec"
)

type artifactsOptions struct {
	f      *Factory
	g      *globalOptions
	id     string
	format string
}

type artifactsGetOptions struct {
	f    *Factory
	g    *globalOptions
	id   string
	path string
	out  string
	log  bool
}

func newArtifactsCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &artifactsOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "artifacts RUN_ID [--format table|json]",
		Short: "List the files a run kept, or download one with assay artifacts get",
		Long: `List the artifacts of one recorded run: each file its artifacts globs matched
or it wrote to ASSAY_ARTIFACTS_DIR, with its size, SHA-256, media type and
where the artifact store holds it, and the run's full log. A file marked
pending could not be uploaded when the run was recorded; assay sync uploads
it from the machine that ran it.

RUN_ID may be any unique prefix of the run id (assay ls lists ids).`,
		Example: `  assay artifacts 20260301T1200
  assay artifacts 20260301T1200 --format json | jq '.files[].sha256'
  assay artifacts get 20260301T1200 out/model.pt -o model.pt
  assay artifacts get 20260301T1200 --log -o train.log`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("artifacts takes one RUN_ID (assay ls lists them), or: assay artifacts get RUN_ID PATH")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(opts.format, "table", "json"); err != nil {
				return err
			}
			opts.id = args[0]
			return runArtifacts(opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "table", "output format: `table` or json")
	cmd.AddCommand(newArtifactsGetCmd(f, g))
	return cmd
}

func newArtifactsGetCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &artifactsGetOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "get RUN_ID PATH [-o DEST] | get RUN_ID --log [-o DEST]",
		Short: "Download one artifact of a run and verify its checksum",
		Long: `Download the artifact PATH of a run (as assay artifacts lists it) from the
artifact store, or the run's full log with --log. The bytes are checked
against the SHA-256 and size in the run's record before they replace DEST;
a damaged object is refused and DEST is left as it was. DEST defaults to the
file's name in the current directory; a directory puts the file inside it;
- writes to standard output (checked once written: exit 1 on a mismatch).`,
		Example: `  assay artifacts get 20260301T1200 out/model.pt
  assay artifacts get 20260301T1200 out/model.pt -o checkpoints/
  assay artifacts get 20260301T1200 --log -o - | less`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.log && len(args) != 1:
				return usageErrorf("get --log takes one RUN_ID")
			case !opts.log && len(args) != 2:
				return usageErrorf("get takes RUN_ID and PATH (assay artifacts RUN_ID lists the paths), or RUN_ID --log")
			}
			opts.id = args[0]
			if !opts.log {
				opts.path = args[1]
			}
			return runArtifactsGet(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.out, "output", "o", "", "write to `DEST` (a file, a directory, or - for standard output)")
	cmd.Flags().BoolVar(&opts.log, "log", false, "download the run's full log instead of an artifact")
	return cmd
}

// runArtifactsView is one recorded run's artifacts as they stand.
type runArtifactsView struct {
	detail *results.RunDetail
	files  []runner.ArtifactFile
	log    *runner.ArtifactFile
	// browse links an object for people, "" where the store has no link.
	browse func(sha string) string
}

// loadRunArtifacts reads a run and its manifest, as later syncs left it.
func loadRunArtifacts(f *Factory, g *globalOptions, id string) (*results.Store, *runArtifactsView, error) {
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return nil, nil, err
	}
	store, err := openResults(f, g, ws)
	if err != nil {
		return nil, nil, err
	}
	d, err := store.Run(id)
	if errors.Is(err, results.ErrNoRun) {
		return nil, nil, fmt.Errorf("%w; assay ls lists the recorded runs", err)
	}
	if err != nil {
		return nil, nil, err
	}
	v, err := viewArtifacts(f.Context, store, d)
	return store, v, err
}

func viewArtifacts(ctx context.Context, store *results.Store, d *results.RunDetail) (*runArtifactsView, error) {
	files, log, err := store.RunArtifacts(d)
	if err != nil {
		return nil, err
	}
	v := &runArtifactsView{detail: d, files: files, log: log, browse: func(string) string { return "" }}
	if len(files) > 0 || log != nil {
		if st, err := store.ArtifactStore(ctx); err == nil {
			v.browse = st.BrowseURL
		}
	}
	return v, nil
}

type artifactJSON struct {
	runner.ArtifactFile
	Link string `json:"link,omitempty"`
}

type artifactsJSON struct {
	RunID   string                  `json:"run_id"`
	Files   []artifactJSON          `json:"files"`
	FullLog *artifactJSON           `json:"full_log"`
	Inputs  []runner.ArtifactOrigin `json:"input_artifacts"`
}

func runArtifacts(opts *artifactsOptions) error {
	f := opts.f
	_, v, err := loadRunArtifacts(f, opts.g, opts.id)
	if err != nil {
		return err
	}
	r := v.detail.Result
	if opts.format == "json" {
		out := artifactsJSON{RunID: r.RunID, Files: []artifactJSON{}, Inputs: r.InputArtifacts}
		if out.Inputs == nil {
			out.Inputs = []runner.ArtifactOrigin{}
		}
		for _, a := range v.files {
			out.Files = append(out.Files, artifactJSON{ArtifactFile: a, Link: v.link(a)})
		}
		if v.log != nil {
			out.FullLog = &artifactJSON{ArtifactFile: *v.log, Link: v.link(*v.log)}
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(v.files) == 0 && v.log == nil {
		if len(r.Artifacts) > 0 {
			fmt.Fprintf(f.IO.Out, "Run %s kept %s before artifacts had a manifest; they are in .git/assay/artifacts/%s of the machine that ran it.\n", r.RunID, plural(len(r.Artifacts), "file"), r.RunID)
			return nil
		}
		fmt.Fprintf(f.IO.Out, "Run %s kept no artifacts.\n", r.RunID)
		return nil
	}
	return writeArtifactsTable(f.IO.Out, v)
}

// link is where a person opens an artifact: the store's browsable URL,
// else its store URL.
func (v *runArtifactsView) link(a runner.ArtifactFile) string {
	if a.Pending {
		return ""
	}
	if l := v.browse(a.SHA256); l != "" {
		return l
	}
	return a.URL
}

func writeArtifactsTable(w io.Writer, v *runArtifactsView) error {
	rows := [][]string{}
	row := func(name string, a runner.ArtifactFile) {
		state := "stored"
		if a.Pending {
			state = "pending"
		}
		rows = append(rows, []string{name, humanBytes(a.Size), a.SHA256[:min(12, len(a.SHA256))], a.MediaType, state, v.link(a)})
	}
	for _, a := range v.files {
		row(a.Path, a)
	}
	if v.log != nil {
		row("(full log: --log)", *v.log)
	}
	return writeTable(w, []string{"path", "size", "sha256", "type", "state", "url"}, rows)
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func runArtifactsGet(opts *artifactsGetOptions) error {
	f := opts.f
	store, v, err := loadRunArtifacts(f, opts.g, opts.id)
	if err != nil {
		return err
	}
	r := v.detail.Result
	var a *runner.ArtifactFile
	if opts.log {
		if v.log == nil {
			return fmt.Errorf("run %s has no full log in the artifact store (it was recorded before assay kept full logs); assay show %s prints its tail", r.RunID, r.RunID)
		}
		a = v.log
	} else {
		want := strings.TrimPrefix(path.Clean(filepath.ToSlash(opts.path)), "./")
		for i := range v.files {
			if v.files[i].Path == want {
				a = &v.files[i]
			}
		}
		if a == nil {
			names := make([]string, len(v.files))
			for i, x := range v.files {
				names[i] = x.Path
			}
			if len(names) == 0 {
				return fmt.Errorf("run %s kept no artifacts", r.RunID)
			}
			return fmt.Errorf("run %s kept no artifact %q; it kept: %s", r.RunID, opts.path, strings.Join(names, ", "))
		}
	}
	name := path.Base(a.Path)
	if opts.log {
		name = r.RunID + ".log"
	}
	dest := opts.out
	switch {
	case dest == "":
		dest = filepath.Join(f.Dir, name)
	case dest == "-":
	default:
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(f.Dir, dest)
		}
		if info, err := os.Stat(dest); (err == nil && info.IsDir()) || strings.HasSuffix(opts.out, "/") {
			dest = filepath.Join(dest, name)
		}
	}
	if a.Pending {
		return getPending(f, store, r, *a, dest, opts.log)
	}
	st, err := store.ArtifactStore(f.Context)
	if err != nil {
		return err
	}
	if dest == "-" {
		return st.Copy(f.Context, *a, f.IO.Out)
	}
	if err := st.Download(f.Context, *a, dest); err != nil {
		if errors.Is(err, artifacts.ErrNotInStore) {
			return fmt.Errorf("%w: the object is missing from the store (was it cleaned up?)", err)
		}
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Downloaded %s (%s, sha256 %s verified) to %s.\n", a.Path, humanBytes(a.Size), a.SHA256[:12], dest)
	return nil
}

// localArtifactCopy is the copy of a run's file this machine kept when
// the run was recorded, when it is here and still matches the record;
// else the error says which machine has it.
func localArtifactCopy(store *results.Store, r *runner.Result, a runner.ArtifactFile, isLog bool) (string, error) {
	local := filepath.Join(store.ArtifactsDir(r.RunID), filepath.FromSlash(a.Path))
	if isLog {
		local = store.PendingLogPath(r.RunID)
	}
	got, err := collect.HashFile(local, a.Path)
	if err != nil || got.SHA256 != a.SHA256 {
		return "", fmt.Errorf("%s of run %s is not in the artifact store yet: its upload failed when the run was recorded on %s. "+
			"Run assay sync on that machine to upload it", a.Path, r.RunID, r.System.Host)
	}
	return local, nil
}

// getPending serves a file whose upload is pending from the local copy
// this machine kept, when it is here and still matches the record.
func getPending(f *Factory, store *results.Store, r *runner.Result, a runner.ArtifactFile, dest string, isLog bool) error {
	local, err := localArtifactCopy(store, r, a, isLog)
	if err != nil {
		return err
	}
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	if dest == "-" {
		_, err = io.Copy(f.IO.Out, in)
		return err
	}
	tmp := dest + ".assay-tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Copied %s from this machine's local copy to %s (its upload is pending: assay sync stores it).\n", a.Path, dest)
	return nil
}

// writeShowArtifacts is assay show's part about files: what the run kept
// and where its artifact inputs came from.
func writeShowArtifacts(w io.Writer, v *runArtifactsView) {
	r := v.detail.Result
	if len(r.InputArtifacts) > 0 {
		fmt.Fprintln(w, "\ninputs from")
		for _, o := range r.InputArtifacts {
			if !o.Resolved() {
				fmt.Fprintf(w, "  %-20s unresolved: no succeeded run of %s had kept it when this trial was planned\n", o.Experiment+"/"+o.Path, o.Experiment)
				continue
			}
			fmt.Fprintf(w, "  %-20s sha256 %s, run %s (experiment %s)\n", o.Experiment+"/"+o.Path, o.SHA256[:12], o.RunID, o.Experiment)
		}
	}
	if len(v.files) == 0 && v.log == nil {
		return
	}
	fmt.Fprintln(w, "\nartifacts")
	var b strings.Builder
	writeArtifactsTable(&b, v)
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if line != "" {
			fmt.Fprint(w, "  "+line)
		}
	}
}

// lazyArtifactSource answers the plan's lineage question from the results
// branch, opened only when some experiment has an artifact() input.
type lazyArtifactSource struct {
	f     *Factory
	ws    *workspace
	once  sync.Once
	store *results.Store
}

func artifactSource(f *Factory, ws *workspace) runner.ArtifactSource {
	return &lazyArtifactSource{f: f, ws: ws}
}

func (l *lazyArtifactSource) LatestArtifact(experiment string, keys []string, p string) (runner.ArtifactOrigin, bool, error) {
	l.once.Do(func() {
		vv, _ := varValues(l.f, &globalOptions{})
		proj, _ := spec.Load(l.ws.fsys, spec.LoadOptions{Vars: vv})
		store, err := results.OpenForProject(l.ws.root, proj.Settings, l.f.Getenv)
		if err != nil {
			return // outside git: nothing recorded, so nothing resolves
		}
		fetchResults(l.f, store)
		l.store = store
	})
	if l.store == nil {
		return runner.ArtifactOrigin{}, false, nil
	}
	return l.store.LatestArtifact(experiment, keys, p)
}

// reportUploads tells the user what became of a delivery's artifacts.
// It returns true when files still wait for an upload.
func reportUploads(f *Factory, rep results.UploadReport) bool {
	if rep.Completed > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Uploaded the pending artifacts of %s to %s.\n", plural(rep.Completed, "run"), rep.Store)
	}
	if rep.Pending == 0 {
		return false
	}
	fmt.Fprintf(f.IO.ErrOut, "warning: %s could not be uploaded to the artifact store %s: %v\n"+
		"  The runs are recorded with those files marked pending; the files are kept in this repository's .git/assay.\n"+
		"  Run assay sync once the store can be reached to upload them.\n", plural(rep.Pending, "file"), rep.Store, rep.Err)
	return true
}
