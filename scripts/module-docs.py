#!/usr/bin/env python3
"""Regenerate the Inputs/Outputs tables in modules/*/README.md from
variables.tf and outputs.tf, between the BEGIN/END markers."""
import pathlib, re, sys

BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"

def blocks(text, kind):
    # Top-level `kind "name" {` blocks with their bodies (brace matched).
    for m in re.finditer(r'^%s "([^"]+)" \{' % kind, text, re.M):
        depth, i = 0, m.end() - 1
        while True:
            c = text[i]
            depth += c == "{"
            depth -= c == "}"
            i += 1
            if depth == 0:
                break
        yield m.group(1), text[m.end():i - 1]

def attr(body, name):
    m = re.search(r'^\s*%s\s*=\s*"((?:[^"\\]|\\.)*)"' % name, body, re.M)
    return m.group(1).replace('\\"', '"') if m else ""

def typ(body):
    m = re.search(r'^  type\s*=\s*(.+?)\n(?=  [a-z_]+\s*=|  validation|\Z)', body + "\n", re.M | re.S)
    t = " ".join(m.group(1).split()) if m else "any"
    return t if len(t) <= 60 else t[:57] + "..."

def md(s):
    return s.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")

def table(mod):
    v = (mod / "variables.tf").read_text()
    o = (mod / "outputs.tf").read_text()
    rows = ["## Inputs", "", "| name | description | type | required |", "| --- | --- | --- | --- |"]
    for name, body in blocks(v, "variable"):
        req = "no" if re.search(r"^  default\s*=", body, re.M) else "yes"
        rows.append(f"| `{name}` | {md(attr(body, 'description'))} | `{typ(body)}` | {req} |")
    rows += ["", "## Outputs", "", "| name | description |", "| --- | --- |"]
    for name, body in blocks(o, "output"):
        rows.append(f"| `{name}` | {md(attr(body, 'description'))} |")
    return "\n".join(rows)

def main():
    check = "--check" in sys.argv
    stale = []
    for mod in sorted(pathlib.Path("modules").iterdir()):
        readme = mod / "README.md"
        text = readme.read_text()
        new = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), BEGIN + "\n" + table(mod) + "\n" + END, text, flags=re.S)
        if new != text:
            stale.append(str(readme))
            if not check:
                readme.write_text(new)
    if check and stale:
        print("out of date (run scripts/module-docs.py):", *stale)
        sys.exit(1)

main()
