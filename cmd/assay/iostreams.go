package main

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams are the standard streams of one command run, with what the
// command needs to know about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY, errTTY bool
	noColor        bool
}

// systemIO returns the process's own streams.
func systemIO(getenv func(string) string) *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		outTTY:  isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd()),
		errTTY:  isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
		noColor: getenv("NO_COLOR") != "" || getenv("TERM") == "dumb",
	}
}

// testIO returns streams backed by buffers, for tests.
func testIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether stderr is a terminal (live progress goes there).
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// ColorOut reports whether stdout may carry colour: only on a terminal and
// never with NO_COLOR.
func (s *IOStreams) ColorOut() bool { return s.outTTY && !s.noColor }

// ColorErr is ColorOut for stderr.
func (s *IOStreams) ColorErr() bool { return s.errTTY && !s.noColor }

// SetTTY marks the streams as terminals, for tests of TTY behaviour.
func (s *IOStreams) SetTTY(out, err bool) { s.outTTY, s.errTTY = out, err }
