// Package testutil holds helpers shared by the test suites: where the shared reference data
// lives, and whether the run is CI, where a missing prerequisite is a failure and never a skip.
package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// InCI reports whether NANDUTI_CI=1, under which missing databases, browsers or ../shared fail
// the run instead of skipping tests.
func InCI() bool { return os.Getenv("NANDUTI_CI") == "1" }

// Require skips the test when a prerequisite is missing on a developer's machine and fails it
// in CI, so that CI can never go green by silently running less.
func Require(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if InCI() {
		t.Fatalf("%s is required when NANDUTI_CI=1", what)
	}
	t.Skipf("%s is not available; skipping (set NANDUTI_CI=1 to make this a failure)", what)
}

// RepoRoot returns the repository's root directory, found from this source file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir returns ../shared beside the repository (or NANDUTI_SHARED when set), skipping the
// test outside CI when it is missing and failing it in CI.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("NANDUTI_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "..", "shared")
	}
	st, err := os.Stat(dir)
	Require(t, err == nil && st.IsDir(), "the shared reference directory "+dir)
	return dir
}

// SharedFile returns the path of a file under ../shared (for example "data/ctdc/x.csv"),
// with the same skip-or-fail rule as SharedDir.
func SharedFile(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join(SharedDir(t), filepath.FromSlash(rel))
	_, err := os.Stat(path)
	Require(t, err == nil, "the shared file "+path)
	return path
}
