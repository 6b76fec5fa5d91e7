package procmem_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/internal/procmem"
)

func TestAProcessAndTheChildItStartedAreCountedApart(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	own, children := procmem.Tree(os.Getpid())
	if own <= 0 {
		t.Fatalf("this process holds %d KiB", own)
	}
	// The child's figure moves while it starts (exec), so only its presence
	// is compared.
	if kid := procmem.RSS(cmd.Process.Pid); kid <= 0 || children <= 0 {
		t.Fatalf("children %d KiB, the child alone %d KiB", children, kid)
	}
	if procmem.RSS(-1) != 0 {
		t.Fatal("a process that does not exist holds memory")
	}
}

// TestMain lets the test binary stand in for a server's worker: a child
// that runs the same executable and waits.
func TestMain(m *testing.M) {
	if os.Getenv("PROCMEM_CHILD_WAITS") != "" {
		time.Sleep(30 * time.Second)
		return
	}
	os.Exit(m.Run())
}

func TestAGroupCountsTheExecutableItsChildrenShareOnce(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PROCMEM_CHILD_WAITS=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	kid := cmd.Process.Pid
	// Until the child has run the executable's start-up, it maps little
	// of it.
	deadline := time.Now().Add(10 * time.Second)
	for procmem.RSS(kid)-procmem.Private(kid) < 1024 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// The figures move between reads (this process allocates, the child
	// may still be starting), so Group's read is bracketed by reads of
	// its parts; the executable's pages are far more than that drift.
	self := os.Getpid()
	own1, priv1 := procmem.RSS(self), procmem.Private(kid)
	group := procmem.Group(self)
	own2, priv2 := procmem.RSS(self), procmem.Private(kid)
	shared := procmem.RSS(kid) - procmem.Private(kid)
	if shared < 1024 {
		t.Fatalf("the child maps %d KiB of files; a Go test binary is megabytes", shared)
	}
	const drift = 512 // KiB
	if most := max(own1, own2) + max(priv1, priv2) + drift; group > most {
		t.Fatalf("group %d KiB, more than the process (%d–%d KiB) and the child's own memory (%d–%d KiB): the child's %d KiB of file pages were counted again",
			group, own1, own2, priv1, priv2, shared)
	}
	if least := min(own1, own2) + min(priv1, priv2) - drift; group < least {
		t.Fatalf("group %d KiB, less than the process (%d–%d KiB) and the child's own memory (%d–%d KiB)", group, own1, own2, priv1, priv2)
	}
}
