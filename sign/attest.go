package sign

import (
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// dsseType is the layer media type of an attestation in cosign's tag scheme.
const dsseType types.MediaType = "application/vnd.dsse.envelope.v1+json"

// AttTag is cosign's tag for the attestations of d: sha256-<hex>.att.
func AttTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".att")
}

// Attest signs an in-toto statement about d into a DSSE envelope and adds
// it under AttTag(d), as `cosign attest` does, keeping the attestations
// there; the same statement signed by this key is not added twice.
func (s *Signer) Attest(d name.Digest, stmt []byte, opts ...remote.Option) error {
	pt, ok := about(stmt, d.Identifier()[len("sha256:"):])
	if !ok {
		return fmt.Errorf("attesting %s: the %s statement is about another image", d, pt)
	}
	tag := AttTag(d)
	base, err := existing(tag, opts)
	if err != nil {
		return fmt.Errorf("reading the attestations of %s: %w", d, err)
	}
	have, err := envelopes(base)
	if err != nil {
		return fmt.Errorf("reading the attestations of %s: %w", d, err)
	}
	for _, e := range have {
		if body := e.opened(s.key.Public()); body != nil && string(body) == string(stmt) {
			return nil
		}
	}
	env, err := s.envelope(stmt)
	if err != nil {
		return fmt.Errorf("attesting %s: %w", d, err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		return err
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       static.NewLayer(b, dsseType),
		Annotations: map[string]string{sigAnnotation: "", "predicateType": pt},
	})
	if err != nil {
		return err
	}
	if err := remote.Write(tag, img, opts...); err != nil {
		return fmt.Errorf("pushing the attestation of %s: %w", d, err)
	}
	return nil
}

// VerifyAttestation says whether d carries an attestation of predicateType
// about d signed by pub, in a Sigstore bundle referrer or cosign's tag
// scheme: ErrUnsigned when none does.
func VerifyAttestation(pub crypto.PublicKey, d name.Digest, predicateType string, opts ...remote.Option) error {
	hex := d.Identifier()[len("sha256:"):]
	envs, err := attestationEnvelopes(d, opts)
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

func attestationEnvelopes(d name.Digest, opts []remote.Option) ([]envelope, error) {
	out, err := bundleEnvelopes(d, opts)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(AttTag(d), opts...)
	if isNotFound(err) {
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
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var out []envelope
	for i, l := range layers {
		if i >= len(m.Layers) || m.Layers[i].MediaType != dsseType {
			continue
		}
		b, err := readLayer(l)
		if err != nil {
			return nil, err
		}
		var e envelope
		if json.Unmarshal(b, &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

func readLayer(l v1.Layer) ([]byte, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
