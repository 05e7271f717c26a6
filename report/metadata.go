package report

import (
	"encoding/json"
	"path/filepath"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/carry/install"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/run"
)

// Tool says which istio-mab wrote a document.
type Tool struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

// Metadata is the --metadata-file document; docs/metadata.md is its schema.
type Metadata struct {
	SchemaVersion int               `json:"schemaVersion"`
	IstioMab      Tool              `json:"istioMab"`
	Istio         istioInfo         `json:"istio"`
	Pushed        bool              `json:"pushed"`
	UpToDate      bool              `json:"upToDate"` // nothing pushed: the lists are the registry's, of the same inputs
	Images        []imageMetadata   `json:"images"`
	Archives      []archiveMetadata `json:"archives"`
	Binaries      []binaryMetadata  `json:"binaries"`
	Phases        []phaseMetadata   `json:"phases"`
	// Charts are the Helm charts pushed beside the lists (HUB/charts/NAME).
	Charts []install.Pushed `json:"charts,omitempty"`
}

// binaryMetadata says which Go compiled a binary: auditors scanning for a
// Go CVE read the version here rather than from the binaries.
type binaryMetadata struct {
	Name      string `json:"name"`
	Platform  string `json:"platform"`
	GoImage   string `json:"goImage"`             // pinned by digest
	GoVersion string `json:"goVersion,omitempty"` // the image's GOLANG_VERSION, when it says
}

type istioInfo struct {
	Version string `json:"version"`
	Source  string `json:"source"`
	Commit  string `json:"commit"`
}

type imageMetadata struct {
	Name       string             `json:"name"`
	Variant    string             `json:"variant"`
	Repository string             `json:"repository"`
	List       listMetadata       `json:"list"`
	Tags       []tagMetadata      `json:"tags"`
	Platforms  []platformMetadata `json:"platforms"`
	// Attestations are BuildKit's attestation manifests in the list.
	Attestations []attestationMetadata `json:"attestations,omitempty"`
	// Signatures are what --sign-key wrote: a signature of the list and of
	// every manifest in it, and a signed attestation per in-toto statement.
	Signatures []publish.Signature `json:"signatures,omitempty"`
}

type listMetadata struct {
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
}

type tagMetadata struct {
	Tag      string `json:"tag"`
	Previous string `json:"previous"` // empty when the tag did not exist
	Moved    bool   `json:"moved"`
}

type platformMetadata struct {
	Platform string `json:"platform"`
	Manifest string `json:"manifest"`
	Config   string `json:"config"`
	Size     int64  `json:"size"` // config plus compressed layers
}

type attestationMetadata struct {
	Manifest string `json:"manifest"`
	Subject  string `json:"subject"` // the platform manifest it is about
}

type archiveMetadata struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

type phaseMetadata struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// NewMetadata records every digest of a run of p by tool.
func NewMetadata(tool Tool, p plan.Plan, res run.Result) Metadata {
	m := Metadata{
		SchemaVersion: 1,
		IstioMab:      tool,
		Istio:         istioInfo{Version: p.Version, Source: sourceName(p.Source), Commit: p.Facts.Commit},
		Images:        []imageMetadata{},
		Archives:      []archiveMetadata{},
		Binaries:      []binaryMetadata{},
		UpToDate:      res.UpToDate,
	}
	for _, b := range p.Binaries {
		m.Binaries = append(m.Binaries, binaryMetadata{Name: b.Name, Platform: platforms.Format(b.Platform), GoImage: b.GoImage, GoVersion: b.GoVersion})
	}
	for i, pub := range res.Published {
		img := p.Images[i] // publish.All returns results in the order of the plan's images
		im := imageMetadata{Name: img.Name, Variant: img.Variant, Repository: pub.Repository,
			List: listMetadata{Digest: pub.Index.Digest.String(), MediaType: string(pub.Index.MediaType)}, Tags: []tagMetadata{}}
		m.Pushed = pub.Pushed
		for _, t := range pub.Tags {
			tm := tagMetadata{Tag: t.Tag, Moved: t.Moved}
			if t.Previous.Hex != "" {
				tm.Previous = t.Previous.String()
			}
			im.Tags = append(im.Tags, tm)
		}
		for _, pi := range pub.Platforms {
			im.Platforms = append(im.Platforms, platformMetadata{Platform: platforms.Format(pi.Platform),
				Manifest: pi.Manifest.String(), Config: pi.Config.String(), Size: pi.Size})
		}
		im.Attestations, im.Signatures = attestationsOf(pub), pub.Signatures
		m.Images = append(m.Images, im)
	}
	for _, a := range res.Archives {
		m.Archives = append(m.Archives, archiveMetadata{Name: filepath.Base(a.Path), SHA256: a.SHA256, Size: a.Size})
	}
	for _, ph := range res.Phases {
		m.Phases = append(m.Phases, phaseMetadata{Name: ph.Name, Seconds: ph.Seconds})
	}
	return m
}

func attestationsOf(pub *publish.Result) []attestationMetadata {
	var out []attestationMetadata
	for _, c := range pub.Children {
		if publish.IsAttestation(c) {
			out = append(out, attestationMetadata{Manifest: c.Digest.String(), Subject: c.Annotations["vnd.docker.reference.digest"]})
		}
	}
	return out
}

// WriteMetadata writes m to path atomically: a reader sees the old file or
// the whole new one, never a half-written document.
func WriteMetadata(path string, m Metadata) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, append(b, '\n'))
}
