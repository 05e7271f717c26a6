package main

import "github.com/spf13/pflag"

// The getters read flags every command registers itself, so a lookup error
// is a programming mistake: it panics rather than being passed to the user.

func getString(fl *pflag.FlagSet, name string) string { return must(fl.GetString(name)) }

func getStrings(fl *pflag.FlagSet, name string) []string { return must(fl.GetStringArray(name)) }

func getBool(fl *pflag.FlagSet, name string) bool { return must(fl.GetBool(name)) }

func getInt(fl *pflag.FlagSet, name string) int { return must(fl.GetInt(name)) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
