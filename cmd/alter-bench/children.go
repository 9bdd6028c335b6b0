package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// children are the processes alter-bench has started and not yet waited
// for: the servers under measure and the streaming reference. Should
// alter-bench be stopped by SIGINT or SIGTERM, it kills them and removes
// its folder before it exits (cleanUpOnSignal); should it be killed
// outright, the kernel kills them (killedWithParent, on Linux).
var children struct {
	sync.Mutex
	m map[*exec.Cmd]bool
}

// start starts cmd as a child that dies with alter-bench.
func start(cmd *exec.Cmd) error {
	killedWithParent(cmd)
	children.Lock()
	defer children.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	if children.m == nil {
		children.m = map[*exec.Cmd]bool{}
	}
	children.m[cmd] = true
	return nil
}

// wait waits for cmd, which start started, and forgets it.
func wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	children.Lock()
	delete(children.m, cmd)
	children.Unlock()
	return err
}

// cleanUpOnSignal makes SIGINT and SIGTERM kill the children, remove dir
// and exit with status 1, until stop is called.
func cleanUpOnSignal(dir string) (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-c:
			fmt.Fprintf(os.Stderr, "alter-bench: %v: stopping the servers and removing %s\n", s, dir)
			children.Lock()
			for cmd := range children.m {
				cmd.Process.Kill()
			}
			time.Sleep(100 * time.Millisecond) // for the killed to let go of their files
			os.RemoveAll(dir)
			os.Exit(1)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(c)
		close(done)
	}
}
