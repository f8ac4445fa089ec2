//go:build !linux

package local

import (
	"fmt"
	"os"
	"syscall"
)

// SupervisorCommand is nil where trials cannot be supervised (there is no
// subreaper outside Linux): trials run as assay's direct children, each in
// its own process group, as the package doc says.
func SupervisorCommand() []string { return nil }

func directAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// Supervise is only available on Linux.
func Supervise(args []string) int {
	fmt.Fprintln(os.Stderr, "assay supervisor: trial supervision needs Linux")
	return 2
}
