package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/run/archive"

	"github.com/containerd/platforms"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/run"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	amd64Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	arm64Digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	listHex     = "3333333333333333333333333333333333333333333333333333333333333333"
	archiveSHA  = "4444444444444444444444444444444444444444444444444444444444444444"
)

func summaryPlan() plan.Plan {
	return plan.Plan{
		Version: "1.14.3",
		Source:  plan.Source{GitURL: "https://github.com/istio/istio.git", Ref: "refs/tags/1.14.3"},
		Facts:   plan.Facts{Commit: "0123456789abcdef0123456789abcdef01234567"},
	}
}

func platformResult(pl, dgst string, size int64) run.PlatformResult {
	p := platforms.MustParse(pl)
	return run.PlatformResult{
		Image: "pilot", Variant: "debug", Repository: "registry.example.com/istio/pilot",
		Descriptor: ocispecs.Descriptor{Digest: digest.Digest(dgst), Size: size, Platform: &p},
	}
}

func summaryResult() run.Result {
	return run.Result{
		Platforms: []run.PlatformResult{
			// Manifest sizes; SIZE shows the image sizes from the checks.
			platformResult("linux/amd64", amd64Digest, 501),
			platformResult("linux/arm64", arm64Digest, 502),
		},
		Published: []*publish.Result{{
			Repository: "registry.example.com/istio/pilot",
			Index:      v1.Descriptor{Digest: v1.Hash{Algorithm: "sha256", Hex: listHex}, Size: 700},
			Tags:       []publish.TagResult{{Tag: "1.14.3", Moved: true}, {Tag: "1.14.3-debug"}},
			Platforms:  []publish.PlatformInfo{info(amd64Digest, 1234), info(arm64Digest, 5678)},
			Pushed:     true,
		}},
		Archives: []archive.File{
			{Path: "/work/dist/istioctl-1.14.3-linux-amd64.tar.gz", SHA256: archiveSHA, Size: 9999},
		},
	}
}

func info(dgst string, size int64) publish.PlatformInfo {
	h, _ := v1.NewHash(dgst)
	return publish.PlatformInfo{Manifest: h, Size: size}
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, strings.Join(strings.Fields(l), " "))
	}
	return out
}

func TestPrintSummary(t *testing.T) {
	var b bytes.Buffer
	PrintSummary(&b, summaryPlan(), summaryResult())
	got := lines(b.String())
	for _, want := range []string{
		"Istio 1.14.3 (commit 0123456789ab) from https://github.com/istio/istio.git",
		"IMAGE VARIANT PLATFORM DIGEST SIZE",
		"registry.example.com/istio/pilot debug linux/amd64 " + amd64Digest + " 1234",
		"registry.example.com/istio/pilot debug linux/arm64 " + arm64Digest + " 5678",
		"MANIFEST LIST DIGEST TAGS",
		"registry.example.com/istio/pilot sha256:" + listHex + " 1.14.3,1.14.3-debug",
		"ARCHIVE SHA256 SIZE",
		"istioctl-1.14.3-linux-amd64.tar.gz " + archiveSHA + " 9999",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("summary lacks the line %q", want)
		}
	}
	if strings.Contains(b.String(), "not pushed") {
		t.Errorf("pushed summary says not pushed")
	}
	if t.Failed() {
		t.Logf("summary:\n%s", b.String())
	}
}

func TestPrintSummaryNotPushed(t *testing.T) {
	p := summaryPlan()
	p.Source = plan.Source{Dir: "/home/me/istio"}
	res := summaryResult()
	res.Published[0].Pushed, res.Published[0].Tags, res.Archives = false, nil, nil
	var b bytes.Buffer
	PrintSummary(&b, p, res)
	got := lines(b.String())
	for _, want := range []string{
		"Istio 1.14.3 (commit 0123456789ab) from /home/me/istio",
		"not pushed (--push=false): no manifest list or tag was written",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("summary lacks the line %q", want)
		}
	}
	for _, absent := range []string{"MANIFEST LIST", "ARCHIVE"} {
		if strings.Contains(b.String(), absent) {
			t.Errorf("summary has a %s section with nothing in it", absent)
		}
	}
	if t.Failed() {
		t.Logf("summary:\n%s", b.String())
	}
}

func TestShort(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "abc", "0123456789abcdef": "0123456789ab"} {
		if got := short(in); got != want {
			t.Errorf("short(%q) = %q, want %q", in, got, want)
		}
	}
}
