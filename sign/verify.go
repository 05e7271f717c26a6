package sign

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// ErrUnsigned is a digest without any signature by the key.
var ErrUnsigned = errors.New("no signature by the key")

// Verify says whether d carries a signature by pub that names d, in a
// Sigstore bundle referrer or in cosign's tag scheme: ErrUnsigned when none
// does, another error when the signatures cannot be read.
func Verify(st Store, pub crypto.PublicKey, d name.Digest) error {
	envs, err := bundleEnvelopes(st, d)
	if err != nil {
		return fmt.Errorf("reading the referrers of %s: %w", d, err)
	}
	for _, e := range envs {
		if body := e.opened(pub); body != nil {
			if pt, ok := about(body, d.Identifier()[len("sha256:"):]); ok && pt == cosignSignV1 {
				return nil
			}
		}
	}
	img, err := st.Tagged(SigTag(d))
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %s has no signatures (%s, nor a Sigstore bundle referrer)", ErrUnsigned, d.DigestStr(), SigTag(d).TagStr())
	}
	if err != nil {
		return fmt.Errorf("reading the signatures of %s: %w", d, err)
	}
	have, err := signatures(img)
	if err != nil {
		return fmt.Errorf("reading the signatures of %s: %w", d, err)
	}
	for _, h := range have {
		var p payload.SimpleContainerImage
		if json.Unmarshal(h.payload, &p) != nil || p.Critical.Image.DockerManifestDigest != d.DigestStr() {
			continue
		}
		if verifyRaw(pub, h.payload, h.sig) {
			return nil
		}
	}
	return fmt.Errorf("%w: none of the %d signatures of %s verifies with the key", ErrUnsigned, len(have), d.DigestStr())
}
