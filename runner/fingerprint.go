package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

// InputsVersion prefixes every inputs fingerprint encoding, so a change of
// encoding can never collide with an old one.
const InputsVersion = "assay.inputs/v1"

// Inputs is what a trial reads at one commit: the entries its inputs
// globs cover, and their fingerprint.
type Inputs struct {
	// Fingerprint is hex(SHA-256) of InputsVersion and the entries, one
	// line each: "<octal mode> <object id> <path>\n" in path order. It is
	// what spec.Trial.Inputs holds.
	Fingerprint string
	// Entries are sorted by path. A directory that a glob covers whole is
	// one entry with its tree id; nothing below it is listed.
	Entries []gitrepo.Entry
	// Unmatched are the globs that matched nothing.
	Unmatched []string
	// Artifacts are what the artifact() inputs resolved to, in inputs
	// order (see lineage.go).
	Artifacts []ArtifactOrigin
}

// inputsReader fingerprints the experiments of one side. It caches by
// glob, so experiments that share a workdir share the walk.
type inputsReader struct {
	snap gitrepo.Snapshot
	// exclude are paths that default inputs never include (every spec file
	// and assay.hcl), sorted: their meaning is already in the trial key,
	// and one experiment's spec edit must not change another's key.
	exclude []string
	globs   map[string]globResult
	dirs    map[string]map[string]gitrepo.Entry
	// lin resolves artifact() inputs; nil resolves none.
	lin *lineage
}

type globResult struct {
	entries []gitrepo.Entry
	err     error
}

func newInputsReader(snap gitrepo.Snapshot, p *spec.Project) *inputsReader {
	ex := append([]string{spec.ProjectFile}, p.SpecFiles...)
	sort.Strings(ex)
	return &inputsReader{snap: snap, exclude: ex, globs: map[string]globResult{}, dirs: map[string]map[string]gitrepo.Entry{}}
}

// DefaultInputs are the globs an experiment without inputs reads, for a
// trial whose workdir is workdir: everything under the workdir except spec
// files and assay.hcl.
//
// The experiment's own spec file is not an input: what in it decides a
// result (command, env, params, seeds, runner) is already in the trial key
// as evaluated values, and the rest (description, metrics, schedule,
// comments, layout) must not rerun anything. Fingerprinting its raw bytes
// would make a reformat rerun every trial.
func DefaultInputs(e *spec.Experiment, workdir string) []string {
	if workdir == "." || workdir == "" {
		return []string{"**"}
	}
	return []string{workdir + "/**"}
}

// read fingerprints the inputs of experiment e for a trial in workdir.
func (r *inputsReader) read(e *spec.Experiment, workdir string) (*Inputs, error) {
	globs, exclude := e.Inputs, false
	if globs == nil {
		globs, exclude = DefaultInputs(e, workdir), true
	}
	byPath := map[string]gitrepo.Entry{}
	var unmatched []string
	var arts []ArtifactOrigin
	for _, g := range globs {
		if a, ok, err := spec.ParseArtifactInput(g); ok {
			if err != nil {
				return nil, err
			}
			o := ArtifactOrigin{Experiment: a.Experiment, Path: a.Path}
			if r.lin != nil {
				if o, err = r.lin.resolve(a); err != nil {
					return nil, err
				}
			}
			arts = append(arts, o)
			continue
		}
		res := r.glob(g, exclude)
		if res.err != nil {
			return nil, res.err
		}
		// The default's "**" in a root workdir matches nothing only when
		// the repository holds nothing but specs: not worth a warning.
		if len(res.entries) == 0 && !(exclude && g == "**") {
			unmatched = append(unmatched, g)
		}
		for _, en := range res.entries {
			byPath[en.Path] = en
		}
	}
	in := &Inputs{Entries: prune(byPath), Unmatched: unmatched, Artifacts: arts}
	in.Fingerprint = fingerprint(in.Entries, arts)
	return in, nil
}

// prune drops entries inside a directory that is itself an entry (two
// globs that overlap), and sorts the rest by path.
func prune(byPath map[string]gitrepo.Entry) []gitrepo.Entry {
	out := make([]gitrepo.Entry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	kept := out[:0]
	var dirs []string
	for _, e := range out {
		covered := false
		for _, d := range dirs {
			if d == "." || strings.HasPrefix(e.Path, d+"/") {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		if e.IsDir() {
			dirs = append(dirs, e.Path)
		}
		kept = append(kept, e)
	}
	return kept
}

// fingerprint hashes the entries and then, one line each, the artifact
// inputs: "artifact <experiment> <path> <sha256 or unresolved>\n". An
// experiment without artifact inputs adds no line, so its fingerprint is
// what it was before lineage existed.
func fingerprint(entries []gitrepo.Entry, arts []ArtifactOrigin) string {
	h := sha256.New()
	h.Write([]byte(InputsVersion + "\n"))
	var b strings.Builder
	for _, e := range entries {
		b.Reset()
		b.WriteString(strconv.FormatUint(uint64(e.Mode), 8))
		b.WriteByte(' ')
		b.WriteString(e.ID.String())
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteByte('\n')
		h.Write([]byte(b.String()))
	}
	for _, a := range arts {
		sum := a.SHA256
		if sum == "" {
			sum = unresolvedArtifact
		}
		h.Write([]byte("artifact " + a.Experiment + " " + a.Path + " " + sum + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// glob returns the entries one inputs glob covers, cached.
func (r *inputsReader) glob(g string, exclude bool) globResult {
	key := g
	if exclude {
		key = "\x00" + g
	}
	if res, ok := r.globs[key]; ok {
		return res
	}
	w := &globWalk{r: r, exclude: exclude, out: map[string]gitrepo.Entry{}}
	var err error
	for _, alt := range expandBraces(g) {
		if err = w.walk(".", splitGlob(alt)); err != nil {
			break
		}
	}
	res := globResult{err: err}
	if err == nil {
		for _, e := range w.out {
			res.entries = append(res.entries, e)
		}
	}
	r.globs[key] = res
	return res
}

// child finds name in directory dir without computing any id.
func (r *inputsReader) child(dir, name string) (gitrepo.Entry, bool, error) {
	es, err := r.list(dir)
	if err != nil {
		return gitrepo.Entry{}, false, err
	}
	e, ok := es[name]
	return e, ok, nil
}

func (r *inputsReader) list(dir string) (map[string]gitrepo.Entry, error) {
	if m, ok := r.dirs[dir]; ok {
		return m, nil
	}
	es, err := r.snap.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		r.dirs[dir] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s of the %s: %w", dir, r.snap, err)
	}
	m := make(map[string]gitrepo.Entry, len(es))
	for _, e := range es {
		m[e.Name()] = e
	}
	r.dirs[dir] = m
	return m, nil
}

func (r *inputsReader) excluded(p string) bool {
	i := sort.SearchStrings(r.exclude, p)
	return i < len(r.exclude) && r.exclude[i] == p
}

// excludedBelow reports whether an excluded path lies inside dir.
func (r *inputsReader) excludedBelow(dir string) bool {
	if dir == "." {
		return len(r.exclude) > 0
	}
	i := sort.SearchStrings(r.exclude, dir+"/")
	return i < len(r.exclude) && strings.HasPrefix(r.exclude[i], dir+"/")
}

// globWalk matches one glob against a snapshot, segment by segment, and
// never walks below a directory the glob covers whole: that directory's
// tree id stands for everything in it.
type globWalk struct {
	r       *inputsReader
	exclude bool
	out     map[string]gitrepo.Entry
}

func (w *globWalk) walk(dir string, segs []string) error {
	if len(segs) == 0 {
		return w.addPath(dir)
	}
	seg := segs[0]
	if seg == "**" && (len(segs) == 1 || (len(segs) == 2 && segs[1] == "*")) {
		// Everything below dir (** also matches dir itself).
		return w.cover(dir)
	}
	if seg == "**" {
		if err := w.walk(dir, segs[1:]); err != nil {
			return err
		}
		es, err := w.r.list(dir)
		if err != nil {
			return err
		}
		for _, name := range sortedNames(es) {
			if e := es[name]; e.IsDir() {
				if err := w.walk(e.Path, segs); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if !hasMeta(seg) {
		e, ok, err := w.r.child(dir, unescape(seg))
		if err != nil || !ok {
			return err
		}
		if len(segs) == 1 || e.IsDir() {
			return w.walk(e.Path, segs[1:])
		}
		return nil
	}
	es, err := w.r.list(dir)
	if err != nil {
		return err
	}
	for _, name := range sortedNames(es) {
		ok, err := doublestar.Match(seg, name)
		if err != nil {
			return fmt.Errorf("bad inputs glob segment %q: %w", seg, err)
		}
		if !ok {
			continue
		}
		e := es[name]
		if len(segs) == 1 || e.IsDir() {
			if err := w.walk(e.Path, segs[1:]); err != nil {
				return err
			}
		}
	}
	return nil
}

// addPath adds what is at p: a file, or a directory as a whole.
func (w *globWalk) addPath(p string) error {
	if p == "." {
		return w.cover(p)
	}
	e, ok, err := w.r.child(path.Dir(p), path.Base(p))
	if err != nil || !ok {
		return err
	}
	if e.IsDir() {
		return w.cover(p)
	}
	return w.add(p)
}

// cover adds directory dir whole: its tree id, unless excluded paths lie
// inside, in which case its children are covered one by one.
func (w *globWalk) cover(dir string) error {
	if !w.exclude || !w.r.excludedBelow(dir) {
		return w.add(dir)
	}
	es, err := w.r.list(dir)
	if err != nil {
		return err
	}
	for _, name := range sortedNames(es) {
		e := es[name]
		if e.IsDir() {
			if err := w.cover(e.Path); err != nil {
				return err
			}
			continue
		}
		if err := w.add(e.Path); err != nil {
			return err
		}
	}
	return nil
}

// add records the entry at p with its id. A directory with nothing in it
// that git records is not there.
func (w *globWalk) add(p string) error {
	if w.exclude && w.r.excluded(p) {
		return nil
	}
	e, err := w.r.snap.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s of the %s: %w", p, w.r.snap, err)
	}
	if e.Mode == filemode.Dir && p == "." {
		e.Path = "."
	}
	w.out[e.Path] = e
	return nil
}

func sortedNames(m map[string]gitrepo.Entry) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// splitGlob splits a glob into path segments, dropping empty and "."
// segments ("./a//b" is "a/b").
func splitGlob(g string) []string {
	var out []string
	for _, s := range strings.Split(g, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

func hasMeta(seg string) bool { return strings.ContainsAny(seg, `*?[{\`) }

func unescape(seg string) string { return strings.ReplaceAll(seg, `\`, "") }

// expandBraces turns {a,b} alternatives into separate globs, so each can
// be walked segment by segment even when an alternative holds a "/".
func expandBraces(g string) []string {
	depth, start := 0, -1
	for i := 0; i < len(g); i++ {
		switch g[i] {
		case '\\':
			i++
		case '{':
			if depth == 0 {
				start = i
			}
			depth++
		case '}':
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				var out []string
				for _, alt := range splitAlternatives(g[start+1 : i]) {
					out = append(out, expandBraces(g[:start]+alt+g[i+1:])...)
				}
				return out
			}
		}
	}
	return []string{g}
}

// splitAlternatives splits the inside of a brace group at its top-level
// commas.
func splitAlternatives(s string) []string {
	var out []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[last:i])
				last = i + 1
			}
		}
	}
	return append(out, s[last:])
}
