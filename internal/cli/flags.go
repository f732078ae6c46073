package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// enumFlag is a flag whose value is one of a few words (--log-level,
// --log-format, --output), matched without regard to case. A mistyped value
// is refused naming the choices and the closest one.
type enumFlag struct {
	value   string
	choices []string
	aliases map[string]string // another spelling → its choice
}

func newEnum(value string, choices ...string) *enumFlag {
	return &enumFlag{value: value, choices: choices}
}

func (e *enumFlag) String() string { return e.value }
func (e *enumFlag) Type() string   { return strings.Join(e.choices, "|") }

func (e *enumFlag) Set(s string) error {
	s = strings.ToLower(strings.TrimSpace(s))
	if alias, ok := e.aliases[s]; ok {
		s = alias
	}
	for _, c := range e.choices {
		if s == c {
			e.value = c
			return nil
		}
	}
	return fmt.Errorf("must be %s%s", orList(e.choices), didYouMean(s, e.choices))
}

// register adds the flag to cmd's flags (or persistent flags) and completes
// its values.
func (e *enumFlag) register(cmd *cobra.Command, persistent bool, name, usage string) {
	flags := cmd.Flags()
	if persistent {
		flags = cmd.PersistentFlags()
	}
	flags.Var(e, name, usage)
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(e.choices, cobra.ShellCompDirectiveNoFileComp))
}

// orList is "a, b or c".
func orList(words []string) string { return joinList(words, "or") }

// andList is "a, b and c".
func andList(words []string) string { return joinList(words, "and") }

func joinList(words []string, conj string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// didYouMean is ` (did you mean "x"?)` for the choice closest to a mistyped
// word, or "" when none is close.
func didYouMean(word string, choices []string) string {
	if c := closest(word, choices); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// closest is the choice nearest to word: one it starts, or one within a
// couple of typing mistakes; "" when nothing is that close.
func closest(word string, choices []string) string {
	word = strings.ToLower(word)
	if word == "" {
		return ""
	}
	best, bestDistance := "", 3
	if len(word) <= 4 {
		bestDistance = 2 // "x" is not a typo of "json", nor "tcsh" of "bash"
	}
	for _, c := range choices {
		lc := strings.ToLower(c)
		if len(word) >= 3 && strings.HasPrefix(lc, word) {
			return c
		}
		if d := editDistance(word, lc); d < bestDistance {
			best, bestDistance = c, d
		}
	}
	return best
}

// editDistance is the number of insertions, deletions, substitutions and
// swaps of neighbours that turn a into b (Damerau-Levenshtein, restricted).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
