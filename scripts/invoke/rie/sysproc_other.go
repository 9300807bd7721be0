//go:build !linux

package rie

import "syscall"

// sysProcAttr returns nil: aws-lambda-rie is built for Linux, and only Linux
// can tie the emulator's life to its parent's.
func sysProcAttr() *syscall.SysProcAttr { return nil }
