package plan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/plan"
)

func TestExplainPinError(t *testing.T) {
	o := options()
	o.BaseRegistry, o.Images, o.Variants = mirror, []string{"pilot", "proxyv2"}, []string{"debug", "distroless"}
	f := facts()
	f.Dockerfiles = map[string]plan.Dockerfile{"pilot/docker/Dockerfile.proxyv2": dockerfile(t, proxyv2At114)}
	p, err := plan.New(o, recipe(), f)
	if err != nil {
		t.Fatal(err)
	}
	target := mirror + "/iptables@sha256:" + pin
	// The wording of the pinning step (builder/buildkit Pin) for a missing manifest.
	missing := errors.New("resolving " + target + " for linux/arm64: " + target + ": not found: check that the BuildKit daemon can reach and trust its registry")
	got := plan.ExplainPinError(p, missing).Error()
	for _, want := range []string{target, "needed by proxyv2 distroless,", "copy " + iptables + " into the mirror by digest", "crane copy", "skopeo copy"} {
		if !strings.Contains(got, want) {
			t.Errorf("error %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "\n") || strings.Contains(got, "debug") {
		t.Errorf("error %q: want one line naming only the variant that needs the base", got)
	}

	for name, err := range map[string]error{
		"tag-form base missing":   errors.New("resolving " + mirror + "/base:1.14-dev for linux/amd64: not found: check ..."),
		"digest base unreachable": errors.New("resolving " + target + " for linux/amd64: x509: certificate signed by unknown authority: check ..."),
	} {
		if got := plan.ExplainPinError(p, err); got != err {
			t.Errorf("%s: rewritten to %v, want the error unchanged", name, got)
		}
	}
	if plan.ExplainPinError(p, nil) != nil {
		t.Error("nil error rewritten")
	}
}
