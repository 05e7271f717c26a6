package sign

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// inTotoType is the DSSE payload type of an in-toto statement.
const inTotoType = "application/vnd.in-toto+json"

// envelope is a DSSE envelope, as cosign stores attestations and bundles.
type envelope struct {
	Payload     string        `json:"payload"`
	PayloadType string        `json:"payloadType"`
	Signatures  []envelopeSig `json:"signatures"`
}

type envelopeSig struct {
	KeyID string `json:"keyid,omitempty"`
	Sig   string `json:"sig"`
}

// pae is DSSE's pre-authentication encoding: what is signed.
func pae(payloadType string, body []byte) []byte {
	return fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(body), body)
}

// envelope signs an in-toto statement into a DSSE envelope.
func (s *Signer) envelope(statement []byte) (envelope, error) {
	sig, err := s.sign(pae(inTotoType, statement))
	if err != nil {
		return envelope{}, err
	}
	return envelope{
		Payload:     base64.StdEncoding.EncodeToString(statement),
		PayloadType: inTotoType,
		Signatures:  []envelopeSig{{Sig: sig}},
	}, nil
}

// opened is the statement of an envelope one of whose signatures verifies
// with pub; nil when none does.
func (e envelope) opened(pub crypto.PublicKey) []byte {
	body, err := base64.StdEncoding.DecodeString(e.Payload)
	if err != nil || e.PayloadType != inTotoType {
		return nil
	}
	for _, s := range e.Signatures {
		if verifyRaw(pub, pae(e.PayloadType, body), s.Sig) {
			return body
		}
	}
	return nil
}

// statement is the part of an in-toto statement verification reads.
type statement struct {
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
}

// about says whether the statement names hex (a sha256) as a subject, and
// returns its predicate type.
func about(body []byte, hex string) (string, bool) {
	var st statement
	if json.Unmarshal(body, &st) != nil {
		return "", false
	}
	for _, s := range st.Subject {
		if s.Digest["sha256"] == hex {
			return st.PredicateType, true
		}
	}
	return st.PredicateType, false
}

// keyHint is how a Sigstore bundle names a public key: the sha256 of its
// PKIX form, as cosign writes it.
func keyHint(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}
