//go:build !linux

package local

import (
	"fmt"
	"os"
	"syscall"
)

// SupervisorCommand is nil where trials cannot be supervised (no
// subreaper outside Linux): trials run as direct children, in their own
// process group, as the package doc says.
func SupervisorCommand() []string { return nil }

func directAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// Supervise is only available on Linux.
func Supervise(args []string) int {
	fmt.Fprintln(os.NewFile(3, "control"), "failed trial supervision needs Linux")
	return 2
}
