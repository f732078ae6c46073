package siteindex

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Stat says what a usable index holds, and why an unusable one is not used,
// exactly as Lookup judges it.
func TestStat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := newIndex(t)

	_, err := ix.Stat(ctx, t0)
	assert.True(t, errors.Is(err, ErrMissing), "%v", err)

	save(t, ix, t0, people)
	info, err := ix.Stat(ctx, t0.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, len(people), info.Persons)
	assert.True(t, info.Built.Equal(t0), "built %v", info.Built)
	assert.Equal(t, ix.Path, info.Path)
	assert.Positive(t, info.Size)

	require.NoError(t, ix.Remove(ctx, t0.Add(2*time.Minute), people[0].uuid))
	info, err = ix.Stat(ctx, t0.Add(3*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, len(people)-1, info.Persons, "a delete's point update counts")

	_, err = ix.Stat(ctx, t0.Add(time.Hour))
	assert.True(t, errors.Is(err, ErrStale), "%v", err)

	off := ix
	off.MaxAge = 0
	_, err = off.Stat(ctx, t0)
	assert.True(t, errors.Is(err, ErrOff), "%v", err)

	data := readBytes(t, ix.Path)
	require.NoError(t, os.WriteFile(ix.Path, data[:len(data)/2], 0o600))
	_, err = ix.Stat(ctx, t0.Add(time.Minute))
	assert.True(t, errors.Is(err, ErrTruncated) || errors.Is(err, ErrCorrupt), "%v", err)
}
