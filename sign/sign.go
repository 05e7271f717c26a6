package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// cosign's names for a simple-signing layer and its signature annotation.
const (
	payloadType   types.MediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	sigAnnotation                 = "dev.cosignproject.cosign/signature"
)

// Signer signs image digests with one private key.
type Signer struct {
	key    crypto.Signer
	locked *lockedKey // LoadKey's, until Unlock
}

// NewSigner signs with key (ECDSA or Ed25519, as cosign's keys are).
func NewSigner(key crypto.Signer) *Signer { return &Signer{key: key} }

// SigTag is cosign's tag for the signatures of d: sha256-<hex>.sig.
func SigTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig")
}

// Sign writes a signature of d under SigTag(d), keeping the signatures
// already there (another key's, an earlier run's): a signature of the same
// payload by the same key is not added twice.
// It returns the digest of the signature image.
func (s *Signer) Sign(st Store, d name.Digest) (v1.Hash, error) {
	body, err := payload.Cosign{Image: d}.MarshalJSON()
	if err != nil {
		return v1.Hash{}, err
	}
	has := func(img v1.Image, pub crypto.PublicKey) (bool, error) {
		have, err := signatures(img)
		return slices.ContainsFunc(have, func(h signed) bool {
			return string(h.payload) == string(body) && verifyRaw(pub, h.payload, h.sig)
		}), err
	}
	add := func() (mutate.Addendum, error) {
		sig, err := s.sign(body)
		return mutate.Addendum{Layer: static.NewLayer(body, payloadType), Annotations: map[string]string{sigAnnotation: sig}}, err
	}
	return s.addSigned(st, SigTag(d), has, add)
}

// addSigned adds the layer add makes to the image under tag, unless has
// finds one this key made already; it returns the image's digest.
func (s *Signer) addSigned(st Store, tag name.Tag, has func(v1.Image, crypto.PublicKey) (bool, error), add func() (mutate.Addendum, error)) (v1.Hash, error) {
	pub, err := s.public()
	if err != nil {
		return v1.Hash{}, err
	}
	base, err := existing(st, tag)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("reading %s: %w", tag.TagStr(), err)
	}
	if done, err := has(base, pub); err != nil || done {
		if err != nil {
			return v1.Hash{}, fmt.Errorf("reading %s: %w", tag.TagStr(), err)
		}
		return base.Digest()
	}
	a, err := add()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing for %s: %w", tag.TagStr(), err)
	}
	return appendLayer(st, tag, base, a)
}

// public is the key's public half (unlocking it).
func (s *Signer) public() (crypto.PublicKey, error) {
	key, err := s.signingKey()
	if err != nil {
		return nil, err
	}
	return key.Public(), nil
}

// appendLayer pushes base with one more layer under tag.
func appendLayer(st Store, tag name.Tag, base v1.Image, add mutate.Addendum) (v1.Hash, error) {
	img, err := mutate.Append(base, add)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := st.WriteTagged(tag, img); err != nil {
		return v1.Hash{}, fmt.Errorf("pushing %s: %w", tag.TagStr(), err)
	}
	return img.Digest()
}

func (s *Signer) sign(body []byte) (string, error) {
	key, err := s.signingKey()
	if err != nil {
		return "", err
	}
	var raw []byte
	switch key.(type) {
	case ed25519.PrivateKey:
		raw, err = key.Sign(rand.Reader, body, crypto.Hash(0))
	default:
		sum := sha256.Sum256(body)
		raw, err = key.Sign(rand.Reader, sum[:], crypto.SHA256)
	}
	return base64.StdEncoding.EncodeToString(raw), err
}

// existing is the signature image under tag, or an empty one in OCI form.
func existing(st Store, tag name.Tag) (v1.Image, error) {
	img, err := st.Tagged(tag)
	if err == nil {
		return img, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	return mutate.ConfigMediaType(base, types.OCIConfigJSON), nil
}

// signatures are the simple-signing layers of a signature image: each
// payload with its base64 signature.
func signatures(img v1.Image) ([]signed, error) {
	layers, err := registry.LayersOfType(img, payloadType)
	out := make([]signed, len(layers))
	for i, l := range layers {
		out[i] = signed{payload: l.Bytes, sig: l.Annotations[sigAnnotation]}
	}
	return out, err
}

type signed struct {
	payload []byte
	sig     string
}

func verifyRaw(pub crypto.PublicKey, body []byte, sigB64 string) bool {
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return false
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		sum := sha256.Sum256(body)
		return ecdsa.VerifyASN1(k, sum[:], sig)
	case ed25519.PublicKey:
		return ed25519.Verify(k, body, sig)
	}
	return false
}
