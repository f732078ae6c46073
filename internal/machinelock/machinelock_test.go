package machinelock

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOneHolderPerKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := Acquire(context.Background(), dir, "site", "number", "1001")
			if !assert.NoError(t, err) {
				return
			}
			n := inside.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			l.Release()
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), most.Load(), "never two holders at once")
}

func TestOtherKeysDoNotWait(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	held, err := Acquire(context.Background(), dir, "site", "number", "1001")
	require.NoError(t, err)
	defer held.Release()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	other, err := Acquire(ctx, dir, "site", "number", "1002")
	require.NoError(t, err)
	other.Release()
}

func TestWaitingEndsWithTheDeadline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	held, err := Acquire(context.Background(), dir, "k")
	require.NoError(t, err)
	defer held.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = Acquire(ctx, dir, "k")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "held the lock until the deadline")
}

func TestLockFilesArePrivateAndNameNoValue(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "locks")
	l, err := Acquire(context.Background(), dir, "site", "mail", "zoë@example.org")
	require.NoError(t, err)
	defer l.Release()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.NotContains(t, entries[0].Name(), "zo")
	info, err := entries[0].Info()
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}
