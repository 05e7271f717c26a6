package soak

import (
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestMain removes the istio-mab command built for the tests once they are done.
func TestMain(m *testing.M) { e2etest.Main(m) }
