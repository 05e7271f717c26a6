package parse

import (
	"slices"
	"strings"
)

// Items reads a list setting: commas and (from the environment) spaces
// separate items, empty ones are dropped, repeated ones kept once.
func Items(s string) []string { return Unique(SplitAll([]string{s})) }

// Unique drops repeated items, keeping the first of each.
func Unique(items []string) []string {
	var out []string
	for _, it := range items {
		if !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	return out
}

// List splits a comma-separated value, dropping empty items.
func List(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// SplitAll accepts repeated flags, commas and (from the environment) spaces alike.
func SplitAll(items []string) []string {
	var out []string
	for _, it := range items {
		for _, f := range strings.Fields(it) {
			out = append(out, List(f)...)
		}
	}
	return out
}
