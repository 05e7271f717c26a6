package sign

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// dsseType is the layer media type of an attestation in cosign's tag scheme.
const dsseType types.MediaType = "application/vnd.dsse.envelope.v1+json"

// AttTag is cosign's tag for the attestations of d: sha256-<hex>.att.
func AttTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".att")
}

// Attest signs an in-toto statement about d into a DSSE envelope and adds
// it under AttTag(d), as `cosign attest` does, keeping the attestations
// there; the same statement signed by this key is not added twice. It
// returns the digest of the attestation image.
func (s *Signer) Attest(st Store, d name.Digest, stmt []byte) (v1.Hash, error) {
	pt, ok := about(stmt, d.Identifier()[len("sha256:"):])
	if !ok {
		return v1.Hash{}, fmt.Errorf("attesting %s: the %s statement is about another image", d, pt)
	}
	has := func(img v1.Image, pub crypto.PublicKey) (bool, error) {
		have, err := envelopes(img)
		return slices.ContainsFunc(have, func(e envelope) bool {
			body := e.opened(pub)
			return body != nil && string(body) == string(stmt)
		}), err
	}
	add := func() (mutate.Addendum, error) {
		env, err := s.envelope(stmt)
		if err != nil {
			return mutate.Addendum{}, err
		}
		b, err := json.Marshal(env)
		return mutate.Addendum{Layer: static.NewLayer(b, dsseType), Annotations: map[string]string{sigAnnotation: "", "predicateType": pt}}, err
	}
	return s.addSigned(st, AttTag(d), has, add)
}

// VerifyAttestation says whether d carries an attestation of predicateType
// about d signed by pub, in a Sigstore bundle referrer or cosign's tag
// scheme: ErrUnsigned when none does.
func VerifyAttestation(st Store, pub crypto.PublicKey, d name.Digest, predicateType string) error {
	hex := d.Identifier()[len("sha256:"):]
	envs, err := attestationEnvelopes(st, d)
	if err != nil {
		return fmt.Errorf("reading the attestations of %s: %w", d, err)
	}
	for _, e := range envs {
		if body := e.opened(pub); body != nil {
			if pt, ok := about(body, hex); ok && pt == predicateType {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: %s has no %s attestation signed by the key", ErrUnsigned, d.DigestStr(), predicateType)
}

func attestationEnvelopes(st Store, d name.Digest) ([]envelope, error) {
	referred, err := bundleEnvelopes(st, d)
	if err != nil {
		return nil, err
	}
	var out []envelope
	for _, r := range referred {
		out = append(out, r.envelope)
	}
	img, err := st.Tagged(AttTag(d))
	if errors.Is(err, ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	tagged, err := envelopes(img)
	return append(out, tagged...), err
}

// envelopes are the DSSE layers of an attestation image.
func envelopes(img v1.Image) ([]envelope, error) {
	layers, err := registry.LayersOfType(img, dsseType)
	var out []envelope
	for _, l := range layers {
		var e envelope
		if json.Unmarshal(l.Bytes, &e) == nil {
			out = append(out, e)
		}
	}
	return out, err
}
