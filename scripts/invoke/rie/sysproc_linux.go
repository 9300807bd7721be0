package rie

import "syscall"

// sysProcAttr makes the kernel kill the emulator when the process that
// started it dies, so a test binary killed by its timeout leaves no emulator
// behind. The function process then loses its runtime API and exits too.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
