package main

import (
	"context"
	"runtime/debug"
	"testing"
)

func TestResolveVersion(t *testing.T) {
	for _, tc := range []struct {
		name         string
		v, c         string
		bi           *debug.BuildInfo
		wantV, wantC string
	}{
		{"stamped by a release build", "1.4.0", "0123abc", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "1.4.0", "0123abc"},
		{"go install of a tag", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0", "unknown"},
		{"go install of a commit", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260102150405-0123456789ab"}}, "v0.0.0-20260102150405-0123456789ab", "0123456789ab"},
		{"go build in a checkout", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "89abcdef"}, {Key: "vcs.modified", Value: "true"}}}, "dev", "89abcdef-dirty"},
		{"no build info", "", "", nil, "dev", "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, c := resolveVersion(tc.v, tc.c, tc.bi)
			if v != tc.wantV || c != tc.wantC {
				t.Errorf("resolveVersion = %q, %q; want %q, %q", v, c, tc.wantV, tc.wantC)
			}
		})
	}
}

func TestVersionFlag(t *testing.T) {
	io, _, out, _ := testIO()
	f := &Factory{IO: io, Dir: t.TempDir(), Context: context.Background(),
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil }}
	if code := Main([]string{"--version"}, f); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if want := "assay " + version + " (commit " + commit + ")\n"; out.String() != want {
		t.Errorf("assay --version printed %q, want %q", out.String(), want)
	}
}
