package main

import (
	"errors"
	"flag"
	"io/fs"
	"math"
	"strings"
	"testing"
)

func TestTheGarbageCollectorSettingsComeFromFlagThenGoVariableThenDefault(t *testing.T) {
	noCgroup := func(string) ([]byte, error) { return nil, fs.ErrNotExist }
	cgroup := func(content string) func(string) ([]byte, error) {
		return func(path string) ([]byte, error) {
			if path != cgroupMemoryMax {
				return nil, fs.ErrNotExist
			}
			return []byte(content), nil
		}
	}
	for _, c := range []struct {
		name        string
		args        []string
		env         map[string]string
		cgroup      func(string) ([]byte, error)
		percent     int
		limit       int64
		leaveGoVars bool
	}{
		{name: "defaults outside a container", cgroup: noCgroup, percent: 100, limit: math.MaxInt64},
		{name: "a container without a limit", cgroup: cgroup("max\n"), percent: 100, limit: math.MaxInt64},
		{name: "80% of a container's 1 GiB", cgroup: cgroup("1073741824\n"), percent: 100, limit: 858993459},
		{name: "Go's variables are left as the runtime read them", env: map[string]string{"GOGC": "250", "GOMEMLIMIT": "512MiB"},
			cgroup: cgroup("1073741824\n"), percent: 250, limit: 512 << 20, leaveGoVars: true},
		{name: "flags beat Go's variables", args: []string{"--gc-percent", "150", "--memory-limit", "2GiB"},
			env: map[string]string{"GOGC": "250", "GOMEMLIMIT": "512MiB"}, cgroup: noCgroup, percent: 150, limit: 2 << 30},
		{name: "the HINDSIGHT_ variables count as flags", env: map[string]string{"HINDSIGHT_GC_PERCENT": "300", "HINDSIGHT_MEMORY_LIMIT": "none", "GOMEMLIMIT": "1GiB"},
			cgroup: cgroup("1073741824\n"), percent: 300, limit: math.MaxInt64},
		{name: "auto given explicitly reads the container", args: []string{"--memory-limit", "auto"}, env: map[string]string{"GOMEMLIMIT": "1GiB"},
			cgroup: cgroup("1000\n"), percent: 100, limit: 800},
		{name: "collection off under a limit", args: []string{"--gc-percent", "off", "--memory-limit", "768MiB"}, cgroup: noCgroup, percent: -1, limit: 768 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := func(k string) string { return c.env[k] }
			cfg, flags, err := parseServeConfig(c.args, env)
			if err != nil {
				t.Fatal(err)
			}
			chosen := map[string]bool{}
			flags.Visit(func(f *flag.Flag) { chosen[f.Name] = true })
			s, err := resolveGC(cfg, chosen, env, c.cgroup)
			if err != nil {
				t.Fatal(err)
			}
			if s.Percent != c.percent || s.MemoryLimit != c.limit || s.leavePercent != c.leaveGoVars || s.leaveMemoryLimit != c.leaveGoVars {
				t.Fatalf("got percent %d (%s), limit %d (%s), left %v/%v; want %d, %d, left %v",
					s.Percent, s.PercentFrom, s.MemoryLimit, s.MemoryLimitFrom, s.leavePercent, s.leaveMemoryLimit, c.percent, c.limit, c.leaveGoVars)
			}
		})
	}
}

func TestABadGarbageCollectorSettingStopsTheServerAtStart(t *testing.T) {
	for _, args := range [][]string{
		{"--gc-percent", "0"},
		{"--gc-percent", "lots"},
		{"--memory-limit", "-5MiB"},
		{"--memory-limit", "12 GB"},
	} {
		if _, _, err := parseServeConfig(args, func(string) string { return "" }); !isUsage(err) || !strings.Contains(err.Error(), args[0][2:]) {
			t.Errorf("%v: got %v, want a usage error naming the flag", args, err)
		}
	}
	cfg, flags, err := parseServeConfig([]string{"--gc-percent", "off"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	chosen := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { chosen[f.Name] = true })
	noCgroup := func(string) ([]byte, error) { return nil, fs.ErrNotExist }
	if _, err := resolveGC(cfg, chosen, func(string) string { return "" }, noCgroup); !isUsage(err) {
		t.Fatalf("collection off with no limit: got %v, want a usage error", err)
	}
}

func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}
