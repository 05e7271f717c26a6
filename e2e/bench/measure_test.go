package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// sample is one way's figures in one scenario of BenchmarkRealSize.
type sample struct {
	way, scenario string
	wall, cpu     time.Duration // cpu: the command's and its children's, plus buildkitd's
	pushed        time.Duration // from start until the last image export completed (0: none seen)
	lastIstioctl  time.Duration // from start until the last istioctl compile completed (0: none seen)
	bytesPushed   int64         // growth of the registry's storage directory
	maxRSS        int64         // bytes, of the command itself (wait4's ru_maxrss)
	err           error
}

// meter measures one command: wall, CPU (own rusage of waited children,
// plus buildkitd's from /proc, which includes the containers it reaped), and
// registry growth.
type meter struct {
	buildkitdPid int
	registryDir  string
}

func (m meter) run(b *testing.B, cmd *exec.Cmd, s *sample) {
	b.Helper()
	bk0, reg0 := procCPU(m.buildkitdPid), dirSize(m.registryDir)
	start := time.Now()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	log := watchProgress(stderr, start, s)
	s.err = cmd.Wait()
	s.wall = time.Since(start)
	out := <-log
	if s.err != nil {
		s.err = &benchError{err: s.err, tail: e2etest.Tail(out, 30)}
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	own := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	s.cpu += own + procCPU(m.buildkitdPid) - bk0
	keepLog(b, cmd, out, own)
	s.maxRSS = ru.Maxrss * 1024
	s.bytesPushed += dirSize(m.registryDir) - reg0
}

// keepLog writes a command's output, and its own CPU apart from
// buildkitd's, into BENCH_LOGS when set: per-step times for a note.
func keepLog(b *testing.B, cmd *exec.Cmd, out string, own time.Duration) {
	dir := os.Getenv("BENCH_LOGS")
	if dir == "" {
		return
	}
	f, err := os.CreateTemp(dir, filepath.Base(cmd.Path)+"-*.log")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "# %s\n# own cpu %.1fs\n%s", strings.Join(cmd.Args, " "), own.Seconds(), out)
}

type benchError struct {
	err  error
	tail string
}

func (e *benchError) Error() string { return e.err.Error() + "\n" + e.tail }

// watchProgress reads rawjson progress (or any text) as it comes, noting
// when images were exported and when the last istioctl compile ended; it
// returns the whole output once the stream closes.
func watchProgress(r io.Reader, start time.Time, s *sample) <-chan string {
	done := make(chan string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			all.Write(sc.Bytes())
			all.WriteByte('\n')
			for _, name := range completedNames(sc.Bytes()) {
				switch {
				case strings.HasPrefix(name, "exporting to image"):
					s.pushed = time.Since(start)
				case strings.HasPrefix(name, "compile istioctl "):
					s.lastIstioctl = time.Since(start)
				}
			}
		}
		done <- all.String()
	}()
	return done
}

func completedNames(line []byte) []string {
	var status struct {
		Vertexes []struct {
			Name      string `json:"name"`
			Completed any    `json:"completed"`
		} `json:"vertexes"`
	}
	if json.Unmarshal(line, &status) != nil {
		return nil
	}
	var out []string
	for _, v := range status.Vertexes {
		if v.Completed != nil {
			out = append(out, v.Name)
		}
	}
	return out
}

// procCPU is a process's CPU time and that of the children it reaped
// (utime, stime, cutime, cstime of /proc/PID/stat), 0 without a pid.
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which may hold spaces, in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // fields 14-17 of stat, counted from state (3)
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func readPid(b *testing.B, path string) int {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("buildkitd pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		b.Fatal(err)
	}
	return pid
}
