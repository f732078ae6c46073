// Package machinelock serialises work across the processes of one machine: a
// file lock per key, held by the operating system for the process, so it is
// released when the process exits or crashes and never has to be cleaned up.
//
// HelloID's agent starts one process per action and may start a retry while
// the first attempt still runs; two creates of the same person would then
// both find nobody and both create. Holding a lock per site and correlation
// value from the search to the end of the create makes the second one find
// the person the first created. A lock on one machine cannot see a second
// agent on another machine.
package machinelock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// DefaultDir is where locks live unless told otherwise: the user's cache
// directory (the agent's service account has one), else the temp directory.
func DefaultDir() string {
	if dir, err := os.UserCacheDir(); err == nil && dir != "" {
		return filepath.Join(dir, "ipassan-connector", "locks")
	}
	return filepath.Join(os.TempDir(), "ipassan-connector-locks")
}

// pollInterval is how often a waiting process tries the lock again.
const pollInterval = 25 * time.Millisecond

// Lock is a held lock.
type Lock struct{ f *flock.Flock }

// Acquire takes the lock named by parts (compared exactly: callers fold case
// and trim where their values are compared that way), waiting until it is
// free or ctx ends. The parts never appear in the file name: a hash does, so
// a correlation value cannot reach a path.
func Acquire(ctx context.Context, dir string, parts ...string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("the lock directory %s cannot be made: %w", dir, err)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	path := filepath.Join(dir, hex.EncodeToString(sum[:12])+".lock")
	f := flock.New(path, flock.SetPermissions(0o600))
	ok, err := f.TryLockContext(ctx, pollInterval)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, errors.New("another action on this machine held the lock until the deadline")
	case err != nil:
		return nil, fmt.Errorf("the lock %s cannot be taken: %w", path, err)
	case !ok:
		return nil, errors.New("another action on this machine held the lock until the deadline")
	}
	return &Lock{f: f}, nil
}

// Release gives the lock back. It is safe on a nil Lock.
func (l *Lock) Release() {
	if l != nil {
		_ = l.f.Unlock()
	}
}
