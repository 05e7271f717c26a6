// Package faultproxy is a reverse proxy for end-to-end tests that stands in
// front of a registry and answers chosen requests with faults: a status
// (with headers such as Retry-After or Location), a connection reset, a
// delay, a corrupted or oversized body. It logs every request, so a test can
// assert what reached the registry, not only how the client ended.
//
// It listens on loopback only; with no upstream it is a recorder that
// stands in for "another host" a redirect might send credentials to.
package faultproxy
