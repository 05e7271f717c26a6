package plan

import "encoding/json"

// The manifest list annotations that record what a list was built from.
const (
	AnnotationInputs = "io.istio-mab.inputs" // digest of recipe, options and commit
	AnnotationPins   = "io.istio-mab.pins"   // JSON: "REF PLATFORM" -> digest of every image pulled
)

// ListAnnotations record p's inputs on each of its manifest lists, for a
// later run to compare (resolve.UpToDate).
func ListAnnotations(p Plan) map[string]string {
	if p.Inputs.Digest == "" {
		return nil
	}
	pins, _ := json.Marshal(p.Inputs.Pins) // a map of strings always marshals
	return map[string]string{AnnotationInputs: p.Inputs.Digest, AnnotationPins: string(pins)}
}
