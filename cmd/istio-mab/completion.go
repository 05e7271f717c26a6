package main

import (
	"slices"
	"strings"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/spf13/cobra"
)

// registerCompletions completes flag values the shell cannot guess: release
// lines, platforms, images, variants, progress modes. Flags a command does
// not have are skipped.
func registerCompletions(cmd *cobra.Command) {
	for flag, fn := range map[string]cobra.CompletionFunc{
		"version":   completeVersions,
		"platforms": completeList(supportedPlatforms),
		"images":    completeList(recipeImages()),
		"variants":  completeList([]string{"debug", "distroless"}),
		"progress":  completeFixed(buildkit.Modes),
	} {
		if cmd.Flags().Lookup(flag) != nil {
			_ = cmd.RegisterFlagCompletionFunc(flag, fn) // fails only for a flag registered twice
		}
	}
}

// completeVersions offers each release line as "1.22."; the patch release
// is the user's to type, as recipes know lines, not every patch upstream tagged.
func completeVersions(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	all, err := recipes.Load()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, r := range all {
		if v := r.Line + "."; strings.HasPrefix(v, toComplete) {
			out = append(out, cobra.CompletionWithDesc(v, "Istio "+r.Line+" release line"))
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

// recipeImages are the images of the newest release line.
func recipeImages() []string {
	all, err := recipes.Load()
	if err != nil || len(all) == 0 {
		return nil
	}
	return recipes.ImageNames(all[len(all)-1])
}
