package render

import (
	"sync/atomic"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// fileBytes writes a file with terraform fmt's spacing.
//
// hclwrite's own pass (File.Bytes) measures the width of every token before
// an "=" with a grapheme scanner that allocates 4 KiB per token; for 1,000
// routes that was 1.4 GB and half the generator's time. Everything we
// generate is a small, known set of token kinds whose widths are their byte
// lengths (ASCII), so spacing is set here in one pass. Anything else — a
// non-ASCII key, a heredoc, an operator — goes through hclwrite unchanged,
// and TestFastFormatMatchesHCLWrite holds the two byte for byte.
func fileBytes(f *hclwrite.File) []byte {
	toks := f.BuildTokens(nil)
	if !fastFormat || !plainTokens(toks) {
		fallbackFormats.Add(1)
		return f.Bytes()
	}
	respace(toks)
	return toks.Bytes()
}

var (
	fastFormat      = true       // tests turn it off to get hclwrite's output
	fallbackFormats atomic.Int64 // files hclwrite had to format (tests read it)
)

// plainTokens reports whether respace knows every token kind in toks.
func plainTokens(toks hclwrite.Tokens) bool {
	for i, t := range toks {
		switch t.Type {
		case hclsyntax.TokenIdent:
			// "in" after an identifier is the for-expression keyword,
			// which has its own spacing rule.
			if string(t.Bytes) == "in" && i > 0 && toks[i-1].Type == hclsyntax.TokenIdent {
				return false
			}
		case hclsyntax.TokenMinus:
			// Only a negative number (-1), never a subtraction.
			if i == 0 || !negationBefore(toks[i-1].Type) {
				return false
			}
		case hclsyntax.TokenDot, hclsyntax.TokenComma, hclsyntax.TokenEqual, hclsyntax.TokenColon,
			hclsyntax.TokenOBrace, hclsyntax.TokenCBrace, hclsyntax.TokenOBrack, hclsyntax.TokenCBrack,
			hclsyntax.TokenOParen, hclsyntax.TokenCParen,
			hclsyntax.TokenOQuote, hclsyntax.TokenQuotedLit, hclsyntax.TokenCQuote,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateSeqEnd,
			hclsyntax.TokenNumberLit, hclsyntax.TokenNewline, hclsyntax.TokenComment, hclsyntax.TokenEOF,
			// Comparisons, logic and conditionals: one space on each side,
			// terraform fmt's default (the account root's adopt-or-create).
			hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual, hclsyntax.TokenOr, hclsyntax.TokenAnd, hclsyntax.TokenQuestion:
		default:
			return false
		}
		for _, b := range t.Bytes {
			if b >= 0x80 {
				return false // width would need grapheme counting
			}
		}
	}
	return true
}

func negationBefore(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenOParen, hclsyntax.TokenOBrace, hclsyntax.TokenOBrack,
		hclsyntax.TokenEqual, hclsyntax.TokenColon, hclsyntax.TokenComma:
		return true
	}
	return false
}

// line is one source line split the way terraform fmt aligns it: the lead,
// the "= value" part of a single-line attribute, and a trailing comment.
type line struct {
	lead, assign, comment hclwrite.Tokens
}

func respace(toks hclwrite.Tokens) {
	lines := splitLines(toks)
	indent(lines)
	for _, l := range lines {
		spaceWithin(l.lead)
		if len(l.assign) > 0 {
			spaceWithin(l.assign)
			l.assign[0].SpacesBefore = 1
		}
	}
	align(lines, func(l line) hclwrite.Tokens { return l.assign }, func(l line) int { return width(l.lead) })
	align(lines, func(l line) hclwrite.Tokens { return l.comment }, func(l line) int { return width(l.lead) + width(l.assign) })
}

func splitLines(toks hclwrite.Tokens) []line {
	var lines []line
	start := 0
	for i, t := range toks {
		if t.Type == hclsyntax.TokenEOF {
			toks = toks[:i]
			break
		}
		if t.Type == hclsyntax.TokenNewline || t.Type == hclsyntax.TokenComment && len(t.Bytes) > 0 && t.Bytes[len(t.Bytes)-1] == '\n' {
			lines = append(lines, cells(toks[start:i+1]))
			start = i + 1
		}
	}
	if start < len(toks) {
		lines = append(lines, cells(toks[start:]))
	}
	return lines
}

func cells(lead hclwrite.Tokens) line {
	var l line
	if n := len(lead); n > 1 && lead[n-1].Type == hclsyntax.TokenComment {
		l.comment, lead = lead[n-1:], lead[:n-1]
	}
	for i, t := range lead {
		if i > 0 && t.Type == hclsyntax.TokenEqual {
			// Only a value that closes on this line is aligned; "x = {"
			// opens a block of lines of its own.
			if brackets(lead[i:]) == 0 {
				l.assign, lead = lead[i:], lead[:i]
			}
			break
		}
	}
	l.lead = lead
	return l
}

// indent gives each line two spaces per open bracket level; a line that
// opens several brackets at once adds one level for all of them.
func indent(lines []line) {
	var open []int // brackets opened per level
	for _, l := range lines {
		if len(l.lead) == 0 {
			continue
		}
		if l.lead[0].Type == hclsyntax.TokenNewline {
			l.lead[0].SpacesBefore = 0
			continue
		}
		net := brackets(l.lead) + brackets(l.assign)
		switch {
		case net > 0:
			l.lead[0].SpacesBefore = 2 * len(open)
			open = append(open, net)
		case net < 0:
			for closed := -net; closed > 0 && len(open) > 0; {
				top := &open[len(open)-1]
				if closed < *top {
					*top -= closed
					break
				}
				closed -= *top
				open = open[:len(open)-1]
			}
			l.lead[0].SpacesBefore = 2 * len(open)
		default:
			l.lead[0].SpacesBefore = 2 * len(open)
		}
	}
}

func spaceWithin(cell hclwrite.Tokens) {
	for i := 1; i < len(cell); i++ {
		cell[i].SpacesBefore = 0
		if spaceBetween(cell[i-1], cell[i]) {
			cell[i].SpacesBefore = 1
		}
	}
}

// spaceBetween is terraform fmt's rule for the token kinds plainTokens admits.
func spaceBetween(a, b *hclwrite.Token) bool {
	switch {
	case b.Type == hclsyntax.TokenNewline:
		return false
	case a.Type == hclsyntax.TokenIdent && b.Type == hclsyntax.TokenOParen: // f(x)
		return false
	case a.Type == hclsyntax.TokenMinus: // -1 (plainTokens admits no subtraction)
		return false
	case a.Type == hclsyntax.TokenDot || b.Type == hclsyntax.TokenDot: // a.b
		return false
	case b.Type == hclsyntax.TokenComma:
		return false
	case a.Type == hclsyntax.TokenComma:
		return true
	case inTemplate(a.Type, b.Type):
		return false
	case b.Type == hclsyntax.TokenOBrack && (a.Type == hclsyntax.TokenIdent || a.Type == hclsyntax.TokenNumberLit || bracket(a) < 0): // a["k"]
		return false
	case a.Type == hclsyntax.TokenOBrace || b.Type == hclsyntax.TokenCBrace: // { a = b }, but {}
		return !(a.Type == hclsyntax.TokenOBrace && b.Type == hclsyntax.TokenCBrace)
	case a.Type == hclsyntax.TokenTemplateInterp && b.Type == hclsyntax.TokenOBrace,
		a.Type == hclsyntax.TokenCBrace && b.Type == hclsyntax.TokenTemplateSeqEnd:
		return true
	case a.Type == hclsyntax.TokenTemplateSeqEnd && b.Type == hclsyntax.TokenTemplateInterp: // "${a}${b}"
		return false
	case bracket(a) > 0 || bracket(b) < 0: // (x), [x], ${x}
		return false
	}
	return true
}

func inTemplate(a, b hclsyntax.TokenType) bool {
	return a == hclsyntax.TokenQuotedLit || a == hclsyntax.TokenOQuote ||
		b == hclsyntax.TokenQuotedLit || b == hclsyntax.TokenCQuote
}

// align lines up the first token of a cell (the "=" or a trailing comment)
// across consecutive lines that have one.
func align(lines []line, cell func(line) hclwrite.Tokens, before func(line) int) {
	for i := 0; i < len(lines); {
		if cell(lines[i]) == nil {
			i++
			continue
		}
		j, widest := i, 0
		for ; j < len(lines) && cell(lines[j]) != nil; j++ {
			widest = max(widest, before(lines[j]))
		}
		for _, l := range lines[i:j] {
			cell(l)[0].SpacesBefore = widest - before(l) + 1
		}
		i = j
	}
}

// width is the column count of a cell; plainTokens made sure it is ASCII.
func width(cell hclwrite.Tokens) int {
	n := 0
	for _, t := range cell {
		n += t.SpacesBefore + len(t.Bytes)
	}
	return n
}

func brackets(toks hclwrite.Tokens) int {
	n := 0
	for _, t := range toks {
		n += bracket(t)
	}
	return n
}

func bracket(t *hclwrite.Token) int {
	switch t.Type {
	case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp:
		return 1
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
		return -1
	}
	return 0
}
