package procmem_test

import (
	"os"
	"os/exec"
	"testing"

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
