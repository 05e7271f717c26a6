package sign

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// The PEM types cosign writes its encrypted private keys as (new, old).
var keyTypes = []string{"ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"}

// LoadKey reads a cosign private key file (cosign generate-key-pair),
// checking its form; it is decrypted with password, as cosign does with
// $COSIGN_PASSWORD, by Unlock or the first signature: decryption (scrypt)
// costs a noticeable fraction of a second that a run with nothing to sign
// should not pay. Neither the key nor the password ever appears in an error.
func LoadKey(path string, password []byte) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading --sign-key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || !contains(keyTypes, block.Type) {
		return nil, fmt.Errorf("--sign-key %s is not a cosign private key (want a PEM block of type %q, as cosign generate-key-pair writes)", path, keyTypes[0])
	}
	return &Signer{locked: &lockedKey{path: path, enc: block.Bytes, password: password}}, nil
}

// lockedKey is an encrypted key not yet decrypted.
type lockedKey struct {
	path          string
	enc, password []byte
	once          sync.Once
	key           crypto.Signer
	err           error
}

// Unlock decrypts the key, once; a wrong password is an error naming
// COSIGN_PASSWORD.
func (s *Signer) Unlock() error {
	_, err := s.signingKey()
	return err
}

func (s *Signer) signingKey() (crypto.Signer, error) {
	if s.locked == nil {
		return s.key, nil
	}
	l := s.locked
	l.once.Do(func() { l.key, l.err = decrypt(l.path, l.enc, l.password) })
	return l.key, l.err
}

func decrypt(path string, enc, password []byte) (crypto.Signer, error) {
	der, err := encrypted.Decrypt(enc, password)
	if err != nil {
		return nil, fmt.Errorf("--sign-key %s: cannot decrypt it: is COSIGN_PASSWORD its password?", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("--sign-key %s: not a PKCS#8 private key", path)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("--sign-key: the key cannot sign")
	}
	return signer, nil
}

// LoadPublicKey reads a PEM public key (cosign.pub).
func LoadPublicKey(path string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("%s is not a PEM public key (cosign.pub)", path)
	}
	return x509.ParsePKIXPublicKey(block.Bytes)
}

// WriteKeyPair writes a new key pair in cosign's format, for tests and for
// `cosign`-less setups: priv encrypted with password, pub in PEM.
func WriteKeyPair(privPath, pubPath string, key crypto.Signer, password []byte) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	enc, err := encrypted.Encrypt(der, password)
	if err != nil {
		return err
	}
	if err := os.WriteFile(privPath, pem.EncodeToMemory(&pem.Block{Type: keyTypes[0], Bytes: enc}), 0o600); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return err
	}
	return os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644)
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
