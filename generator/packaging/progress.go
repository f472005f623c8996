package packaging

import (
	"fmt"
	"time"
)

// progress reports builds as they finish: one line per build run (its
// time and size), and, on a terminal, a live "building i/n" line that the
// next line overwrites.
type progress struct {
	opt   Options
	total int
	n     int
}

func newProgress(opt Options, total int) *progress {
	p := &progress{opt: opt, total: total}
	p.draw()
	return p
}

func (p *progress) draw() {
	if p.opt.Progress && p.total > 0 && p.n < p.total {
		fmt.Fprintf(p.opt.Log, "\r\033[Kbuilding handlers: %d/%d done", p.n, p.total)
	}
}

func (p *progress) clear() {
	if p.opt.Progress && p.total > 0 {
		fmt.Fprint(p.opt.Log, "\r\033[K")
	}
}

// done is called, serialised, as each build ends.
func (p *progress) done(g *buildGroup, b buildResult, err error, took time.Duration) {
	p.clear()
	p.n++
	if err != nil {
		fmt.Fprintf(p.opt.Log, "build %s (%s) FAILED\n", g.source, g.arch)
	} else {
		fmt.Fprintf(p.opt.Log, "built %s (%s) in %s: %s, %d %s\n", g.source, g.arch, took.Round(10*time.Millisecond), size(b.Size), len(g.members), plural(len(g.members), "function"))
	}
	p.draw()
}

func (p *progress) finish() { p.clear() }
