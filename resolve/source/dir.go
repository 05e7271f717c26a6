package source

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/istio-mab/istio-mab/plan"
)

// DirFacts reads the facts of a local source directory. Its commit and time
// come from git when the directory is a checkout; otherwise they are unknown
// and the build is not reproducible across edits, which is the caller's choice.
func DirFacts(ctx context.Context, dir, version string, layout Layout) (plan.Facts, error) {
	facts := plan.Facts{Version: version, Commit: "unknown"}
	if out, err := git(ctx, dir, "log", "-1", "--format=%H %ct"); err == nil {
		if sha, ts, ok := strings.Cut(out, " "); ok {
			facts.Commit = sha
			facts.CommitTime, _ = strconv.ParseInt(ts, 10, 64)
		}
		status, err := git(ctx, dir, "status", "--porcelain")
		facts.Committed = err == nil && status == ""
	}
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) }
	if err := ReadFacts(read, &facts, layout); err != nil {
		return plan.Facts{}, fmt.Errorf("reading Istio source in %s: %w", dir, err)
	}
	return facts, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...).Output()
	return strings.TrimSpace(string(out)), err
}

// DirCommit is the commit a clean checkout is at; an error when dir is not a
// checkout or has changes, since then no commit describes its content.
func DirCommit(ctx context.Context, dir string) (string, error) {
	status, err := git(ctx, dir, "status", "--porcelain")
	if err != nil {
		return "", err
	}
	if status != "" {
		return "", fmt.Errorf("%s has uncommitted changes", dir)
	}
	return git(ctx, dir, "rev-parse", "HEAD")
}
