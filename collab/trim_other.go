//go:build !(linux && cgo)

package collab

func returnMemory() {}
