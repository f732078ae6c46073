package siteindex

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeSite is IPassan as concurrent actions change it, with a logical clock
// every action takes its "now" from.
type fakeSite struct {
	mu      sync.Mutex
	persons map[string]string // uuid → number
	clock   atomic.Int64
}

func (s *fakeSite) now() time.Time { return t0.Add(time.Duration(s.clock.Add(1)) * time.Microsecond) }

func (s *fakeSite) set(uuid, number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if number == "" {
		delete(s.persons, uuid)
	} else {
		s.persons[uuid] = number
	}
}

func (s *fakeSite) snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.persons)
}

// fullRead is what a whole-site read does to the index: it notes when it
// began, reads the site and saves what it read.
func (s *fakeSite) fullRead(ctx context.Context, ix Index) error {
	b, err := ix.NewBuilder(s.now())
	if err != nil {
		return err
	}
	for uuid, number := range s.snapshot() {
		if err := b.Add(uuid, map[string]string{"number": number}); err != nil {
			b.Discard()
			return err
		}
	}
	return b.Save(ctx)
}

// TestConcurrentActionsLoseNothing runs creates, deletes, full reads and
// lookups at once, as HelloID's agent may: every lookup gets an answer from
// an intact file, and at the end the index agrees with the site about every
// person whose updates all finished. An update may give up when the lock
// stays taken too long (ErrBusy): it did not finish, and the index is then
// behind in the safe direction (a miss costs a full read; a stale hit fails
// its verification).
func TestConcurrentActionsLoseNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := newIndex(t)
	ix.MaxAge = time.Hour
	site := &fakeSite{persons: map[string]string{}}
	for i := range 50 {
		site.set(fmt.Sprintf("seed-%03d", i), strconv.Itoa(5000+i))
	}
	require.NoError(t, site.fullRead(ctx, ix))

	const writers, each = 4, 10
	var (
		wg       sync.WaitGroup
		gaveUp   sync.Map // uuid → true when one of its updates did not finish
		finished atomic.Int32
	)
	update := func(uuid string, err error) {
		if errors.Is(err, ErrBusy) {
			gaveUp.Store(uuid, true)
			return
		}
		if assert.NoError(t, err) {
			finished.Add(1)
		}
	}
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				uuid, number := fmt.Sprintf("new-%d-%02d", w, i), strconv.Itoa(10000+100*w+i)
				site.set(uuid, number) // IPassan confirmed the create
				update(uuid, ix.Add(ctx, site.now(), uuid, map[string]string{"number": number}))
				if i%3 == 0 { // and some leave again
					site.set(uuid, "")
					update(uuid, ix.Remove(ctx, site.now(), uuid))
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 3 {
				if err := site.fullRead(ctx, ix); !errors.Is(err, ErrBusy) {
					assert.NoError(t, err)
				}
			}
		})
	}
	var lookups atomic.Int32
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := range 3 {
		readers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				got, err := lookup(ix, t0, "number", strconv.Itoa(5000+(r+i)%50))
				if errors.Is(err, ErrBusy) {
					continue
				}
				if assert.NoError(t, err) {
					assert.Len(t, got, 1, "a seed person is always there, once")
				}
				lookups.Add(1)
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	assert.Positive(t, lookups.Load())
	assert.Positive(t, finished.Load())

	final := site.snapshot()
	checked := 0
	for w := range writers {
		for i := range each {
			uuid, number := fmt.Sprintf("new-%d-%02d", w, i), strconv.Itoa(10000+100*w+i)
			if _, busy := gaveUp.Load(uuid); busy {
				continue
			}
			checked++
			got, err := lookup(ix, t0, "number", number)
			require.NoError(t, err)
			if _, there := final[uuid]; there {
				assert.Equal(t, []string{uuid}, got, "a create that finished is in the index")
			} else {
				assert.Empty(t, got, "a delete that finished is in the index")
			}
		}
	}
	t.Logf("%d lookups; %d updates finished; %d of %d persons checked", lookups.Load(), finished.Load(), checked, writers*each)
	assert.Empty(t, tempFiles(t, ix))
}

// The helper process: the test binary started again as one action of the
// agent, doing what SITEINDEX_HELPER says.
func init() {
	switch os.Getenv("SITEINDEX_HELPER") {
	case "":
		return
	case "add":
		os.Exit(helperAdd())
	case "read":
		os.Exit(helperRead())
	}
}

func helperIndex() Index {
	return Index{Path: os.Getenv("SITEINDEX_PATH"), Key: testKey, MaxAge: time.Hour}
}

// helperAdd adds SITEINDEX_N persons named after SITEINDEX_NAME, one create
// after the other.
func helperAdd() int {
	n, _ := strconv.Atoi(os.Getenv("SITEINDEX_N"))
	for i := range n {
		uuid := fmt.Sprintf("%s-%03d", os.Getenv("SITEINDEX_NAME"), i)
		if err := helperIndex().Add(context.Background(), time.Now(), uuid, map[string]string{"number": uuid}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// helperRead saves a full read of the seed persons that began at
// SITEINDEX_STARTED (before any helper's create), then looks them up.
func helperRead() int {
	started, _ := strconv.ParseInt(os.Getenv("SITEINDEX_STARTED"), 10, 64)
	ix := helperIndex()
	b, err := ix.NewBuilder(time.Unix(0, started))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, p := range people {
		_ = b.Add(p.uuid, p.values)
	}
	if err := b.Save(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for range 20 {
		if got, err := ix.Lookup(context.Background(), time.Now(), "number", "1001"); err != nil || len(got) != 2 {
			fmt.Fprintln(os.Stderr, "lookup:", got, err)
			return 1
		}
	}
	return 0
}

// TestConcurrentProcessesLoseNothing starts actions as separate processes,
// the way the agent does: creates in four processes and a full read in a
// fifth, at once.
func TestConcurrentProcessesLoseNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	ix := newIndex(t)
	ix.MaxAge = time.Hour
	save(t, ix, time.Now().Add(-time.Second), people)
	started := time.Now() // the fifth process's read began before any create

	const procs, each = 4, 15
	run := func(env ...string) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), append(env, "SITEINDEX_PATH="+ix.Path)...)
		return cmd
	}
	var cmds []*exec.Cmd
	for p := range procs {
		cmds = append(cmds, run("SITEINDEX_HELPER=add", fmt.Sprintf("SITEINDEX_NAME=proc%d", p), fmt.Sprintf("SITEINDEX_N=%d", each)))
	}
	cmds = append(cmds, run("SITEINDEX_HELPER=read", fmt.Sprintf("SITEINDEX_STARTED=%d", started.UnixNano())))
	outputs := make([][]byte, len(cmds))
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		wg.Go(func() {
			var err error
			outputs[i], err = cmd.CombinedOutput()
			assert.NoError(t, err, "process %d: %s", i, outputs[i])
		})
	}
	wg.Wait()

	for p := range procs {
		for i := range each {
			uuid := fmt.Sprintf("proc%d-%03d", p, i)
			got, err := lookup(ix, time.Now(), "number", uuid)
			require.NoError(t, err)
			assert.Equal(t, []string{uuid}, got, "every create that finished is in the index")
		}
	}
	got, err := lookup(ix, time.Now(), "number", "1001")
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Empty(t, tempFiles(t, ix))
}

// TestWritersAreNotStarvedByReaders: lookups that follow one another without
// pause, in several goroutines, never leave a shared lock free for a moment;
// the gate still lets a writer through at once.
func TestWritersAreNotStarvedByReaders(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	save(t, ix, t0, people)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := lookup(ix, t0, "number", "1001")
				assert.NoError(t, err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // the readers are in their stride
	for i := range 5 {
		uuid := fmt.Sprintf("writer-%d", i)
		require.NoError(t, ix.Add(context.Background(), t0, uuid, map[string]string{"number": uuid}))
	}
	close(stop)
	readers.Wait()
	got, err := lookup(ix, t0, "number", "writer-4")
	require.NoError(t, err)
	assert.Equal(t, []string{"writer-4"}, got)
}
