// Package fakeproc runs ipassan-fake as a child process on a free loopback
// port, for the programs that drive the real binaries (the demo, the bench).
package fakeproc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Process is a running ipassan-fake.
type Process struct {
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:port
	stderr bytes.Buffer
}

// Start runs bin/ipassan-fake seeded from seed, with extra flags, and waits
// until it listens.
func Start(bin, seed string, extra ...string) (*Process, error) {
	dir, err := os.MkdirTemp("", "ipassan-fake")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	addrFile := filepath.Join(dir, "addr")
	args := append([]string{"--quiet", "--addr", "127.0.0.1:0", "--addr-file", addrFile, "--seed", seed}, extra...)
	p := &Process{cmd: exec.Command(filepath.Join(bin, "ipassan-fake"), args...)}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting ipassan-fake (run make build first): %w", err)
	}
	// A generated site of 100,000 persons takes a moment to build.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			p.URL = strings.TrimSpace(string(b))
			return p, nil
		}
		if p.cmd.ProcessState != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = p.cmd.Process.Kill()
	return nil, errors.New("ipassan-fake did not start listening: " + strings.TrimSpace(p.stderr.String()))
}

// Stop asks the fake to stop and waits for it, killing it after 3 seconds.
func (p *Process) Stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}
