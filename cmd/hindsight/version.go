package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

func (a *app) runVersion(args []string) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			fmt.Fprintln(a.stdout, "Usage: hindsight version\n\nPrint the version, the source revision and the Go version it was built with.")
			return exitOK
		}
		fmt.Fprintf(a.stderr, "hindsight version: unexpected argument %q\n", args[0])
		return exitUsage
	}
	fmt.Fprintln(a.stdout, versionString())
	return exitOK
}

// versionString comes from the build information Go embeds in every
// binary, so no release step has to stamp it.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "hindsight (unknown version)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	details := []string{info.GoVersion}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision != "" {
		if len(revision) > 12 {
			revision = revision[:12]
		}
		if modified == "true" {
			revision += "+dirty"
		}
		details = append([]string{revision}, details...)
	}
	return fmt.Sprintf("hindsight %s (%s)", version, strings.Join(details, ", "))
}
