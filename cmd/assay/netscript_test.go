package main

import (
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// cmdSilentRemote is the script command "silent-remote NAME": it listens
// on a loopback port, accepts every connection and never says a word, as
// a hung server or a firewall that swallows what follows the handshake
// does, and sets $NAME to its host:port. It stops when the script ends.
func cmdSilentRemote(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: silent-remote NAME")
	}
	srv, err := gittest.StartSilent()
	ts.Check(err)
	ts.Defer(srv.Stop)
	ts.Setenv(args[0], srv.Addr)
}

// cmdGitDaemon is the script command "git-daemon DIR NAME": it serves the
// repositories under DIR over git:// with pushes enabled, until the script
// ends, and sets $NAME to the URL prefix (git://127.0.0.1:PORT/).
func cmdGitDaemon(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: git-daemon DIR NAME")
	}
	d, err := gittest.StartDaemon(ts.MkAbs(args[0]), 0)
	ts.Check(err)
	ts.Defer(d.Stop)
	ts.Setenv(args[1], d.URL)
}
