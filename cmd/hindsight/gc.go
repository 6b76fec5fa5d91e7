package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// The garbage collector's settings serve applies at start (README,
// Configuration; the measurement in BENCHMARKS.md, "Garbage collector
// settings"). On issue 15's workload a GOGC above Go's 100 bought no CPU
// per card but up to 2.8 times the peak memory, so the percent stays 100;
// the memory limit is what a container needs, so the heap is collected
// harder near the container's limit instead of the process being killed.
const (
	defaultGCPercent = 100
	// memoryLimitShare is the share of the container's memory limit
	// (cgroup v2 memory.max) the Go runtime is told to stay under; the
	// rest is left to what Go does not count (the kernel's buffers of
	// the data folder's files, thread stacks outside Go).
	memoryLimitShare = 0.8
	cgroupMemoryMax  = "/sys/fs/cgroup/memory.max"
	memoryLimitAuto  = "auto"
	memoryLimitNone  = "none"
)

// gcSettings is what the collector is set to, and where each value came from.
type gcSettings struct {
	Percent          int // -1: off
	PercentFrom      string
	MemoryLimit      int64 // math.MaxInt64: none
	MemoryLimitFrom  string
	leavePercent     bool // Go's GOGC is set and no flag overrides it
	leaveMemoryLimit bool // Go's GOMEMLIMIT is set and no flag overrides it
}

// resolveGC decides the collector's settings: --gc-percent and
// --memory-limit (or their HINDSIGHT_ variables) when given, else Go's own
// GOGC and GOMEMLIMIT when set (the runtime has applied them already),
// else the defaults above. readFile reads the cgroup's limit.
func resolveGC(cfg serveConfig, chosen map[string]bool, env func(string) string, readFile func(string) ([]byte, error)) (gcSettings, error) {
	var s gcSettings
	switch {
	case chosen["gc-percent"]:
		s.Percent, s.PercentFrom = cfg.GCPercent, "--gc-percent"
	case env("GOGC") != "":
		// The runtime has read it already; leave it and only report it.
		s.Percent, s.PercentFrom, s.leavePercent = -1, "GOGC="+env("GOGC"), true
		if n, err := strconv.Atoi(env("GOGC")); err == nil {
			s.Percent = n
		}
	default:
		s.Percent, s.PercentFrom = defaultGCPercent, "default"
	}
	limit := cfg.MemoryLimit
	switch {
	case chosen["memory-limit"] && limit != memoryLimitAuto:
		n, err := parseMemoryLimit(limit)
		if err != nil {
			return s, usagef("invalid --memory-limit %q: %v", limit, err)
		}
		s.MemoryLimit, s.MemoryLimitFrom = n, "--memory-limit"
	case !chosen["memory-limit"] && env("GOMEMLIMIT") != "":
		s.MemoryLimit, s.MemoryLimitFrom, s.leaveMemoryLimit = math.MaxInt64, "GOMEMLIMIT="+env("GOMEMLIMIT"), true
		if n, err := parseMemoryLimit(env("GOMEMLIMIT")); err == nil {
			s.MemoryLimit = n
		}
	default:
		s.MemoryLimit, s.MemoryLimitFrom = math.MaxInt64, "none (no container limit)"
		if raw, err := readFile(cgroupMemoryMax); err == nil {
			if n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err == nil && n > 0 {
				s.MemoryLimit = int64(float64(n) * memoryLimitShare)
				s.MemoryLimitFrom = fmt.Sprintf("%.0f%% of the container's %d bytes", memoryLimitShare*100, n)
			}
		}
	}
	if s.Percent < 0 && s.MemoryLimit == math.MaxInt64 && !s.leavePercent {
		return s, usagef("--gc-percent off needs a memory limit (--memory-limit, or a container's): the heap would grow without bound")
	}
	return s, nil
}

// apply sets the runtime's collector, unless Go's variables already did.
func (s gcSettings) apply() {
	if !s.leavePercent {
		debug.SetGCPercent(s.Percent)
	}
	if !s.leaveMemoryLimit {
		debug.SetMemoryLimit(s.MemoryLimit)
	}
}

// parseMemoryLimit reads a size as GOMEMLIMIT does (a number of bytes with
// an optional B, KiB, MiB, GiB or TiB), or none.
func parseMemoryLimit(v string) (int64, error) {
	if v == memoryLimitNone {
		return math.MaxInt64, nil
	}
	units := []struct {
		suffix string
		factor int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	num, factor := v, int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(v, u.suffix); ok {
			num, factor = rest, u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/factor {
		return 0, fmt.Errorf("want auto, none, or a positive size such as 768MiB or 2GiB")
	}
	return n * factor, nil
}

// gcPercentValue takes a percent or "off" (-1), as GOGC does.
type gcPercentValue struct{ p *int }

func (v *gcPercentValue) String() string {
	if v.p == nil {
		return ""
	}
	if *v.p < 0 {
		return "off"
	}
	return strconv.Itoa(*v.p)
}

func (v *gcPercentValue) Set(s string) error {
	if s == "off" {
		*v.p = -1
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("want off or a positive percent such as 100")
	}
	*v.p = n
	return nil
}

// memoryLimitValue checks a size at parse time; resolveGC reads it.
type memoryLimitValue struct{ p *string }

func (v *memoryLimitValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v *memoryLimitValue) Set(s string) error {
	if s != memoryLimitAuto {
		if _, err := parseMemoryLimit(s); err != nil {
			return err
		}
	}
	*v.p = s
	return nil
}
