package plan

import (
	"fmt"

	"github.com/istio-mab/istio-mab/recipes"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// checkCopies refuses a Dockerfile that copies a context path the recipe
// does not provide: the source is of another release line than the recipe,
// which would otherwise fail mid-build with "not found".
func checkCopies(r recipes.Recipe, f Facts, img Image, ip ImagePlatform) error {
	df, ok := f.Dockerfiles[img.Dockerfile]
	if !ok {
		return nil
	}
	provided := contextNames(img, ip)
	env := copyEnv(df, img, ip)
	lex := shell.NewLex('\\')
	for _, raw := range df.Copies {
		path, _, err := lex.ProcessWord(raw, shell.EnvsFromSlice(env))
		if err != nil {
			return fmt.Errorf("%s: expanding COPY %s: %w", img.Dockerfile, raw, err)
		}
		if !provided[path] {
			return fmt.Errorf("%s copies %s, which the Istio %s recipe does not provide: the source is of another release line; pass the --version it was tagged with",
				img.Dockerfile, path, r.Line)
		}
	}
	return nil
}

// contextNames are the paths Context puts in the build context.
func contextNames(img Image, ip ImagePlatform) map[string]bool {
	arch := ip.Platform.Architecture
	names := map[string]bool{}
	for _, b := range ip.Binaries {
		names[arch+"/"+b] = true
	}
	if ip.Envoy != nil {
		names[arch+"/envoy"] = true
	}
	for n := range img.Files {
		names[n] = true
	}
	for _, d := range img.Wasm {
		names[d.Name] = true
	}
	return names
}

func copyEnv(df Dockerfile, img Image, ip ImagePlatform) []string {
	target := map[string]string{"TARGETARCH": ip.Platform.Architecture, "TARGETOS": ip.Platform.OS}
	return Env(df.ArgDefaults, img.BuildArgs, target)
}
