package faultproxy

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// maxLogged bounds the request body kept in the log; bodies are forwarded whole.
const maxLogged = 64 << 10

// Options choose where the proxy listens and how it reaches its upstream.
type Options struct {
	// Addr is the loopback address to listen on. Default: 127.0.0.1:0.
	Addr string
	// TLS serves HTTPS with a fresh self-signed certificate (see CAFile).
	// Default: plain HTTP.
	TLS bool
	// UpstreamTLS trusts these roots when the upstream is https. Default:
	// the system roots.
	UpstreamTLS *tls.Config
}

// Proxy forwards to one upstream, applying rules. Safe for concurrent use.
type Proxy struct {
	srv      *httptest.Server
	upstream *url.URL // nil: answer 404 to anything no rule answers
	rp       *httputil.ReverseProxy

	mu    sync.Mutex
	rules []*rule
	log   []Request
}

type rule struct {
	Rule
	used int
}

// New starts a proxy in front of upstream (a URL such as
// "http://127.0.0.1:5000"), or a recorder when upstream is "".
func New(upstream string, o Options) (*Proxy, error) {
	p := &Proxy{}
	if upstream != "" {
		u, err := url.Parse(upstream)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("faultproxy: upstream %q: want scheme://host:port", upstream)
		}
		p.upstream = u
		p.rp = p.reverseProxy(o.UpstreamTLS)
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return nil, fmt.Errorf("faultproxy: %q is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listening on %s: %w", addr, err)
	}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.srv.Listener.Close()
	p.srv.Listener = ln
	p.srv.Config.ErrorLog = nil
	if o.TLS {
		p.srv.StartTLS()
	} else {
		p.srv.Start()
	}
	return p, nil
}

// Host is host:port as clients name it in image references.
func (p *Proxy) Host() string { return p.srv.Listener.Addr().String() }

// URL is the proxy's base URL.
func (p *Proxy) URL() string { return p.srv.URL }

// Certificate is the proxy's certificate when it serves TLS.
func (p *Proxy) Certificate() []byte {
	if c := p.srv.Certificate(); c != nil {
		return c.Raw
	}
	return nil
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() { p.srv.CloseClientConnections(); p.srv.Close() }

// Add appends a rule; it applies to requests arriving from now on.
func (p *Proxy) Add(r Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &rule{Rule: r})
}

// Clear removes every rule.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// pick returns the fault for req, counting it against its rule's Times.
func (p *Proxy) pick(req *http.Request, body []byte) (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.rules {
		if (r.Times == 0 || r.used < r.Times) && r.matches(req, body) {
			r.used++
			return r.Fault, true
		}
	}
	return Fault{}, false
}

func (p *Proxy) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "faultproxy: reading request body", http.StatusBadRequest)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	f, faulted := p.pick(req, body)
	p.record(req, body[:min(len(body), maxLogged)], faulted)
	if f.Hold != nil {
		select {
		case <-f.Hold:
		case <-req.Context().Done():
			return
		}
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-req.Context().Done():
			return
		}
	}
	switch {
	case f.Reset:
		reset(w)
	case f.Redirect != nil:
		http.Redirect(w, req, f.Redirect(req), http.StatusTemporaryRedirect)
	case f.answers():
		answer(w, f)
	case p.upstream == nil:
		http.NotFound(w, req)
	default:
		p.rp.ServeHTTP(w, req.WithContext(withFault(req.Context(), f)))
	}
}

// reset closes the client's connection with SO_LINGER 0, so the client
// reads ECONNRESET rather than a clean end of stream.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	c := conn
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func answer(w http.ResponseWriter, f Fault) {
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if f.BodySize > 0 {
		w.Header().Set("Content-Length", fmt.Sprint(f.BodySize))
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	if f.BodySize > 0 {
		io.CopyN(w, filler{}, f.BodySize)
		return
	}
	w.Write(f.Body)
}

// filler is an endless run of 'x'.
type filler struct{}

func (filler) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = 'x'
	}
	return len(b), nil
}
