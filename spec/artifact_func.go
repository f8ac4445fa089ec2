package spec

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// ArtifactInputPrefix starts an inputs entry that names another
// experiment's artifact rather than files of the repository:
//
//	artifact://<experiment>/<path>
//
// It is what artifact("pretrain", "out/model.pt") returns, and may be
// written out by hand. No glob of the repository can look like it: a
// glob's empty segments ("//") mean nothing, so no file path needs one.
const ArtifactInputPrefix = "artifact://"

// ArtifactInput is an inputs entry that consumes another experiment's
// artifact: the file at Path (relative to that experiment's artifacts,
// as `assay artifacts` lists them) of its newest succeeded run. The runner
// resolves it to the file's SHA-256, which enters the trial key.
type ArtifactInput struct {
	Experiment string
	Path       string
}

// String is the inputs entry: artifact://<experiment>/<path>.
func (a ArtifactInput) String() string {
	return ArtifactInputPrefix + a.Experiment + "/" + a.Path
}

// ParseArtifactInput reports whether an inputs entry names an artifact
// and, if so, which. ok is true for any entry with the prefix; err says
// what is wrong with one that has it but cannot be used.
func ParseArtifactInput(entry string) (a ArtifactInput, ok bool, err error) {
	rest, ok := strings.CutPrefix(entry, ArtifactInputPrefix)
	if !ok {
		return a, false, nil
	}
	name, p, found := strings.Cut(rest, "/")
	if !found || p == "" {
		return a, true, fmt.Errorf("%q names no file: write artifact://<experiment>/<path>, or artifact(\"experiment\", \"path\")", entry)
	}
	if err := checkArtifactArgs(name, p); err != nil {
		return a, true, err
	}
	return ArtifactInput{Experiment: name, Path: path.Clean(p)}, true, nil
}

// checkArtifactArgs says why an experiment name and artifact path cannot
// name an artifact, or nil.
func checkArtifactArgs(name, p string) error {
	if !hclsyntax.ValidIdentifier(name) {
		return fmt.Errorf("%q is not an experiment name", name)
	}
	switch {
	case p == "":
		return fmt.Errorf("the artifact path is empty; give the path `assay artifacts` lists, such as \"out/model.pt\"")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is absolute; artifact paths are relative to the experiment's artifacts, as `assay artifacts` lists them", p)
	case strings.ContainsAny(p, "*?[{\\"):
		return fmt.Errorf("%q is a glob; name one artifact file", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return fmt.Errorf("%q leaves the experiment's artifacts; artifact paths may not use \"..\"", p)
		}
	}
	return nil
}

// artifactFunc is artifact(experiment, path): an inputs entry for a file
// another experiment kept. It only builds the entry; the runner resolves
// it at plan time.
func artifactFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Names a file another experiment kept as an artifact, for use in inputs; its content hash enters the trial key.",
		Params: []function.Parameter{
			{Name: "experiment", Type: cty.String},
			{Name: "path", Type: cty.String},
		},
		Type: function.StaticReturnType(cty.String),
		RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
			return b.NotNull().StringPrefix(ArtifactInputPrefix)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name, p := args[0].AsString(), args[1].AsString()
			if !hclsyntax.ValidIdentifier(name) {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("%q is not an experiment name", name))
			}
			if err := checkArtifactArgs(name, p); err != nil {
				return cty.NilVal, function.NewArgError(1, err)
			}
			return cty.StringVal(ArtifactInput{Experiment: name, Path: path.Clean(p)}.String()), nil
		},
	})
}
