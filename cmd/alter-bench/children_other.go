//go:build !linux

package main

import "os/exec"

// killedWithParent does nothing here: only Linux kills a child with its
// parent; alter-bench still kills its children on SIGINT and SIGTERM.
func killedWithParent(*exec.Cmd) {}
