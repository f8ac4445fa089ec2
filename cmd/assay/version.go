package main

import (
	"runtime/debug"
	"strings"
)

// version and commit are stamped at build time with -ldflags
// "-X main.version=... -X main.commit=..." (the Makefile and
// .goreleaser.yaml do). A binary built by go install …@version carries
// neither, but Go records the module version, and a build from a checkout
// the commit: init fills in whichever the ldflags left empty.
var (
	version = ""
	commit  = ""
)

func init() {
	bi, _ := debug.ReadBuildInfo()
	version, commit = resolveVersion(version, commit, bi)
}

// resolveVersion is the version and commit assay reports: the stamped
// ones, else what the Go build info holds, else "dev" and "unknown".
func resolveVersion(v, c string, bi *debug.BuildInfo) (string, string) {
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		if c == "" {
			modified := false
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					c = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
			if c != "" && modified {
				c += "-dirty"
			}
		}
		// A pseudo-version (v0.0.0-20260102150405-0123456789ab) ends in
		// the commit it was made from.
		if c == "" && strings.Count(v, "-") >= 2 {
			if last := v[strings.LastIndex(v, "-")+1:]; len(last) == 12 {
				c = last
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	return v, c
}

// versionLine is what assay --version prints.
func versionLine() string { return "assay " + version + " (commit " + commit + ")\n" }
