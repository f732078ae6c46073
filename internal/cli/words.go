package cli

import "fmt"

// plural is "1 person", "2 persons".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// verb agrees with a count: "1 matches", "2 match".
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// allOf is "the mapped access profile is" for one, "all 3 mapped access
// profiles are" for more.
func allOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("all %d %s", n, many)
}
