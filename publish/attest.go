package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// The in-toto predicate types BuildKit writes (provenance version=v1, SPDX).
const (
	PredicateProvenance = "https://slsa.dev/provenance/v1"
	PredicateSPDX       = "https://spdx.dev/Document"
)

// Attestations says which of BuildKit's attestations every platform image
// must carry; each is checked (present, predicate type, subject) before
// any tag moves.
type Attestations struct{ Provenance, SBOM bool }

func (a Attestations) any() bool { return a.Provenance || a.SBOM }

// attested is a platform image as BuildKit pushes it with attestations: an
// index holding the image and its attestation manifest.
type attested struct {
	image v1.Image
	desc  v1.Descriptor   // the image manifest's
	atts  []v1.Descriptor // attestation manifests, annotations kept
	att   []v1.Image
}

// splitAttested reads BuildKit's per-platform index: exactly one image, and
// the attestation manifests that name it.
func splitAttested(idx v1.ImageIndex) (attested, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return attested{}, err
	}
	var a attested
	for _, d := range im.Manifests {
		if IsAttestation(d) {
			continue
		}
		if a.image != nil {
			return attested{}, errors.New("holds more than one platform image")
		}
		a.desc = d
		if a.image, err = idx.Image(d.Digest); err != nil {
			return attested{}, err
		}
	}
	if a.image == nil {
		return attested{}, errors.New("holds no platform image")
	}
	for _, d := range im.Manifests {
		if IsAttestation(d) && d.Annotations["vnd.docker.reference.digest"] == a.desc.Digest.String() {
			img, err := idx.Image(d.Digest)
			if err != nil {
				return attested{}, err
			}
			a.atts, a.att = append(a.atts, d), append(a.att, img)
		}
	}
	return a, nil
}

// statement is the part of an in-toto statement the check reads.
type statement struct {
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
}

// check says what a's attestations lack of want: each statement's subject
// must be the platform manifest, and each wanted predicate type present.
func (a attested) check(want Attestations) error {
	var found []string
	for _, img := range a.att {
		types, err := statementTypes(img, a.desc.Digest)
		if err != nil {
			return fmt.Errorf("attestation of %s: %w", a.desc.Digest, err)
		}
		found = append(found, types...)
	}
	for _, w := range []struct {
		on   bool
		kind string
		what string
	}{{want.Provenance, PredicateProvenance, "SLSA provenance"}, {want.SBOM, PredicateSPDX, "SPDX SBOM"}} {
		if w.on && !slices.Contains(found, w.kind) {
			return fmt.Errorf("no %s attestation (%s) for %s: found %q", w.what, w.kind, a.desc.Digest, found)
		}
	}
	return nil
}

// statementTypes reads every in-toto layer of an attestation manifest and
// returns their predicate types, refusing a statement about another image.
func statementTypes(img v1.Image, subject v1.Hash) ([]string, error) {
	stmts, err := statements(img)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range stmts {
		for _, s := range st.Subject {
			if s.Digest["sha256"] != subject.Hex {
				return nil, fmt.Errorf("%s statement is about sha256:%s, not the image", st.PredicateType, s.Digest["sha256"])
			}
		}
		out = append(out, st.PredicateType)
	}
	return out, nil
}

// rawStatement is an in-toto statement, parsed and as its bytes.
type rawStatement struct {
	statement
	raw []byte
}

// statements are the in-toto layers of an attestation manifest.
func statements(img v1.Image) ([]rawStatement, error) {
	layers, err := registry.LayersOfType(img, inTotoLayer)
	if err != nil {
		return nil, err
	}
	out := make([]rawStatement, len(layers))
	for i, l := range layers {
		out[i].raw = l.Bytes
		if err := json.Unmarshal(l.Bytes, &out[i].statement); err != nil {
			return nil, fmt.Errorf("reading in-toto statement: %w", err)
		}
	}
	return out, nil
}
