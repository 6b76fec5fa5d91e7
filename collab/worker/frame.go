package worker

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Frames between the serving process and a worker: a 4-byte big-endian
// length, then that many bytes of CBOR.
const maxFrame = 64 << 20

func writeFrame(w io.Writer, v any) error {
	b, err := cbor.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode frame: %w", err)
	}
	if len(b) > maxFrame {
		return fmt.Errorf("frame of %d bytes exceeds %d", len(b), maxFrame)
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func readFrame(r io.Reader, v any) error {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxFrame {
		return fmt.Errorf("frame of %d bytes exceeds %d", n, maxFrame)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return err
	}
	if err := cbor.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode frame: %w", err)
	}
	return nil
}

// trimAfter is how long a worker waits after its last check before it
// hands freed memory back to the OS: once per burst of checks, not per check.
const trimAfter = time.Second

// Serve answers requests from r on w until r ends. It is the whole life of a
// worker process.
func Serve(r io.Reader, w io.Writer) error {
	br := bufio.NewReader(r)
	bw := bufio.NewWriter(w)
	c := NewChecker()
	trim := time.AfterFunc(time.Hour, returnMemory)
	trim.Stop()
	defer trim.Stop()
	for {
		var req Request
		if err := readFrame(br, &req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("worker: read request: %w", err)
		}
		resp := c.Check(req)
		if err := writeFrame(bw, resp); err != nil {
			return fmt.Errorf("worker: write response: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("worker: write response: %w", err)
		}
		// Documents and sync states live in C memory that only finalizers
		// free, and the Go heap here is too small to ever trigger a
		// collection on its own: collect after every check (a new peer's
		// sync state and the reply generated for it are C memory too),
		// once the answer is out, and give the memory back once a burst
		// of checks is over.
		runtime.GC()
		trim.Reset(trimAfter)
	}
}
