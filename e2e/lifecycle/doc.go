// Package lifecycle runs the make targets that act on the whole stack:
// `make up` and `make down` stop and restart it (TestStackLifecycle), and
// `make demo` builds Istio 1.14.3 end to end (TestDemo). The Makefile runs
// this package alone, after every other e2e package, so the restart cannot
// disturb them; neither test here depends on running before the other.
package lifecycle
