package main

import (
	"bufio"
	"crypto/sha1"
	"fmt"
	"io"
	"time"

	"github.com/assaylab/assay/reporter/results"
)

// writeStream writes the branch as a git fast-import stream.
func writeStream(out io.Writer, g *gen, o batchOptions, branch, mainBranch string) error {
	w := bufio.NewWriterSize(out, 1<<20)
	if mainBranch != "" {
		for k := range (o.start + o.n + 99) / 100 {
			body, who, msg := mainCommit(k, g.mainCommits)
			// Each commit of a branch follows the one before it in the stream.
			fmt.Fprintf(w, "commit %s\nauthor %s\ncommitter %s\ndata %d\n%s\n", mainBranch, who, who, len(msg), msg)
			g.mainCommits = append(g.mainCommits, fmt.Sprintf("%x", sha1.Sum([]byte(fmt.Sprintf("commit %d\x00%s", len(body), body)))))
		}
	}
	err := g.batches(o, func(b *batch) error {
		fmt.Fprintf(w, "commit %s\ncommitter %s %d +0000\n", branch, resultsIdentity, b.when)
		fmt.Fprintf(w, "data %d\n%s\n", len(b.msg), b.msg)
		for _, p := range b.remove {
			fmt.Fprintf(w, "D %s\n", p)
		}
		for _, f := range b.files {
			inline(w, f)
		}
		return w.WriteByte('\n')
	})
	if err != nil {
		return err
	}
	return w.Flush()
}

func inline(w *bufio.Writer, f results.File) {
	fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n", f.Path, len(f.Data))
	w.Write(f.Data)
	w.WriteByte('\n')
}

// resultsIdentity is who the generated results commits are by: assay's
// own identity where git names none.
const resultsIdentity = "assay <assay@localhost>"

// emptyTree is git's id of the empty tree.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// mainCommit is commit k of the default branch's chain of empty commits,
// one per 100 runs, that runs name as their source: its body (as git
// hashes it), identity line and message. parents are the commits before
// it.
func mainCommit(k int, parents []string) (body, who, msg string) {
	when := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC).Unix() + int64(k)*600
	who = fmt.Sprintf("bench <bench@example.com> %d +0000", when)
	msg = fmt.Sprintf("change %d\n", k)
	body = "tree " + emptyTree + "\n"
	if len(parents) > 0 {
		body += "parent " + parents[len(parents)-1] + "\n"
	}
	body += "author " + who + "\ncommitter " + who + "\n\n" + msg
	return body, who, msg
}
