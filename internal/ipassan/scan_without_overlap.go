//go:build ipassan_bench_without_overlap

package ipassan

// Only a connector built with this tag (by ipassan-bench, into a temporary
// folder) reads pages end to end, trusting the offsets, so that `make bench`
// can measure what the overlap costs through the real binary. No build that
// ships has the tag: without the overlap a site that shifts while it is read
// is not noticed.
func init() { everyScanWithoutOverlap = true }
