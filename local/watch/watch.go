// Package watch tells which files of a project changed, in batches: it
// watches the project's directory tree with fsnotify (adding directories as
// they appear), leaves out what a build or an editor writes (build/, envs/,
// dot directories such as .terraform, .apibuilder and .git, editors'
// backup and swap files), and sends the changed paths once the writes
// settle, so one save is one batch however many writes the editor makes.
//
// It knows nothing of what a file means: `local up` (local/session)
// decides what a batch asks for (a rebuild, a regeneration).
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options of a Watcher.
type Options struct {
	// Quiet is how long the tree must stay unchanged before a batch is
	// sent (default 100 ms); MaxWait bounds how long a batch waits while
	// writes keep coming (default 1 s).
	Quiet, MaxWait time.Duration
	// SkipDirs are more directories to leave out, as slash paths relative
	// to the root (e.g. "envs", where the generator writes).
	SkipDirs []string
}

// Batch is one settled set of changes.
type Batch struct {
	// Paths are the changed files (written, created, removed or renamed),
	// as slash paths relative to the root, sorted, each once. A directory
	// that appeared is listed with every file in it.
	Paths []string
	// First is when the first change of the batch was seen.
	First time.Time
}

// Watcher watches one directory tree.
type Watcher struct {
	root    string
	opt     Options
	fsw     *fsnotify.Watcher
	batches chan Batch
	errs    chan error
	done    chan struct{}
	wg      sync.WaitGroup
	skip    map[string]bool
}

// SkippedNames are directory names left out wherever they are in the tree
// (what builds and package managers write), besides every directory whose
// name starts with a dot (.git, .terraform, .apibuilder, editors' own).
var SkippedNames = []string{"build", "node_modules"}

// New starts watching root and every directory below it that is not left
// out. Close stops it.
func New(root string, opt Options) (*Watcher, error) {
	if opt.Quiet <= 0 {
		opt.Quiet = 100 * time.Millisecond
	}
	if opt.MaxWait <= 0 {
		opt.MaxWait = time.Second
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", abs, err)
	}
	w := &Watcher{root: abs, opt: opt, fsw: fsw, batches: make(chan Batch), errs: make(chan error, 8), done: make(chan struct{}), skip: map[string]bool{}}
	for _, d := range opt.SkipDirs {
		w.skip[strings.Trim(filepath.ToSlash(filepath.Clean(d)), "/")] = true
	}
	if _, err := w.addTree(abs); err != nil {
		_ = fsw.Close()
		return nil, err
	}
	w.wg.Add(1)
	go w.loop()
	return w, nil
}

// Batches delivers the settled changes; it is closed by Close.
func (w *Watcher) Batches() <-chan Batch { return w.batches }

// Errors delivers problems of the watch itself (for example the system's
// limit of watched directories); the watch goes on.
func (w *Watcher) Errors() <-chan error { return w.errs }

// Close stops watching. Safe to call twice.
func (w *Watcher) Close() error {
	select {
	case <-w.done:
		return nil
	default:
	}
	close(w.done)
	err := w.fsw.Close()
	w.wg.Wait()
	return err
}

// Ignored reports whether a change of the file at rel (a slash path
// relative to the root) is left out: editors' temporary files and
// anything under a directory that is left out.
func (w *Watcher) Ignored(rel string) bool {
	dir, base := path.Split(rel)
	if TempFile(base) {
		return true
	}
	return dir != "" && w.skippedDir(strings.TrimSuffix(dir, "/"))
}

// skippedDir reports whether the directory rel, or one above it, is left out.
func (w *Watcher) skippedDir(rel string) bool {
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if p == "" {
			continue
		}
		if strings.HasPrefix(p, ".") || slices.Contains(SkippedNames, p) || w.skip[strings.Join(parts[:i+1], "/")] {
			return true
		}
	}
	return false
}

// TempFile reports whether a file name is one editors write beside the
// file they save (backups, swap files, atomic-save temporaries) or a
// hidden file.
func TempFile(name string) bool {
	switch {
	case name == "" || name == "4913": // vim probes a directory with 4913
		return true
	case strings.HasPrefix(name, "."): // .#lock (emacs), .file.swp (vim), .goutputstream-* (gedit)
		return true
	case strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"): // emacs auto-save
		return true
	case strings.HasSuffix(name, "~"): // backups
		return true
	}
	for _, suffix := range []string{".swp", ".swx", ".swo", ".tmp", ".temp", ".bak", ".orig", ".rej", "___jb_tmp___", "___jb_old___", ".crswap"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return strings.Contains(name, ".tmp-") || strings.Contains(name, ".tmp.") // atomic writers' temp names
}

// addTree watches dir and every directory below it that is not left out,
// and returns the files found there (for a directory that just appeared:
// their creation may have come before the watch).
func (w *Watcher) addTree(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // gone meanwhile
			}
			return err
		}
		rel := w.rel(p)
		if d.IsDir() {
			if rel != "" && w.skippedDir(rel) {
				return filepath.SkipDir
			}
			if err := w.fsw.Add(p); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return filepath.SkipDir
				}
				return fmt.Errorf("watch %s: %w (on Linux, raise fs.inotify.max_user_watches, or run local up with -watch=false)", p, err)
			}
			return nil
		}
		if !w.Ignored(rel) {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

func (w *Watcher) rel(p string) string {
	r, err := filepath.Rel(w.root, p)
	if err != nil || r == "." {
		return ""
	}
	return filepath.ToSlash(r)
}

// loop gathers events into batches: a batch is sent once no event came for
// Quiet, or MaxWait after its first event.
func (w *Watcher) loop() {
	defer w.wg.Done()
	defer close(w.batches)
	pending := map[string]bool{}
	var first time.Time
	var quiet, max <-chan time.Time
	quietTimer := time.NewTimer(time.Hour)
	quietTimer.Stop()
	flush := func() {
		if len(pending) == 0 {
			return
		}
		b := Batch{First: first}
		for p := range pending {
			b.Paths = append(b.Paths, p)
		}
		sort.Strings(b.Paths)
		pending = map[string]bool{}
		quiet, max = nil, nil
		select {
		case w.batches <- b:
		case <-w.done:
		}
	}
	for {
		select {
		case <-w.done:
			return
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			select {
			case w.errs <- err:
			default: // nobody reads errors: drop rather than block the watch
			}
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			changed := w.event(ev)
			if len(changed) == 0 {
				continue
			}
			if len(pending) == 0 {
				first = time.Now()
				max = time.After(w.opt.MaxWait)
			}
			for _, p := range changed {
				pending[p] = true
			}
			quietTimer.Reset(w.opt.Quiet)
			quiet = quietTimer.C
		case <-quiet:
			flush()
		case <-max:
			flush()
		}
	}
}

// event turns one fsnotify event into the changed files it means.
func (w *Watcher) event(ev fsnotify.Event) []string {
	if ev.Op == fsnotify.Chmod {
		return nil // a touch or a permission change: the content is the same
	}
	rel := w.rel(ev.Name)
	if rel == "" {
		return nil
	}
	if ev.Op.Has(fsnotify.Create) {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			if w.skippedDir(rel) {
				return nil
			}
			files, err := w.addTree(ev.Name)
			if err != nil {
				select {
				case w.errs <- err:
				default:
				}
			}
			return files
		}
	}
	if w.Ignored(rel) {
		return nil
	}
	return []string{rel}
}
