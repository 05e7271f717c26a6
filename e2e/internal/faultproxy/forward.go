package faultproxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
)

type faultKey struct{}

func withFault(ctx context.Context, f Fault) context.Context {
	return context.WithValue(ctx, faultKey{}, f)
}

// reverseProxy forwards with the client's Host header kept, so the
// registry builds upload Locations that point back at the proxy and every
// step of an upload passes through it.
func (p *Proxy) reverseProxy(upstreamTLS *tls.Config) *httputil.ReverseProxy {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	if upstreamTLS != nil {
		tr.TLSClientConfig = upstreamTLS
	}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(p.upstream)
			r.Out.Host = r.In.Host
			r.SetXForwarded()
			if r.In.TLS != nil {
				r.Out.Header.Set("X-Forwarded-Proto", "https")
			}
		},
		Transport:      tr,
		ModifyResponse: modify,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		},
	}
}

func modify(resp *http.Response) error {
	f, _ := resp.Request.Context().Value(faultKey{}).(Fault)
	if f.Corrupt {
		if err := corrupt(resp); err != nil {
			return err
		}
	}
	if f.Edit != nil {
		f.Edit(resp)
	}
	return nil
}

// corrupt flips one bit in the middle of the body, keeping its length, so
// only a digest check can tell.
func corrupt(resp *http.Response) error {
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("faultproxy: reading upstream body: %w", err)
	}
	if len(b) > 0 {
		b[len(b)/2] ^= 0x01
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return nil
}
