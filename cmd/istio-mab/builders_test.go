package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/buildkit"
)

const versionArg = "--version=1.22.0"

func TestBuilderFlagNamesANodePerPlatform(t *testing.T) {
	o := mustParse(t, versionArg, "--hub=reg.example.com/istio", "--buildkit-addr=unix:///a.sock",
		"--builder=linux/arm64/v8=tcp://arm:1234,ca=/ca.pem,cert=/c.pem,key=/k.pem,servername=arm")
	if len(o.Nodes) != 2 || o.Nodes[0].Address != "unix:///a.sock" || len(o.Nodes[0].For) != 0 {
		t.Fatalf("nodes %+v, want the default node first, for nothing", o.Nodes)
	}
	if n := o.Nodes[1]; n.Address != "tcp://arm:1234" || len(n.For) != 1 || platforms.Format(n.For[0]) != "linux/arm64" {
		t.Errorf("second node %+v, want tcp://arm:1234 for linux/arm64", n)
	}
	want := buildkit.TLS{CA: "/ca.pem", Cert: "/c.pem", Key: "/k.pem", ServerName: "arm"}
	if got := o.Nodes[1].TLS; got != want {
		t.Errorf("tls %+v, want %+v", got, want)
	}
}

func TestBuilderSameAddressAsDefaultIsOneNode(t *testing.T) {
	o := mustParse(t, versionArg, "--hub=reg.example.com/istio", "--buildkit-addr=unix:///a.sock", "--builder=linux/arm64=unix:///a.sock")
	if len(o.Nodes) != 1 {
		t.Errorf("nodes %+v, want one node", o.Nodes)
	}
}

func TestBuildersFromPlatformsFileAndFlagOverride(t *testing.T) {
	f := filepath.Join(t.TempDir(), "platforms.yaml")
	doc := "platforms: [linux/amd64, linux/arm64]\nbuilders:\n  linux/arm64: tcp://from-file:1234\n"
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	o := mustParse(t, versionArg, "--hub=reg.example.com/istio", "--platforms-file="+f)
	if len(o.Nodes) != 2 || o.Nodes[1].Address != "tcp://from-file:1234" {
		t.Errorf("nodes %+v, want the file's arm64 node", o.Nodes)
	}
	o = mustParse(t, versionArg, "--hub=reg.example.com/istio", "--platforms-file="+f, "--builder=linux/arm64=tcp://flag:1234")
	if len(o.Nodes) != 2 || o.Nodes[1].Address != "tcp://flag:1234" {
		t.Errorf("nodes %+v, want --builder to override the file", o.Nodes)
	}
}

func TestBuilderBadForms(t *testing.T) {
	for arg, want := range map[string]string{
		"--builder=tcp://arm:1234":                  "want PLATFORM=ADDRESS",
		"--builder=linux/arm64=":                    "want PLATFORM=ADDRESS",
		"--builder=linux/arm64=arm:1234":            "needs a scheme",
		"--builder=linux/arm64=tcp://arm:1,tls=yes": `unknown option "tls"`,
		"--buildkit-addr=localhost:1234":            "needs a scheme",
	} {
		_, err := parse(t, versionArg, "--hub=reg.example.com/istio", arg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", arg, err, want)
		}
	}
}
