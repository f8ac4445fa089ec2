package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// A flag whose usage explains its default in words must not also get
// pflag's own "(default ...)": --help would print two defaults.
func TestHelpShowsOneDefaultPerFlag(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(fl *pflag.Flag) {
			if !strings.Contains(fl.Usage, "(default") {
				return
			}
			// pflag prints its own default unless the value is the zero
			// value of the flag's type.
			switch fl.DefValue {
			case "", "0", "false", "[]", "0s":
			default:
				t.Errorf("assay %s --%s: usage says %q and pflag adds (default %s)", c.Name(), fl.Name, fl.Usage, fl.DefValue)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(newSystemFactory()))
}
