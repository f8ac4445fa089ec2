// Command gotest runs go test with its arguments and prints what go test
// prints without -v (a line per package, and the output of tests that
// fail) plus one line per skipped test with its reason, which go test
// without -v hides. Its exit status is go test's. make unit runs it:
//
//	go run ./.ci/gotest -count=1 ./...
//
// It reads go test -json, so it shows a skip whatever the package's
// output looks like: SKIP, the package, the test and the message of
// its last t.Skip or t.Log (where the skip happened).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

func main() {
	cmd := exec.Command("go", append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gotest:", err)
		os.Exit(2)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "gotest:", err)
		os.Exit(2)
	}
	s := summarize(out, os.Stdout)
	err = cmd.Wait()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "gotest:", err)
		os.Exit(2)
	}
	if s.skipped > 0 {
		fmt.Printf("%d test(s) skipped, each named above with why\n", s.skipped)
	}
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type summary struct {
	skipped int
}

// summarize copies go test -json from r to w as described in the package
// comment.
func summarize(r io.Reader, w io.Writer) summary {
	var s summary
	// Each test's output waits until the test ends: it is shown if the
	// test fails, and becomes the reason if it skips.
	held := map[[2]string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		key := [2]string{ev.Package, ev.Test}
		switch {
		case ev.Action == "build-output":
			io.WriteString(w, ev.Output)
		case ev.Test == "" && ev.Action == "output":
			if ev.Output != "PASS\n" {
				io.WriteString(w, ev.Output)
			}
		case ev.Test == "" && ev.Action == "fail":
			// A test binary that crashed or timed out ends tests that never
			// reported: show what they printed.
			for k, lines := range held {
				if k[0] == ev.Package {
					writeLines(w, lines)
					delete(held, k)
				}
			}
		case ev.Test == "":
		case ev.Action == "output":
			held[key] = append(held[key], ev.Output)
		case ev.Action == "fail":
			writeLines(w, held[key])
			delete(held, key)
		case ev.Action == "skip":
			s.skipped++
			fmt.Fprintf(w, "SKIP  %s  %s: %s\n", ev.Package, ev.Test, reason(held[key]))
			delete(held, key)
		case ev.Action == "pass":
			delete(held, key)
		}
	}
	return s
}

// framing is the -v bookkeeping go test without -v does not print.
var framing = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|SKIP))`)

// writeLines prints a failed test's output as go test without -v does:
// its "--- FAIL" line first, then what it logged.
func writeLines(w io.Writer, lines []string) {
	var body []string
	for _, l := range lines {
		switch {
		case framing.MatchString(l):
		case strings.HasPrefix(strings.TrimSpace(l), "--- FAIL"):
			io.WriteString(w, l)
		default:
			body = append(body, l)
		}
	}
	for _, l := range body {
		io.WriteString(w, l)
	}
}

// logEntry starts a t.Log line: "    file_test.go:12: message".
var logEntry = regexp.MustCompile(`^\s+[\w.-]+\.go:\d+: `)

// reason is a skipped test's last log entry on one line: the message of
// t.Skip, which logs it before it stops the test. testscript logs the
// script's own log after a skip; that is not the reason.
func reason(lines []string) string {
	var entries [][]string
	for _, l := range lines {
		switch {
		case framing.MatchString(l):
		case logEntry.MatchString(l):
			entries = append(entries, []string{l})
		case len(entries) > 0:
			entries[len(entries)-1] = append(entries[len(entries)-1], l)
		}
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if strings.HasPrefix(strings.TrimSpace(entries[i][0]), "testscript.go:") && i > 0 {
			continue
		}
		var parts []string
		for _, l := range entries[i] {
			if l = strings.TrimSpace(l); l != "" {
				parts = append(parts, l)
			}
		}
		return strings.Join(parts, " ")
	}
	return "(no reason given)"
}
