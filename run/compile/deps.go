package compile

import (
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client/llb"
)

// DepsFile is where Deps writes the list of source files a binary reaches.
const DepsFile = "/deps.txt"

// depsTemplate prints every file of the source tree that go build reads for
// a package: Go and assembly files, and embedded files.
const depsTemplate = `{{$d := .Dir}}` +
	`{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}` +
	`{{range .SFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}` +
	`{{range .SysoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}` +
	`{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}`

const depsScript = `set -eu
go list -deps -tags "$TAGS" -f '` + depsTemplate + `' "$PKG" > /out/all.txt
grep "^` + srcDir + `/" /out/all.txt | sed "s|^` + srcDir + `/||" > /out` + DepsFile + `
`

// Deps lists, for b's platform and tags, the files of the source tree its
// packages are built from (in DepsFile), offline like the compile.
func Deps(p plan.Plan, b plan.Binary, src, modules llb.State) llb.State {
	opts := append(offlineGo(b, src, modules),
		llb.Args([]string{"/bin/sh", "-c", depsScript}),
		llb.WithCustomNamef("list the files %s for %s is built from", b.Name, platforms.Format(b.Platform)),
	)
	run := goImage(b).Run(opts...)
	return run.AddMount("/out", llb.Scratch())
}

// Reached is the part of src a binary is built from: the files Deps listed
// plus go.mod and go.sum (and those of local replaces). A compile of it is
// cached until one of those files changes, not any file of the tree.
func Reached(p plan.Plan, src llb.State, files []string) llb.State {
	include := []string{"go.mod", "go.sum"}
	for _, dir := range p.Facts.LocalModules {
		include = append(include, dir+"/go.mod", dir+"/go.sum")
	}
	include = append(include, files...)
	slices.Sort(include)
	include = slices.Compact(include)
	return llb.Scratch().File(llb.Copy(src, "/", "/", &llb.CopyInfo{IncludePatterns: include, AllowEmptyWildcard: true}),
		llb.WithCustomName("the files the binary is built from"))
}

// ParseDeps reads DepsFile's lines.
func ParseDeps(data []byte) []string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
