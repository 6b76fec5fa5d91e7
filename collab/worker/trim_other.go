//go:build !(linux && cgo)

package worker

func returnMemory() {}
