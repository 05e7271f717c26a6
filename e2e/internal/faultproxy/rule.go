package faultproxy

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Rule says which requests get a fault. Every set field must match; rules
// are tried in the order they were added and the first that matches wins.
type Rule struct {
	Method string         // "" matches any method
	Path   *regexp.Regexp // nil matches any path
	// Header holds substrings the request's headers must contain, e.g.
	// "Content-Type": "manifest.list".
	Header map[string]string
	// Match is an extra test on the request and its (fully read) body.
	Match func(r *http.Request, body []byte) bool
	// Times is how many matching requests get the fault; later ones are
	// forwarded. 0 means every matching request.
	Times int
	Fault Fault
}

// Fault is what a matching request gets. With Status, Reset or BodySize set
// the request never reaches the upstream; otherwise it is forwarded, after
// Delay, and Corrupt or Edit change the upstream's answer.
type Fault struct {
	Status   int             // answer with this status
	Header   http.Header     // headers of that answer, e.g. Retry-After, Location
	Body     []byte          // body of that answer
	BodySize int64           // or a body of this many filler bytes
	Reset    bool            // close the connection with a TCP reset, answering nothing
	Hold     <-chan struct{} // wait until closed first, to order two clients' requests
	Delay    time.Duration   // wait first; cut short when the client goes away
	Corrupt  bool            // flip one byte in the middle of the upstream's body
	Edit     func(*http.Response)
	// Redirect answers 307 to the URL it returns for the request, e.g. a
	// storage host's signed URL for a blob.
	Redirect func(*http.Request) string
}

// answers reports whether the fault replaces the upstream entirely.
func (f Fault) answers() bool {
	return f.Status != 0 || f.Reset || f.BodySize > 0 || f.Redirect != nil
}

func (r *Rule) matches(req *http.Request, body []byte) bool {
	if r.Method != "" && r.Method != req.Method {
		return false
	}
	if r.Path != nil && !r.Path.MatchString(req.URL.Path) {
		return false
	}
	for k, v := range r.Header {
		if !strings.Contains(req.Header.Get(k), v) {
			return false
		}
	}
	return r.Match == nil || r.Match(req, body)
}
