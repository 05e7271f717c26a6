package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Retries are ggcr's, configured here so that each is bounded in time:
// network errors and 408/5xx are retried twice, after 1 s and 2 s. 429 is
// left to retryAfter, which honours the registry's Retry-After, so no
// request is retried by two layers.
var (
	retryCodes   = []int{http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	retryBackoff = remote.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.1, Steps: 3}
)

// retryable is ggcr's default predicate (network errors and temporary
// registry errors) without 429, which retryAfter has already waited out.
func retryable(err error) bool {
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusTooManyRequests {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var temp interface{ Temporary() bool }
	if errors.As(err, &temp) && temp.Temporary() {
		return true
	}
	for _, e := range []error{io.ErrUnexpectedEOF, io.EOF, syscall.EPIPE, syscall.ECONNRESET, net.ErrClosed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

const (
	// maxRetryAfter is the longest Retry-After waited for; a registry asking
	// for more fails the run at once, naming the wait.
	maxRetryAfter = 30 * time.Second
	// rateLimitTries bounds the waits on one request: 3 × maxRetryAfter at worst.
	rateLimitTries = 3
)

// RateLimitError reports a registry that asks to wait longer than istio-mab will.
type RateLimitError struct {
	Host string
	Wait time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s is rate limiting (429) and asks to wait %s before retrying, more than %s: rerun later",
		e.Host, e.Wait, maxRetryAfter)
}

// retryAfter waits out a 429 for as long as the registry's Retry-After
// says (1 s when it says nothing), up to maxRetryAfter and rateLimitTries.
type retryAfter struct {
	inner http.RoundTripper
	now   func() time.Time
}

func (r *retryAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	for try := 1; ; try++ {
		resp, err := r.inner.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || try == rateLimitTries {
			return resp, err
		}
		wait := retryAfterWait(resp.Header.Get("Retry-After"), r.now())
		if wait > maxRetryAfter {
			drain(resp)
			return nil, &RateLimitError{Host: req.URL.Host, Wait: wait}
		}
		if req.Body != nil && req.GetBody == nil {
			return resp, nil // the body cannot be sent again
		}
		drain(resp)
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// retryAfterWait reads Retry-After as seconds or an HTTP date.
func retryAfterWait(v string, now time.Time) time.Duration {
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return time.Second
}

func rewind(req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = body
	return req, nil
}

// drain reads a bounded part of an answer's body so its connection can be reused.
func drain(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}
