package run

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
)

func queueBinaries() []plan.Binary {
	var bins []plan.Binary
	for _, s := range []string{
		"pilot-discovery linux/amd64", "pilot-discovery linux/arm64", "pilot-agent linux/amd64",
		"pilot-agent linux/arm64", "istioctl linux/amd64", "istioctl linux/arm/v7",
	} {
		name, pl, _ := strings.Cut(s, " ")
		bins = append(bins, plan.Binary{Name: name, Platform: platforms.MustParse(pl)})
	}
	return bins
}

// Compiles of one platform never overlap (they share its locked Go build
// cache, which the first fills), while other platforms' run side by side.
func TestCompilesRunOnePerPlatform(t *testing.T) {
	bins := queueBinaries()
	var mu sync.Mutex
	start, end := map[int]time.Time{}, map[int]time.Time{}
	var order []int
	running, most := 0, 0
	err := runCompiles(t.Context(), bins, []int{0, 1, 2, 3, 4, 5}, 2, func(_ context.Context, i int, _ func()) error {
		mu.Lock()
		start[i], order = time.Now(), append(order, i)
		running++
		most = max(most, running)
		mu.Unlock()
		// pilot-discovery for amd64 takes longest: its platform's others wait.
		time.Sleep(map[bool]time.Duration{true: 100 * time.Millisecond, false: 30 * time.Millisecond}[i == 0])
		mu.Lock()
		end[i] = time.Now()
		running--
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != len(bins) || order[0]+order[1] != 1 {
		t.Fatalf("started %v, want all 6, pilot-discovery for both platforms first", order)
	}
	if most != 2 {
		t.Errorf("at most %d compiles ran at once, want 2", most)
	}
	for _, i := range order {
		for _, j := range order {
			same := platforms.Format(bins[i].Platform) == platforms.Format(bins[j].Platform)
			if i != j && same && start[j].After(start[i]) && start[j].Before(end[i]) {
				t.Errorf("%s for %s started while %s for it ran", bins[j].Name, platforms.Format(bins[j].Platform), bins[i].Name)
			}
		}
	}
}

func TestCompilesStopAtTheFirstError(t *testing.T) {
	bins := queueBinaries()
	var mu sync.Mutex
	ran := 0
	boom := errors.New("boom")
	err := runCompiles(t.Context(), bins, []int{0, 1, 2, 3, 4, 5}, 1, func(_ context.Context, i int, _ func()) error {
		mu.Lock()
		defer mu.Unlock()
		ran++
		if i == 1 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || ran != 2 {
		t.Errorf("got %v after %d compiles, want boom after 2", err, ran)
	}
}

// A compile whose go build has ended frees its slot while its binary is
// still exported: the next compile starts before that export ends.
func TestCompiledBinaryFreesItsSlotBeforeItsExport(t *testing.T) {
	bins := queueBinaries()
	nextStarted := make(chan struct{})
	err := runCompiles(t.Context(), bins, []int{0, 1}, 1, func(_ context.Context, i int, compiled func()) error {
		if i == 1 {
			close(nextStarted)
			return nil
		}
		compiled()
		select { // the export, which waits for the next compile to start
		case <-nextStarted:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("the next compile never started while this one exported")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
