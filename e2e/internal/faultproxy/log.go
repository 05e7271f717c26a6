package faultproxy

import (
	"net/http"
	"regexp"
	"time"
)

// Request is one request as the proxy saw it.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	Time   time.Time // arrival
	// Faulted is true when a rule answered it or changed its answer.
	Faulted bool
}

// Requests returns every request so far, in arrival order.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.log...)
}

// Count is how many requests so far had method ("" for any) and a path
// matching pathRE ("" for any).
func (p *Proxy) Count(method, pathRE string) int {
	re := regexp.MustCompile(pathRE)
	n := 0
	for _, r := range p.Requests() {
		if (method == "" || r.Method == method) && re.MatchString(r.Path) {
			n++
		}
	}
	return n
}

// ResetLog forgets the requests logged so far, not the rules.
func (p *Proxy) ResetLog() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = nil
}

func (p *Proxy) record(r *http.Request, body []byte, faulted bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = append(p.log, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Time: time.Now(), Faulted: faulted,
	})
}
