// Package fakeproc runs ipassan-fake as a child process on a free loopback
// port, for the programs that drive the real binaries (the demo, the bench).
package fakeproc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	exited chan struct{} // closed when the process has ended and been waited for
}

// startTimeout bounds the start: a generated site of 100,000 persons takes a
// moment to build.
const startTimeout = 30 * time.Second

// Start runs bin/ipassan-fake seeded from seed, with extra flags, and waits
// until it listens. A fake that ends before it listens (a bad seed, a flag it
// does not know) fails the start at once, with what it said.
func Start(bin, seed string, extra ...string) (*Process, error) {
	dir, err := os.MkdirTemp("", "ipassan-fake")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	addrFile := filepath.Join(dir, "addr")
	args := append([]string{"--quiet", "--addr", "127.0.0.1:0", "--addr-file", addrFile, "--seed", seed}, extra...)
	p := &Process{cmd: exec.Command(filepath.Join(bin, "ipassan-fake"), args...), exited: make(chan struct{})}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting ipassan-fake (run make build first): %w", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(startTimeout)
	for {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			p.URL = strings.TrimSpace(string(b))
			return p, nil
		}
		select {
		case <-p.exited:
			// p.stderr is complete: Wait has copied all of it.
			return nil, fmt.Errorf("ipassan-fake ended before it listened (%s): %s", p.cmd.ProcessState, strings.TrimSpace(p.stderr.String()))
		case <-timeout:
			_ = p.cmd.Process.Kill()
			<-p.exited
			return nil, errors.New("ipassan-fake did not start listening within " + startTimeout.String() + ": " + strings.TrimSpace(p.stderr.String()))
		case <-tick.C:
		}
	}
}

// Stop asks the fake to stop and waits for it, killing it after 3 seconds.
func (p *Process) Stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Stats is what ipassan-fake has counted since its counts were last reset
// (GET /_fake/stats).
type Stats struct {
	Total        int `json:"total"`
	Writes       int `json:"writes"`
	PeakInFlight int `json:"peakInFlight"`
	PastEnd      int `json:"pastEnd"`
}

// ReadStats asks the ipassan-fake at url for its counts.
func ReadStats(url string) (Stats, error) {
	var s Stats
	resp, err := http.Get(url + "/_fake/stats")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}
