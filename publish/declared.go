package publish

import (
	"encoding/json"
	"fmt"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// AnnotationConfig records on a manifest list what its images' Dockerfile
// sets in their config (a Declared as JSON), so verify can hold a published
// list to its own Dockerfile long after the build.
const AnnotationConfig = "io.istio-mab.config"

// Declared is what an image's Dockerfile sets in its config. A nil field is
// not set there and comes from the base image, so it is not checked: upstream's
// proxyv2 sets no USER (pods set it at run time) and install-cni no ENTRYPOINT.
type Declared struct {
	User       *string  `json:"user,omitempty"`
	Entrypoint []string `json:"entrypoint"`
	Cmd        []string `json:"cmd"` // set and empty: ENTRYPOINT cleared the base's CMD
}

func (d *Declared) annotate(annotations map[string]string) map[string]string {
	if d == nil || (d.User == nil && d.Entrypoint == nil && d.Cmd == nil) {
		return annotations
	}
	b, _ := json.Marshal(d) // strings only: always marshals
	out := map[string]string{AnnotationConfig: string(b)}
	for k, v := range annotations {
		out[k] = v
	}
	return out
}

// declaredIn reads AnnotationConfig; nil when the list has none (upstream's
// lists, or istio-mab's before it recorded one).
func declaredIn(annotations map[string]string) (*Declared, error) {
	s, ok := annotations[AnnotationConfig]
	if !ok {
		return nil, nil
	}
	var d Declared
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, fmt.Errorf("annotation %s: %w", AnnotationConfig, err)
	}
	return &d, nil
}

// problems lists where cfg contradicts what the Dockerfile declares.
func (d *Declared) problems(cfg v1.Config) []imageProblem {
	if d == nil {
		return nil
	}
	var out []imageProblem
	if d.User != nil && cfg.User != *d.User {
		out = append(out, imageProblem{msg: fmt.Sprintf("image config has USER %q, its Dockerfile sets %q", cfg.User, *d.User)})
	}
	if d.Entrypoint != nil && !slices.Equal(cfg.Entrypoint, d.Entrypoint) {
		out = append(out, imageProblem{msg: fmt.Sprintf("image config has ENTRYPOINT %q, its Dockerfile sets %q", cfg.Entrypoint, d.Entrypoint)})
	}
	if d.Cmd != nil && !slices.Equal(cfg.Cmd, d.Cmd) {
		out = append(out, imageProblem{msg: fmt.Sprintf("image config has CMD %q, its Dockerfile sets %q", cfg.Cmd, d.Cmd)})
	}
	return out
}
