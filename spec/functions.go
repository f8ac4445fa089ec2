package spec

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions is the function table of every spec expression: the cty
// standard library under the names Terraform users know, plus file and
// fileset, which read through fsys and so can never leave the repository.
func functions(fsys fs.FS) map[string]function.Function {
	return map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc, "pow": stdlib.PowFunc,
		"signum": stdlib.SignumFunc, "parseint": stdlib.ParseIntFunc, "int": stdlib.IntFunc,

		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"upper": stdlib.UpperFunc, "replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc,
		"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc,
		"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"trimspace": stdlib.TrimSpaceFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"regex_replace": stdlib.RegexReplaceFunc, "strlen": stdlib.StrlenFunc,

		"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
		"compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc,
		"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
		"index": stdlib.IndexFunc, "keys": stdlib.KeysFunc, "length": stdlib.LengthFunc,
		"lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc, "range": stdlib.RangeFunc,
		"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc,
		"setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc,
		"values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,

		"csvdecode": stdlib.CSVDecodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,

		"file":    fileFunc(fsys),
		"fileset": filesetFunc(fsys),

		"artifact": artifactFunc(),
	}
}

// repoPath cleans p and checks that it names something inside the
// repository. Absolute paths and paths through ".." are refused even when
// they would land back inside, so what a spec reads is obvious from it.
func repoPath(p string) (string, error) {
	if strings.HasPrefix(p, "/") || (len(p) > 1 && p[1] == ':') {
		return "", fmt.Errorf("%q is absolute; paths are relative to the repository root", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("%q leaves the repository; paths are relative to the repository root and may not use \"..\"", p)
		}
	}
	clean := path.Clean(p)
	if !fs.ValidPath(clean) {
		return "", fmt.Errorf("%q is not a valid path inside the repository", p)
	}
	return clean, nil
}

func fileFunc(fsys fs.FS) function.Function {
	return function.New(&function.Spec{
		Description: "Reads a file of the repository as a UTF-8 string.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
			return b.NotNull()
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, err := repoPath(args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			if fsys == nil {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("no repository to read %q from", p))
			}
			info, err := fs.Stat(fsys, p)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("cannot read %q: %w", p, err))
			}
			if info.Size() > MaxFileSize {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("%q is %d bytes; file() reads at most %d", p, info.Size(), MaxFileSize))
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("cannot read %q: %w", p, err))
			}
			if !utf8.Valid(b) {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("%q is not valid UTF-8", p))
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

func filesetFunc(fsys fs.FS) function.Function {
	return function.New(&function.Spec{
		Description: "Lists the files under a directory of the repository that match a glob, relative to that directory.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "pattern", Type: cty.String},
		},
		Type: function.StaticReturnType(cty.Set(cty.String)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			dir, err := repoPath(args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			pattern := args[1].AsString()
			if strings.HasPrefix(pattern, "/") || strings.Contains("/"+pattern+"/", "/../") {
				return cty.NilVal, function.NewArgError(1, fmt.Errorf("pattern %q leaves the directory", pattern))
			}
			if fsys == nil {
				return cty.SetValEmpty(cty.String), nil
			}
			full := pattern
			if dir != "." {
				full = dir + "/" + pattern
			}
			matches, err := doublestar.Glob(fsys, full, doublestar.WithFilesOnly())
			if err != nil {
				return cty.NilVal, function.NewArgError(1, fmt.Errorf("bad pattern %q: %w", pattern, err))
			}
			if len(matches) == 0 {
				return cty.SetValEmpty(cty.String), nil
			}
			sort.Strings(matches)
			vals := make([]cty.Value, len(matches))
			for i, m := range matches {
				if dir != "." {
					m = strings.TrimPrefix(m, dir+"/")
				}
				vals[i] = cty.StringVal(m)
			}
			return cty.SetVal(vals), nil
		},
	})
}
