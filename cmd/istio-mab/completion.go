package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
)

// registerCompletions completes flag values the shell cannot guess: release
// lines, platforms, images, variants, progress modes. Flags a command does
// not have are skipped.
func registerCompletions(cmd *cobra.Command) {
	for flag, fn := range map[string]cobra.CompletionFunc{
		"version":   completeVersions,
		"platforms": completeList(istiomab.SupportedPlatforms()),
		"images":    completeList(istiomab.ImageNames()),
		"variants":  completeList([]string{"debug", "distroless"}),
		"progress":  completeFixed(istiomab.ProgressModes()),
	} {
		if cmd.Flags().Lookup(flag) != nil {
			_ = cmd.RegisterFlagCompletionFunc(flag, fn) // fails only for a flag registered twice
		}
	}
}

// completeVersions offers each release line as "1.22."; the patch release
// is the user's to type, as recipes know lines, not every patch upstream tagged.
func completeVersions(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	lines, err := istiomab.ReleaseLines()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, line := range lines {
		if v := line + "."; strings.HasPrefix(v, toComplete) {
			out = append(out, cobra.CompletionWithDesc(v, "Istio "+line+" release line"))
		}
	}
	return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

// completeList completes the last item of a comma-separated value,
// offering only items not given yet.
func completeList(choices []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done, last := "", toComplete
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			done, last = toComplete[:i+1], toComplete[i+1:]
		}
		given := strings.Split(done, ",")
		var out []cobra.Completion
		for _, c := range choices {
			if strings.HasPrefix(c, last) && !slices.Contains(given, c) {
				out = append(out, done+c)
			}
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
}

func completeFixed(choices []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return choices, cobra.ShellCompDirectiveNoFileComp
	}
}
