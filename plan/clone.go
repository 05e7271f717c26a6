package plan

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of p: steps that derive a plan from another
// (Assign, Resolve) never write through to the caller's slices and maps.
func (p Plan) Clone() Plan {
	out := p
	out.Facts.Dockerfiles = maps.Clone(p.Facts.Dockerfiles)
	out.Binaries = slices.Clone(p.Binaries)
	for i := range out.Binaries {
		out.Binaries[i].Tags = slices.Clone(p.Binaries[i].Tags)
	}
	if p.Images != nil { // a clone of a plan without images compares equal to it
		out.Images = make([]Image, len(p.Images))
		for i, img := range p.Images {
			out.Images[i] = img.clone()
		}
	}
	out.Archives = slices.Clone(p.Archives)
	out.Nodes = slices.Clone(p.Nodes)
	out.Go.Env = maps.Clone(p.Go.Env)
	out.Inputs.Pins = maps.Clone(p.Inputs.Pins)
	return out
}

func (img Image) clone() Image {
	out := img
	out.Tags = slices.Clone(img.Tags)
	out.BuildArgs = maps.Clone(img.BuildArgs)
	out.NamedContexts = maps.Clone(img.NamedContexts)
	out.BaseRefs = slices.Clone(img.BaseRefs)
	out.Files = maps.Clone(img.Files)
	out.Wasm = slices.Clone(img.Wasm)
	out.Platforms = slices.Clone(img.Platforms)
	for j, ip := range out.Platforms {
		out.Platforms[j].Binaries = slices.Clone(ip.Binaries)
		out.Platforms[j].Bases = maps.Clone(ip.Bases)
		if ip.Envoy != nil {
			e := *ip.Envoy
			out.Platforms[j].Envoy = &e
		}
	}
	return out
}
