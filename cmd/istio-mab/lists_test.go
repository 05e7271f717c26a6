package main

import (
	"strings"
	"testing"
)

// A list flag given several times, comma-separated, or as "all" plans the
// same release: pflag alone would have kept the last value.
func TestListFlagsRepeatedOrCommaPlanTheSame(t *testing.T) {
	base := []string{"plan", "--version", "1.22.0", "--hub", "x.io/istio", "--source", "../../e2e/testdata/fixture/1.22.0", "--output", "json"}
	ways := map[string][]string{
		"commas":   {"--platforms", "linux/amd64,linux/arm64", "--images", "pilot,proxyv2", "--variants", "debug,distroless"},
		"repeated": {"--platform", "linux/amd64", "--platform", "linux/arm64", "--images", "pilot", "--images", "proxyv2", "--variants", "debug", "--variants", "distroless"},
		"all":      {"--platform", "all", "--images", "pilot,proxyv2", "--variants", "debug", "--variants", "distroless"},
	}
	plans := map[string]string{}
	for name, args := range ways {
		stdout, stderr, code := execute(t, append(base, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		plans[name] = stdout
	}
	if !strings.Contains(plans["commas"], `"architecture": "arm64"`) || !strings.Contains(plans["commas"], `"distroless"`) {
		t.Fatalf("the plan lacks arm64 or distroless:\n%s", plans["commas"])
	}
	for _, name := range []string{"repeated", "all"} {
		if plans[name] != plans["commas"] {
			t.Errorf("%s plans differently from commas", name)
		}
	}
}

// A variable far from every setting (a test knob of this repository, a
// wrapper's own) is warned of, not refused: the build goes on.
func TestUnknownFarVariableOnlyWarns(t *testing.T) {
	t.Setenv("ISTIO_MAB_REALSIZE", "1")
	_, stderr, code := execute(t, "plan", "--version", "1.22.0", "--hub", "x.io/istio", "--source", "../../e2e/testdata/fixture/1.22.0")
	if code != 0 || !strings.Contains(stderr, "warning: ignoring ISTIO_MAB_REALSIZE: istio-mab has no such setting (--strict refuses it)") {
		t.Errorf("exit %d, stderr %q: want the plan, with a warning", code, stderr)
	}
}
