package natsjs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Group commit, embedded mode with fsync on every write. JetStream's own
// "sync always" fsyncs each message in turn while it holds the stream's
// block, so commits arriving together wait for one fsync each, and reads
// of the stream wait behind them; on a shared disk whose fsync takes tens
// of milliseconds now and then, that queue set the tail of every write.
//
// So the embedded server runs without sync always. A single-replica file
// stream then still writes each message into its block file before it
// acknowledges it (flush in place), only without the fsync; the store
// fsyncs instead, in rounds: every append waits, after JetStream's
// acknowledgement and before its own, for a round that began after that
// acknowledgement arrived, and one round serves every commit written
// before it began. A round fsyncs every block file of every stream whose
// size, time or inode changed since the round before, and the folders
// whose entries changed (a new block, a new or deleted stream), so what
// the key store writes to its buckets on the same server is as durable as
// the log. Readers of the log are held the same way: a commit reaches no
// subscriber before it is on disk, as with JetStream's own fsync.
//
// A round that only appends wait for (no key-store write) syncs the log's
// stream alone: its newest block, and the blocks and folder when the
// folder's entries changed (a block rolled over). Listing every stream's
// folders and stating every file each round cost more CPU than the fsync
// itself (two thirds of a round at 100 cards/s); a folder is listed again
// only when its modification time moved, or is too recent to vouch for
// entries added in the same clock tick (see dirMark).
type groupSync struct {
	files *fileSyncer

	mu      sync.Mutex
	written uint64 // highest sequence known to be in the files
	durable uint64 // highest sequence a finished round covered
	running bool
	current *syncRound // under way
	next    *syncRound // to start when current ends
	failed  error      // a failed fsync stops writes until JetStream restarts
	onFail  func()     // tells the space watcher
	stats   GroupCommitStats
}

// GroupCommitStats counts what group commit did since the store opened:
// operators compare the fsync time per round with the appends' latency
// (the disk's share) and waits per round (how many share an fsync).
type GroupCommitStats struct {
	// Rounds is the number of fsync rounds.
	Rounds uint64
	// Waits counts appends, reads and key-store writes that waited for a
	// round (a commit already on disk does not wait).
	Waits uint64
	// Seconds is the time the rounds took, fsyncs and folder listings.
	Seconds float64
}

// GroupCommitStats reports group commit's counts; false when the store does
// not commit in groups (external mode, or an fsync interval).
func (s *Store) GroupCommitStats() (GroupCommitStats, bool) {
	if s.group == nil {
		return GroupCommitStats{}, false
	}
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	return s.group.stats, true
}

type syncRound struct {
	upTo uint64 // written when the round began
	// all: someone waits for every stream's files (a key-store write), not
	// only for the log's commits.
	all  bool
	done chan struct{}
	err  error
}

func newGroupSync(files *fileSyncer, durable uint64, onFail func()) *groupSync {
	return &groupSync{files: files, written: durable, durable: durable, onFail: onFail}
}

// waitFor returns once the commit at sequence seq, written to its block
// file before the call, is on disk.
func (g *groupSync) waitFor(ctx context.Context, seq uint64) error {
	g.mu.Lock()
	g.written = max(g.written, seq)
	if g.failed != nil {
		err := g.failed
		g.mu.Unlock()
		return err
	}
	if seq <= g.durable {
		g.mu.Unlock()
		return nil
	}
	r := g.current
	if r == nil || r.upTo < seq {
		r = g.nextRound()
	}
	g.stats.Waits++
	g.mu.Unlock()
	return r.wait(ctx)
}

// waitNext returns once a round begun after the call has ended: whatever
// was written to JetStream's files before the call is on disk.
func (g *groupSync) waitNext(ctx context.Context) error {
	g.mu.Lock()
	if g.failed != nil {
		err := g.failed
		g.mu.Unlock()
		return err
	}
	r := g.nextRound()
	r.all = true
	g.stats.Waits++
	g.mu.Unlock()
	return r.wait(ctx)
}

// nextRound is the round after the current one; g.mu is held.
func (g *groupSync) nextRound() *syncRound {
	if g.next == nil {
		g.next = &syncRound{done: make(chan struct{})}
	}
	if !g.running {
		g.running = true
		go g.run()
	}
	return g.next
}

func (r *syncRound) wait(ctx context.Context) error {
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return fmt.Errorf("natsjs: wait for the fsync: %w", ctx.Err())
	}
}

// run does rounds while anyone waits for one.
func (g *groupSync) run() {
	for {
		g.mu.Lock()
		r := g.next
		g.next = nil
		if r == nil {
			g.current, g.running = nil, false
			g.mu.Unlock()
			return
		}
		r.upTo = g.written
		g.current = r
		g.mu.Unlock()

		began := time.Now()
		var err error
		if r.all {
			err = g.files.sync()
		} else {
			err = g.files.syncLog()
		}

		g.mu.Lock()
		g.stats.Rounds++
		g.stats.Seconds += time.Since(began).Seconds()
		if err != nil {
			// The kernel may have dropped the pages it failed to write:
			// no later fsync can vouch for them, so nothing is
			// acknowledged any more (the space watcher restarts
			// JetStream, which reads its files again).
			g.failed = fmt.Errorf("natsjs: fsync of the log's files failed; writes stopped until JetStream restarts: %w", err)
			err = g.failed
			if g.onFail != nil {
				go g.onFail()
			}
		} else {
			g.durable = max(g.durable, r.upTo)
		}
		r.err = err
		close(r.done)
		g.mu.Unlock()
	}
}

// reset lets writes go on after JetStream reopened its files.
func (g *groupSync) reset() {
	g.mu.Lock()
	g.failed = nil
	g.mu.Unlock()
}

// fileSyncer fsyncs what changed in JetStream's stream files.
type fileSyncer struct {
	root string // <store dir>/jetstream/$G/streams
	log  string // the log stream's msgs folder
	// seen is each file's state when it was last synced.
	seen map[string]fileMark
	// dirs is each folder's entries when it was last listed.
	dirs map[string]dirMark
	// fsync puts a file or folder on disk; tests count its calls.
	fsync func(path string) error
	// hook, set by tests, runs at the start of each round.
	hook func()
}

type fileMark struct {
	size  int64
	mtime int64
	ino   uint64
}

// dirMark is a folder as last listed. Its entries stand for the folder's
// while its modification time and inode stay the same, but only once that
// time is a second older than the listing: the kernel stamps folders with a
// coarse clock, so an entry added in the same tick just after the listing
// leaves the time as it was.
type dirMark struct {
	mtime   int64
	ino     uint64
	settled bool
	names   string
	ents    []os.DirEntry
}

// settleAfter is how much older than a listing a folder's modification time
// must be for the listing to stand for the folder until that time moves.
const settleAfter = time.Second

// streamsDir is where JetStream (global account, no accounts configured)
// keeps its streams under the store folder.
func streamsDir(storeDir string) string {
	return filepath.Join(storeDir, "jetstream", "$G", "streams")
}

func newFileSyncer(storeDir, logStream string) *fileSyncer {
	root := streamsDir(storeDir)
	return &fileSyncer{
		root: root, log: filepath.Join(root, logStream, "msgs"),
		seen: map[string]fileMark{}, dirs: map[string]dirMark{}, fsync: fsyncPath,
	}
}

// sync fsyncs the stream files and folders that changed since the last
// round. Files are opened read-only: fsync acts on the file, not on the
// descriptor that wrote it.
func (f *fileSyncer) sync() error {
	if f.hook != nil {
		f.hook()
	}
	streams, _, err := f.syncDir(f.root)
	if err != nil {
		return err
	}
	for _, st := range streams {
		if !st.IsDir() {
			continue
		}
		dir := filepath.Join(f.root, st.Name())
		top, _, err := f.syncDir(dir)
		if err != nil {
			return err
		}
		for _, e := range top {
			if e.Type().IsRegular() && strings.HasPrefix(e.Name(), "meta.") {
				if err := f.syncFile(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
		msgs := filepath.Join(dir, "msgs")
		blocks, _, err := f.syncDir(msgs)
		if err != nil {
			return err
		}
		if err := f.syncBlocks(msgs, blocks); err != nil {
			return err
		}
	}
	return nil
}

// syncLog fsyncs what appends to the log changed: its newest block, which
// every append since the last round wrote to, and, when the folder's
// entries changed (a block rolled over), the folder and every block that
// changed.
func (f *fileSyncer) syncLog() error {
	if f.hook != nil {
		f.hook()
	}
	blocks, changed, err := f.syncDir(f.log)
	if err != nil {
		return err
	}
	if changed {
		return f.syncBlocks(f.log, blocks)
	}
	last, ok := newestBlock(blocks)
	if !ok {
		return nil
	}
	path := filepath.Join(f.log, last)
	// Its mark is stale now: a later full round fsyncs it once more.
	delete(f.seen, path)
	if err := f.fsync(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// syncBlocks fsyncs each block file of a stream's msgs folder that changed.
func (f *fileSyncer) syncBlocks(msgs string, blocks []os.DirEntry) error {
	for _, b := range blocks {
		if b.Type().IsRegular() && strings.HasSuffix(b.Name(), ".blk") {
			if err := f.syncFile(filepath.Join(msgs, b.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// newestBlock is the block file with the highest index (JetStream names
// them <index>.blk and appends to the last).
func newestBlock(ents []os.DirEntry) (string, bool) {
	best, name := -1, ""
	for _, e := range ents {
		n, ok := strings.CutSuffix(e.Name(), ".blk")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if i, err := strconv.Atoi(n); err == nil && i > best {
			best, name = i, e.Name()
		}
	}
	return name, best >= 0
}

// syncDir fsyncs a folder whose entries changed and returns them, and
// whether they changed since the last listing; a folder removed meanwhile
// (a stream deleted) has none.
func (f *fileSyncer) syncDir(dir string) ([]os.DirEntry, bool, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		delete(f.dirs, dir)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("stat %s: %w", dir, err)
	}
	mtime, ino := info.ModTime().UnixNano(), inode(info)
	old, known := f.dirs[dir]
	if known && old.settled && old.mtime == mtime && old.ino == ino {
		return old.ents, false, nil
	}
	listed := time.Now()
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		delete(f.dirs, dir)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("list %s: %w", dir, err)
	}
	var names strings.Builder
	for _, e := range ents {
		names.WriteString(e.Name())
		names.WriteByte('/')
	}
	mark := dirMark{
		mtime: mtime, ino: ino, names: names.String(), ents: ents,
		settled: listed.Sub(info.ModTime()) > settleAfter,
	}
	changed := !known || old.names != mark.names || old.ino != ino
	if changed {
		if err := f.fsync(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
	}
	f.dirs[dir] = mark
	return ents, changed, nil
}

func (f *fileSyncer) syncFile(path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		delete(f.seen, path) // removed meanwhile (a block compacted away)
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	mark := fileMark{size: info.Size(), mtime: info.ModTime().UnixNano(), ino: inode(info)}
	if old, ok := f.seen[path]; ok && old == mark {
		return nil
	}
	if err := f.fsync(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	f.seen[path] = mark
	return nil
}

func fsyncPath(path string) error {
	fd, err := os.Open(path)
	if err != nil {
		return err
	}
	err = fd.Sync()
	if cerr := fd.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return nil
}
