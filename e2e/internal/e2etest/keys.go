package e2etest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/istio-mab/istio-mab/sign"
)

// KeyPassword protects the keys NewKeyPair writes; the tests search every
// output for it.
const KeyPassword = "pass-9f3a-never-printed"

// NewKeyPair writes a new ECDSA P-256 key pair, as cosign would, to
// dir/name.key (encrypted with KeyPassword) and dir/name.pub.
func NewKeyPair(t testing.TB, dir, name string) (priv, pub string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, pub = filepath.Join(dir, name+".key"), filepath.Join(dir, name+".pub")
	if err := sign.WriteKeyPair(priv, pub, k, []byte(KeyPassword)); err != nil {
		t.Fatal(err)
	}
	return priv, pub
}
