#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make mutation: how strong the tests of the engine and the codec are.

No mutation tool for C is packaged for Debian 12, so this is a small one of
our own.  It reads C sources token by token (comments, strings, character
constants and preprocessor lines are never touched) and makes, inside
function bodies only, these one-token or one-statement changes:

  ror     a relational operator replaced: < <=, > >=, == != (each way)
  lcr     && and || swapped
  const   an integer constant n made n+1 and n-1 (0 only to 1)
  bool    true and false swapped
  neg     the condition of an if or while negated: if (!(c))
  del     an expression statement (a call or an assignment), a return,
          break or continue replaced by an empty block {}

What the engine logs is for people: its log calls, and the conditions of
the ifs that do nothing but log, are not mutated.

A seeded random sample of them is judged one at a time, each in a copy of
its own under the mutation build directory (never the tree, never build/):
the mutated file is compiled with the tree's flags (a mutant that does not
build under -Werror is counted apart), then the unit tests that cover the
engine and the codec run, then the simulator (the killers of
make sim-mutants: tests/sim/mutants.sh).  A mutant is killed when a test
fails, the simulator reports a violation ("seed ..." line), either crashes,
or either runs past its time limit or its memory (1 GiB).

A mutant whose object code (disassembly with relocations, data sections)
is the original's is equivalent, proven by the compiler ("trivial compiler
equivalence").  tests/mutation/equivalent.txt lists the mutants argued equivalent (same
behaviour as the original for every input): they are not counted in the
score.  Each entry is the file's base name, the function, the original
line and the mutated line (both stripped), and why, separated by " | ".

Report: <dir>/report.txt, one line per mutant, each survivor with its
diff, and the last line
  mutation: N mutants, K killed, S survived, E equivalent, B build-failed; score P%
"""
import argparse
import os
import random
import re
import resource
import shlex
import subprocess
import sys
import time

TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<char>'(?:\\.|[^'\\\n])*')
  | (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<op>->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\.\.\.|[^\s])
""", re.S | re.X)

TYPE_WORDS = {"int", "unsigned", "signed", "bool", "char", "short", "long",
              "float", "double", "void", "struct", "union", "enum", "const",
              "static", "volatile", "size_t", "ssize_t", "uint8_t", "uint16_t",
              "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t",
              "int64_t", "va_list"}
KEYWORDS = TYPE_WORDS | {"if", "else", "while", "for", "do", "switch", "case",
                         "default", "return", "break", "continue", "goto",
                         "sizeof"}
ROR = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
# What the engine logs is read by people, not by the other nodes or the
# agents: calls to its loggers (and their arguments) are not mutated;
# name_unconfirmed() logs who has not confirmed, nothing else.
NOT_MUTATED = {"elog", "elog_text", "name_unconfirmed"}
ASSIGN = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=",
          "++", "--"}


def tokens(text):
    """(kind, text, offset) of every token; preprocessor lines are one
    'pp' token (with their continuation lines)."""
    out, pos, bol = [], 0, True
    while pos < len(text):
        if bol:
            m = re.match(r"[ \t]*#(?:[^\n\\]|\\.)*", text[pos:], re.S)
            if m:
                out.append(("pp", m.group(0), pos))
                pos += len(m.group(0))
                continue
        m = TOKEN.match(text, pos)
        kind = m.lastgroup
        if kind not in ("ws", "comment"):
            out.append((kind, m.group(0), pos))
        bol = kind == "ws" and "\n" in m.group(0) or \
            (kind == "comment" and m.group(0).startswith("//"))
        pos = m.end()
    return [t for t in out if t[0] != "pp"]


def match_paren(toks, i):
    """Index of the token closing the bracket opened at toks[i]."""
    pair = {"(": ")", "[": "]", "{": "}"}[toks[i][1]]
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][1] == toks[i][1]:
            depth += 1
        elif toks[j][1] == pair:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced")


def body_ranges(toks):
    """Token index ranges [open, close] of the function bodies: a '{' at
    file scope right after a ')'."""
    out, i = [], 0
    while i < len(toks):
        if toks[i][1] == "{":
            j = match_paren(toks, i)
            if i > 0 and toks[i - 1][1] == ")":
                out.append((i, j))
            i = j + 1
        else:
            i += 1
    return out


def statement(toks, i, end):
    """If a deletable statement starts at toks[i]: the index of its ';'."""
    first = toks[i]
    if first[1] in ("return", "break", "continue"):
        pass
    elif first[0] != "ident" or first[1] in KEYWORDS:
        return None
    elif i + 1 < end and (toks[i + 1][0] == "ident" or
                          (toks[i + 1][1] == "*" and toks[i + 2][0] == "ident"
                           and toks[i + 3][1] in ("=", ";", ",", "["))):
        return None		# a declaration: "type name", "type *name ="
    depth, has_effect = 0, first[1] in ("return", "break", "continue")
    for j in range(i, end):
        t = toks[j][1]
        if t in "([{":
            if t == "(" and depth == 0:
                has_effect = True
            depth += 1
        elif t in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and t in ASSIGN:
            has_effect = True
        elif depth == 0 and t == ";":
            return j if has_effect else None
        elif depth == 0 and t == ":":
            return None		# a label
    return None


def mutants(path):
    """Every mutant of one file: dicts with the replaced span and text."""
    text = open(path).read()
    toks = tokens(text)
    out = []

    func = None

    def add(op, start, end, new):
        line = text.count("\n", 0, start) + 1
        out.append({"file": path, "line": line, "op": op, "start": start,
                    "end": end, "old": text[start:end], "new": new,
                    "func": func})

    quiet = set()		# tokens of a call to a logger: see NOT_MUTATED
    for i, (kind, t, off) in enumerate(toks):
        if kind == "ident" and t in NOT_MUTATED and toks[i + 1][1] == "(":
            quiet.update(range(i, match_paren(toks, i + 1) + 1))
    # ... and an if whose only business is to log: its condition too.
    def logs_only(body):
        return len(body) and all(j in quiet or toks[j][1] == ";" for j in body)

    for i, (kind, t, off) in enumerate(toks):
        if t == "if" and toks[i + 1][1] == "(":
            close = match_paren(toks, i + 1)
            if toks[close + 1][1] == "{":
                end = match_paren(toks, close + 1)
                body = range(close + 2, end)
            else:		# one statement: up to its ';'
                end = close + 1
                while end < len(toks) and toks[end][1] != ";":
                    end = match_paren(toks, end) + 1 if toks[end][1] in "([" \
                        else end + 1
                body = range(close + 1, end)
            if not logs_only(body):
                continue
            if toks[end + 1][1] != "else":
                quiet.update(range(i, close + 1))
            else:		# if (c) log; else log;
                k = end + 2
                if toks[k][1] == "{":
                    other = range(k + 1, match_paren(toks, k))
                else:
                    j = k
                    while toks[j][1] != ";":
                        j = match_paren(toks, j) + 1 if toks[j][1] in "([" else j + 1
                    other = range(k, j)
                if logs_only(other):
                    quiet.update(range(i, close + 1))
    for lo, hi in body_ranges(toks):
        depth, k = 0, lo - 1	# the function's name: before its '('
        while True:
            depth += {")": 1, "(": -1}.get(toks[k][1], 0)
            if depth == 0:
                break
            k -= 1
        func = toks[k - 1][1]
        starts = set()		# tokens after which a statement may start
        paren_depth = 0
        label_colon = False
        for i in range(lo, hi + 1):
            kind, t, off = toks[i]
            if t == "(":
                paren_depth += 1
            elif t == ")":
                paren_depth -= 1
            if t in ("{", "}", ";") and paren_depth == 0:
                starts.add(i)
            if t in ("if", "while", "for", "switch") and toks[i + 1][1] == "(":
                close = match_paren(toks, i + 1)
                starts.add(close)
                if t in ("if", "while") and toks[close + 1][1] != ";" \
                   and i not in quiet:
                    a, b = toks[i + 1][2] + 1, toks[close][2]
                    add("neg", a, b, "!(" + text[a:b] + ")")
            if t == "else":
                starts.add(i)
            if t in ("case", "default"):
                label_colon = True
            if t == ":" and label_colon:
                starts.add(i)
                label_colon = False
            if i in quiet:
                continue
            if t in ROR:
                add("ror", off, off + len(t), ROR[t])
            elif t in ("&&", "||"):
                add("lcr", off, off + 2, "||" if t == "&&" else "&&")
            elif t in ("true", "false"):
                add("bool", off, off + len(t), "false" if t == "true" else "true")
            elif kind == "num":
                digits = re.match(r"(0[xX][0-9a-fA-F]+|\d+)(.*)", t)
                n = int(digits.group(1), 0)
                for v in ([n + 1, n - 1] if n > 0 else [n + 1]):
                    add("const", off, off + len(t), str(v) + digits.group(2))
            if i - 1 in starts and i < hi:
                j = statement(toks, i, hi)
                if j is not None and j not in quiet:
                    add("del", off, toks[j][2] + 1, "{}")
    for m in out:	# file:line:column:operator, and the new constant
        col = m["start"] - text.rfind("\n", 0, m["start"])
        m["id"] = "%s:%d:%d:%s" % (os.path.basename(path), m["line"], col, m["op"])
        if m["op"] == "const":
            m["id"] += ":" + m["new"]
    return out


def apply(m):
    text = open(m["file"]).read()
    return text[:m["start"]] + m["new"] + text[m["end"]:]


def line_pair(m, mutated):
    """The original and the mutated line(s), stripped, for reports and
    the equivalence list."""
    text = open(m["file"]).read()
    a = text.rfind("\n", 0, m["start"]) + 1
    b = text.find("\n", m["end"])
    delta = len(m["new"]) - (m["end"] - m["start"])
    return (" ".join(text[a:b].split()),
            " ".join(mutated[a:b + delta].split()))


def load_equivalent(path):
    eq = {}
    if not os.path.exists(path):
        return eq
    for raw in open(path):
        if raw.startswith("#") or not raw.strip():
            continue
        f = [x.strip() for x in raw.split(" | ")]
        if len(f) != 5:
            sys.exit("%s: bad line (want: file | function | original | "
                     "mutated | why): %s" % (path, raw.rstrip()))
        eq[tuple(f[:4])] = f[4]
    return eq


# What a judged program may take: a mutant that leaks (the engine never
# freed) would otherwise take the shared machine's memory; it fails instead.
MEMORY_LIMIT = 1 << 30


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(cmd, timeout, cwd=None, limited=False):
    """(exit code or 'timeout', output)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           preexec_fn=limit_memory if limited else None)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", ""


def code_of(obj):
    """What an object does: its disassembly with relocations and the
    contents of its data sections, without the debug information (which
    names lines and columns a mutant moves)."""
    rc, dis = run(["objdump", "-dr", "--no-show-raw-insn", obj], 120)
    rc2, data = run(["objdump", "-s", "-j", ".rodata", "-j", ".data", obj], 120)
    if rc != 0:
        return None
    # the first lines name the file
    return "\n".join(dis.splitlines()[2:] + data.splitlines()[2:])


def obj_name(out, src):
    return os.path.join(out, "obj", src.replace("/", "_")[:-2] + ".o")


class Judge:
    """Builds the unmutated objects once; then links each mutant's
    unit tests and simulator against its own copy of one object."""

    def __init__(self, a):
        self.a = a
        self.cc = shlex.split(a.cc)
        self.cflags = shlex.split(a.cflags)
        self.sim_cflags = shlex.split(a.sim_cflags)
        self.libs = shlex.split(a.libs)
        os.makedirs(os.path.join(a.out, "obj"), exist_ok=True)
        self.unit_objs = {}
        for src in a.core_srcs + a.harness_srcs + a.tests:
            self.compile(src, obj_name(a.out, src), self.cflags)
            self.unit_objs[src] = obj_name(a.out, src)
        self.sim_objs = {}
        for src in a.sim_srcs:
            o = obj_name(a.out, "sim/" + src)
            self.compile(src, o, self.sim_cflags)
            self.sim_objs[src] = o
        # A mutated file whose original compiles to the same code with the
        # simulator's flags as with the unit tests' is compiled once.
        self.code = {}
        self.one_object = set()
        for f in a.files:
            self.code[f] = code_of(self.unit_objs[f])
            if self.code[f] is not None and \
               self.code[f] == code_of(self.sim_objs[f]):
                self.one_object.add(f)

    def compile(self, src, obj, flags, check=True):
        rc, out = run(self.cc + flags + ["-c", "-o", obj, src], 300)
        if check and rc != 0:
            sys.exit("mutation: the unmutated %s does not build:\n%s" % (src, out))
        return rc, out

    def judge(self, m, mutated, where):
        """'build-failed', 'killed (...)' or 'survived'."""
        os.makedirs(where, exist_ok=True)
        src = os.path.join(where, os.path.basename(m["file"]))
        open(src, "w").write(mutated)
        # The copy is compiled as if in the tree: its own directory first
        # for "..." includes of headers beside the original.
        inc = ["-I" + os.path.dirname(m["file"])]
        uo, so = os.path.join(where, "unit.o"), os.path.join(where, "sim.o")
        rc, out = run(self.cc + self.cflags + inc + ["-c", "-o", uo, src], 300)
        if rc != 0:
            return "build-failed", out
        # Trivial compiler equivalence: the compiler made the very code of
        # the original (an optimised-away change): equivalent, proven.
        same = code_of(uo)
        if same is not None and same == self.code[m["file"]]:
            return "equivalent (the same object code as the original)", ""
        if m["file"] in self.one_object:
            so = uo
        else:
            rc, out = run(self.cc + self.sim_cflags + inc + ["-c", "-o", so, src], 300)
            if rc != 0:
                return "build-failed", out
        core = [uo if s == m["file"] else self.unit_objs[s]
                for s in self.a.core_srcs + self.a.harness_srcs]
        for t in self.a.tests:
            exe = os.path.join(where, os.path.basename(t)[:-2])
            rc, out = run(self.cc + self.cflags + ["-o", exe, self.unit_objs[t]]
                          + core + [self.a.daemon_lib] + self.libs, 300)
            if rc != 0:
                return "build-failed", out
            rc, out = run([exe], self.a.unit_timeout, limited=True)
            if rc != 0:
                return "killed (%s %s)" % (os.path.basename(exe),
                                           "timeout" if rc == "timeout" else "failed"), out
        exe = os.path.join(where, "sim")
        objs = [so if s == m["file"] else self.sim_objs[s] for s in self.a.sim_srcs]
        rc, out = run(self.cc + self.sim_cflags + ["-o", exe] + objs, 300)
        if rc != 0:
            return "build-failed", out
        rc, out = run([exe, "-x", "-n", str(self.a.schedules)], self.a.sim_timeout,
                      limited=True)
        seed = [l for l in out.splitlines() if l.startswith("seed ")]
        if rc == "timeout":
            return "killed (sim timeout)", out
        if seed:
            return "killed (sim: %s)" % seed[0][:100], out
        if rc != 0:
            return "killed (sim exit %s)" % rc, out
        return "survived", out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--list", action="store_true", help="print every mutant, run none")
    p.add_argument("--sample", type=int, default=120)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", default="", help="these ids (space-separated) only")
    p.add_argument("--schedules", type=int, default=5000)
    p.add_argument("--unit-timeout", type=int, default=60)
    p.add_argument("--sim-timeout", type=int, default=300)
    p.add_argument("--out", default="build-mutation")
    p.add_argument("--cc", default="cc")
    p.add_argument("--cflags", default="")
    p.add_argument("--sim-cflags", default="")
    p.add_argument("--libs", default="")
    p.add_argument("--core-srcs", type=str.split, default=[])
    p.add_argument("--harness-srcs", type=str.split, default=[])
    p.add_argument("--sim-srcs", type=str.split, default=[])
    p.add_argument("--tests", type=str.split, default=[])
    p.add_argument("--daemon-lib", default="")
    p.add_argument("--equivalent", default="tests/mutation/equivalent.txt")
    a = p.parse_args()

    every = [m for f in a.files for m in mutants(f)]
    if a.list:
        for m in every:
            print("%s %r -> %r" % (m["id"], m["old"], m["new"]))
        print("mutation: %d mutants" % len(every))
        return 0
    if a.only:
        want = set(a.only.split())
        chosen = [m for m in every if m["id"] in want]
    else:
        chosen = random.Random(a.seed).sample(every, min(a.sample, len(every)))
        chosen.sort(key=lambda m: (m["file"], m["start"], m["id"]))
    eq = load_equivalent(a.equivalent)
    judge = Judge(a)
    os.makedirs(a.out, exist_ok=True)
    report = open(os.path.join(a.out, "report.txt"), "w")

    def say(s):
        print(s, flush=True)
        report.write(s + "\n")

    say("# mutation: %d of %d mutants of %s (seed %d), %d schedules each"
        % (len(chosen), len(every), " ".join(a.files), a.seed, a.schedules))
    counts = {"killed": 0, "survived": 0, "equivalent": 0, "build-failed": 0}
    t0 = time.time()
    for n, m in enumerate(chosen, 1):
        mutated = apply(m)
        old, new = line_pair(m, mutated)
        verdict, out = judge.judge(m, mutated, os.path.join(a.out, "m", str(n)))
        key = (os.path.basename(m["file"]), m["func"], old, new)
        if verdict == "survived" and key in eq:
            verdict = "equivalent (%s)" % eq[key]
        counts[verdict.split()[0]] += 1
        say("%s %d - %s %s" % ("not ok" if verdict == "survived" else "ok",
                               n, m["id"], verdict))
        if verdict == "survived":
            say("#   in %s:\n#   - %s\n#   + %s" % (m["func"], old, new))
    judged = counts["killed"] + counts["survived"]
    score = 100.0 * counts["killed"] / judged if judged else 0.0
    say("# %.0f s" % (time.time() - t0))
    say("mutation: %d mutants, %d killed, %d survived, %d equivalent, "
        "%d build-failed; score %.1f%%" % (len(chosen), counts["killed"],
                                          counts["survived"], counts["equivalent"],
                                          counts["build-failed"], score))
    return 0


if __name__ == "__main__":
    sys.exit(main())
