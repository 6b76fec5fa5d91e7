//go:build !unix

package natsjs

// lockDir does nothing where flock is not available; running two stores on
// one data folder there is the operator's to avoid.
func lockDir(string) (func(), error) { return func() {}, nil }
