//go:build race

package siteindex

const raceEnabled = true
