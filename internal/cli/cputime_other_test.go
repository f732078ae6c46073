//go:build !unix

package cli

import "time"

// cpuTime is not measured here: 0 turns the CPU-time check off.
func cpuTime() time.Duration { return 0 }
