#!/usr/bin/env python3
"""Generate the redlint directive catalogs (rules/catalog/*.toml) from the
upstream Redis and Valkey git histories.

Usage:
    python3 scripts/gen_catalog.py --redis-git DIR --valkey-git DIR [--out rules/catalog]
    python3 scripts/gen_catalog.py --from-binary SERVER --base CATALOG [--out rules/catalog]
    python3 scripts/gen_catalog.py --compare REFDIR [--out rules/catalog]

DIR is a (bare or non-bare) git directory; files are read with
`git --git-dir DIR show TAG:path`, nothing is checked out.

Only the Python 3.11 standard library is used.  The extractor reads the C
sources as text: it does not compile or run anything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tomllib

GENERATED_BY = "scripts/gen_catalog.py"

# (product, line) pairs we publish.  The newest tag of each line is used.
REDIS_LINES = ["2.8", "3.0", "3.2", "4.0", "5.0", "6.0", "6.2", "7.0", "7.2", "7.4", "8.0"]
VALKEY_LINES = ["7.2", "8.0", "8.1"]

FLAG_NAMES = ["IMMUTABLE", "SENSITIVE", "DEBUG", "MULTI_ARG", "HIDDEN", "PROTECTED",
              "DENY_LOADING", "VOLATILE", "ALIAS", "DEPRECATED"]

# Directives whose semantics are not a plain scalar; they are always typed
# "special" and only their arity is recorded.
SPECIAL_NAMES = {
    "include", "rename-command", "user", "loadmodule", "sentinel", "save", "bind",
    "slaveof", "replicaof", "client-output-buffer-limit", "notify-keyspace-events",
    "oom-score-adj-values", "dir", "logfile", "requirepass",
    "latency-tracking-info-percentiles",
}

# ---------------------------------------------------------------------------
# git access


class Repo:
    def __init__(self, gitdir: str):
        self.gitdir = gitdir
        self._cache: dict[tuple[str, str], str | None] = {}

    def git(self, *args: str) -> str:
        r = subprocess.run(["git", "--git-dir", self.gitdir, *args],
                           capture_output=True, text=True, errors="replace")
        if r.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def tags(self) -> list[str]:
        return self.git("tag", "--list").split()

    def commit(self, tag: str) -> str:
        return self.git("rev-parse", tag + "^{commit}").strip()

    def show(self, tag: str, path: str) -> str | None:
        key = (tag, path)
        if key not in self._cache:
            r = subprocess.run(["git", "--git-dir", self.gitdir, "show", f"{tag}:{path}"],
                               capture_output=True, text=True, errors="replace")
            self._cache[key] = r.stdout if r.returncode == 0 else None
        return self._cache[key]

    def ls(self, tag: str, path: str) -> list[str]:
        try:
            out = self.git("ls-tree", "--name-only", f"{tag}:{path}")
        except RuntimeError:
            return []
        return out.split()

    def cat_many(self, tag: str, paths: list[str]) -> dict[str, str]:
        """Read many blobs with one `git cat-file --batch` call."""
        if not paths:
            return {}
        inp = "".join(f"{tag}:{p}\n" for p in paths).encode()
        r = subprocess.run(["git", "--git-dir", self.gitdir, "cat-file", "--batch"],
                           input=inp, capture_output=True, check=True)
        out = r.stdout
        res: dict[str, str] = {}
        pos = 0
        for p in paths:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].decode()
            pos = nl + 1
            if header.endswith("missing"):
                continue
            size = int(header.split()[2])
            res[p] = out[pos:pos + size].decode("utf-8", "replace")
            pos += size + 1
        return res


def _vkey(tag: str):
    """Sort key for tags like 7.0.15, 7.0-rc1, 8.0-m01."""
    m = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:-(rc|m)(\d+))?", tag)
    if not m:
        return None
    major, minor, patch, pre, pren = m.groups()
    # GA > rc > milestone
    if pre is None:
        rank = (3, int(patch or 0), 0)
    elif pre == "rc":
        rank = (1, 0, int(pren))
    else:
        rank = (0, 0, int(pren))
    return (int(major), int(minor), rank)


def newest_tag(tags: list[str], line: str) -> str | None:
    """Newest tag of a major.minor line: the highest GA patch release, else
    the highest release candidate, else the highest milestone."""
    major, minor = (int(x) for x in line.split("."))
    best = None
    for t in tags:
        k = _vkey(t)
        if k is None or (k[0], k[1]) != (major, minor):
            continue
        if best is None or k > best[0]:
            best = (k, t)
    return best[1] if best else None


# ---------------------------------------------------------------------------
# C text helpers


def strip_comments(src: str) -> str:
    """Remove /* */ and // comments, keeping string and char literals."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                elif src[j] == "\n":
                    break
                j += 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                j = n
            # keep line structure
            out.append("\n" * src.count("\n", i, j + 2) or " ")
            i = j + 2
        elif src.startswith("//", i):
            j = src.find("\n", i)
            if j < 0:
                j = n
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def match_paren(s: str, i: int, open_c: str = "(", close_c: str = ")") -> int:
    """Index of the bracket closing the one at s[i] (skipping string literals)."""
    assert s[i] == open_c, (s[i:i + 40])
    depth = 0
    j = i
    n = len(s)
    while j < n:
        c = s[j]
        if c == '"' or c == "'":
            k = j + 1
            while k < n and s[k] != c:
                if s[k] == "\\":
                    k += 1
                k += 1
            j = k
        elif c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError("unbalanced")


def split_args(s: str) -> list[str]:
    """Split a C argument list at top-level commas."""
    args, depth, cur, i = [], 0, [], 0
    while i < len(s):
        c = s[i]
        if c in "\"'":
            k = i + 1
            while k < len(s) and s[k] != c:
                if s[k] == "\\":
                    k += 1
                k += 1
            cur.append(s[i:k + 1])
            i = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        args.append("".join(cur).strip())
    return args


def c_string_value(expr: str) -> str | None:
    """Concatenated value of adjacent C string literals, or None."""
    expr = expr.strip()
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', expr)
    if not parts or re.sub(r'"((?:[^"\\]|\\.)*)"', "", expr).strip():
        return None
    s = "".join(parts)
    return bytes(s, "utf-8").decode("unicode_escape")


def func_body(src: str, signature_re: str) -> str | None:
    m = re.search(signature_re, src, re.M)
    if not m:
        return None
    i = src.index("{", m.end() - 1 if src[m.end() - 1] == "{" else m.end())
    try:
        return src[i:match_paren(src, i, "{", "}") + 1]
    except ValueError:
        # bodies using brace-unbalanced macros: up to the next column-0 "}"
        j = src.find("\n}", i)
        return src[i:j + 2 if j >= 0 else len(src)]


# ---------------------------------------------------------------------------
# constant expression evaluation

LIMITS = {
    "INT_MAX": 2**31 - 1, "INT_MIN": -2**31, "UINT_MAX": 2**32 - 1,
    "LONG_MAX": 2**63 - 1, "LONG_MIN": -2**63, "ULONG_MAX": 2**64 - 1,
    "LLONG_MAX": 2**63 - 1, "LLONG_MIN": -2**63, "ULLONG_MAX": 2**64 - 1,
    "SIZE_MAX": 2**64 - 1, "SSIZE_MAX": 2**63 - 1, "LONG_LONG_MAX": 2**63 - 1,
    "UINT32_MAX": 2**32 - 1, "INT32_MAX": 2**31 - 1, "UINT64_MAX": 2**64 - 1,
    "INT64_MAX": 2**63 - 1, "NULL": 0, "true": 1, "false": 0,
    # syslog facilities (values from <syslog.h>, only used to map enum defaults)
    "LOG_USER": 8, "LOG_LOCAL0": 128, "LOG_LOCAL1": 136, "LOG_LOCAL2": 144,
    "LOG_LOCAL3": 152, "LOG_LOCAL4": 160, "LOG_LOCAL5": 168, "LOG_LOCAL6": 176,
    "LOG_LOCAL7": 184,
}


def collect_defines(*sources: str | None) -> dict[str, str]:
    defs: dict[str, str] = {}
    for src in sources:
        if not src:
            continue
        text = strip_comments(src).replace("\\\n", " ")
        for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])[ \t]*(.*)$", text, re.M):
            name, val = m.group(1), m.group(2).strip()
            if val and name not in defs:
                defs[name] = val
    return defs


class Evaluator:
    def __init__(self, defines: dict[str, str]):
        self.defines = defines

    def expand(self, expr: str, depth: int = 0) -> str:
        if depth > 20:
            raise ValueError("recursion")

        def rep(m):
            name = m.group(0)
            if name in LIMITS:
                return str(LIMITS[name])
            if name in self.defines:
                return "(" + self.expand(self.defines[name], depth + 1) + ")"
            return name
        return re.sub(r"\b[A-Za-z_]\w*\b", rep, expr)

    def eval(self, expr: str):
        """Integer value of a C constant expression, or None."""
        try:
            e = self.expand(expr)
        except ValueError:
            return None
        # casts
        e = re.sub(r"\(\s*(?:unsigned|signed|long|int|short|char|size_t|ssize_t|time_t|off_t|mode_t|"
                   r"uint\d+_t|int\d+_t|const|\s)+\s*\)", "", e)
        e = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])\b", r"\1", e)
        e = re.sub(r"\b0([0-7]+)\b", r"0o\1", e)
        e = e.replace("/", "//").replace("&&", " and ").replace("||", " or ")
        e = re.sub(r"!(?!=)", " not ", e)
        if re.search(r"[A-Za-z_]\w*", re.sub(r"0[xXoO][0-9a-fA-F]+|\b(and|or|not)\b", "", e)):
            return None
        try:
            v = eval(e, {"__builtins__": {}}, {})  # noqa: S307 - digits and operators only
        except Exception:
            return None
        if isinstance(v, bool):
            v = int(v)
        return v if isinstance(v, int) else None

    def string(self, expr: str, depth: int = 0):
        """String value of a literal or a macro naming one; None if not a string."""
        expr = expr.strip()
        while expr.startswith("(") and expr.endswith(")"):
            expr = expr[1:-1].strip()
        m = re.fullmatch(r"(?:zstrdup|sdsnew)\((.*)\)", expr)
        if m:
            expr = m.group(1).strip()
        v = c_string_value(expr)
        if v is not None:
            return v
        if depth < 10 and re.fullmatch(r"[A-Za-z_]\w*", expr) and expr in self.defines:
            return self.string(self.defines[expr], depth + 1)
        return None


# ---------------------------------------------------------------------------
# the per-version source bundle


class Sources:
    def __init__(self, repo: Repo, tag: str, product: str):
        self.repo, self.tag, self.product = repo, tag, product
        self.commit = repo.commit(tag)
        self.config_c = repo.show(tag, "src/config.c") or ""
        self.server_h = repo.show(tag, "src/server.h") or repo.show(tag, "src/redis.h") or ""
        self.server_c = repo.show(tag, "src/server.c") or repo.show(tag, "src/redis.c") or ""
        self.sentinel_c = repo.show(tag, "src/sentinel.c") or ""
        self.acl_c = repo.show(tag, "src/acl.c") or ""
        extra = [repo.show(tag, f"src/{f}") for f in
                 ("config.h", "cluster.h", "cluster_legacy.h", "stream.h", "version.h",
                  "networking.h", "io_threads.h", "connection.h", "latency.h")]
        self.defines = collect_defines(self.config_c, self.server_h, *extra, self.server_c)
        self.ev = Evaluator(self.defines)
        self.cfg = strip_comments(self.config_c)


# ---------------------------------------------------------------------------
# enum tables


def enum_tables(cfg: str) -> dict[str, list[tuple[str, str]]]:
    """configEnum NAME[] = { {"name", VALUE}, ... } (also other struct arrays
    whose entries start with a string literal)."""
    tables = {}
    for m in re.finditer(r"\b(\w+)\s*\[\s*\]\s*=\s*\{", cfg):
        i = m.end() - 1
        try:
            body = cfg[i + 1:match_paren(cfg, i, "{", "}")]
        except ValueError:
            continue
        entries = re.findall(r'\{\s*"([^"]*)"\s*,\s*([^}]*?)\s*\}', body)
        if entries:
            tables[m.group(1)] = entries
    return tables


def enum_default_name(ev: Evaluator, entries, default_expr: str, bitflags: bool):
    d = default_expr.strip()
    for name, val in entries:
        if val.strip() == d:
            return name
    dv = ev.eval(d)
    if dv is None:
        return None
    for name, val in entries:
        if ev.eval(val) == dv:
            return name
    if bitflags:
        names = [name for name, val in entries if (ev.eval(val) or 0) and (dv & ev.eval(val)) == ev.eval(val)]
        return " ".join(names) if names else None
    return None


# ---------------------------------------------------------------------------
# 6.0+: the standardConfig table


def macro_params(cfg: str) -> dict[str, list[str]]:
    res = {}
    for m in re.finditer(r"#define\s+(create\w+Config)\(([^)]*)\)", cfg):
        res[m.group(1)] = [p.strip() for p in m.group(2).split(",")]
    return res


def parse_flags(expr: str) -> list[str]:
    out = []
    for tok in re.findall(r"\b([A-Z_]+)_CONFIG\b", expr):
        if tok == "MODIFIABLE":
            continue
        if tok not in out:
            out.append(tok)
    return out


NUMERIC_MACROS = {
    "createIntConfig", "createUIntConfig", "createLongConfig", "createULongConfig",
    "createLongLongConfig", "createULongLongConfig", "createSizeTConfig", "createSSizeTConfig",
    "createTimeTConfig", "createOffTConfig",
}


def extract_table(src: Sources) -> dict[str, dict]:
    cfg = src.cfg
    m = re.search(r"standardConfig\s+(?:static_)?configs\s*\[\s*\]\s*=\s*\{", cfg)
    if not m:
        return {}
    start = m.end() - 1
    body = cfg[start + 1:match_paren(cfg, start, "{", "}")]
    params = macro_params(cfg)
    enums = enum_tables(cfg)
    ev = src.ev
    out: dict[str, dict] = {}
    cond_stack: list[str] = []
    i = 0
    lines = body.split("\n")
    # Walk the body line by line for preprocessor state, and call by call for entries.
    text = ""
    offsets = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    text = body
    # positions of preprocessor lines
    pp = [(offsets[k], ln.strip()) for k, ln in enumerate(lines) if ln.strip().startswith("#")]
    pp_i = 0
    for cm in re.finditer(r"\b(create\w+Config)\s*\(", text):
        while pp_i < len(pp) and pp[pp_i][0] < cm.start():
            d = pp[pp_i][1]
            mm = re.match(r"#\s*(ifdef|ifndef|if|else|elif|endif)\b\s*(.*)", d)
            if mm:
                kw, rest = mm.groups()
                if kw == "ifdef":
                    cond_stack.append(rest.strip())
                elif kw == "ifndef":
                    cond_stack.append("!" + rest.strip())
                elif kw == "if":
                    cond_stack.append(rest.strip())
                elif kw in ("else", "elif"):
                    if cond_stack:
                        c = cond_stack.pop()
                        cond_stack.append(("!" + c) if kw == "else" else rest.strip())
                elif kw == "endif" and cond_stack:
                    cond_stack.pop()
            pp_i += 1
        macro = cm.group(1)
        op = cm.end() - 1
        if text[:cm.start()].rstrip().endswith("define"):
            continue
        args = split_args(text[op + 1:match_paren(text, op)])
        names = params.get(macro)
        if not names or len(names) != len(args):
            raise RuntimeError(f"{src.tag}: cannot map arguments of {macro}: {args}")
        a = dict(zip(names, args))
        name = c_string_value(a["name"])
        alias = c_string_value(a["alias"]) if a["alias"] != "NULL" else None
        fl_expr = a.get("flags", a.get("modifiable", ""))
        flags = parse_flags(fl_expr)
        if fl_expr.strip() in ("1",):
            flags = []
        if fl_expr.strip() in ("0",):
            flags = ["IMMUTABLE"]
        d: dict = {"aliases": [alias] if alias else []}
        valid = a.get("is_valid")
        if macro == "createBoolConfig":
            d["type"] = "bool"
            v = ev.eval(a["default"])
            d["default"] = "yes" if v else "no"
        elif macro in ("createStringConfig", "createSDSConfig"):
            d["type"] = "string"
            if a["default"].strip() == "NULL":
                d["default_is_null"] = True
            else:
                s = ev.string(a["default"])
                if s is None:
                    raise RuntimeError(f"{src.tag}: string default of {name}: {a['default']}")
                d["default"] = s
            if "EMPTY_STRING_IS_NULL" in a["empty_to_null"]:
                d["empty_string"] = "null"
            elif "ALLOW_EMPTY_STRING" in a["empty_to_null"]:
                d["empty_string"] = "allowed"
        elif macro == "createEnumConfig":
            d["type"] = "enum"
            entries = enums.get(a["enum"].strip())
            if entries is None:
                raise RuntimeError(f"{src.tag}: enum table {a['enum']}")
            d["enum_values"] = [e[0] for e in entries]
            bitflags = "MULTI_ARG" in flags
            if bitflags:
                d["enum_bitflags"] = True
            dn = enum_default_name(ev, entries, a["default"], bitflags)
            if dn is None:
                raise RuntimeError(f"{src.tag}: enum default of {name}: {a['default']}")
            d["default"] = dn
        elif macro in NUMERIC_MACROS:
            nf = a.get("num_conf_flags", a.get("memory", ""))
            if "PERCENT_CONFIG" in nf:
                d["type"] = "memory-or-percent"
            elif "MEMORY_CONFIG" in nf or nf.strip() == "1":
                d["type"] = "memory"
            elif "OCTAL_CONFIG" in nf:
                d["type"] = "octal"
            else:
                d["type"] = "int"
            for key, pname in (("min", "lower"), ("max", "upper"), ("default", "default")):
                v = ev.eval(a[pname])
                if v is None:
                    raise RuntimeError(f"{src.tag}: cannot evaluate {pname} of {name}: {a[pname]}")
                d[key] = v
            d["default"] = str(d["default"])
        elif macro == "createSpecialConfig":
            d["type"] = "special"
        else:
            raise RuntimeError(f"{src.tag}: unknown macro {macro}")
        d["args"] = "variadic" if "MULTI_ARG" in flags else 1
        if alias:
            # 7.0+ registers the alias as a second entry flagged ALIAS_CONFIG;
            # the alias itself is not a separate directive here.
            pass
        d["flags"] = flags
        if cond_stack:
            d["conditional"] = " && ".join(cond_stack)
        if valid and valid.strip() != "NULL":
            d["validator"] = valid.strip()
        d["_source"] = "table"
        out[name] = d
    return out


def extract_deprecated(src: Sources) -> dict[str, dict]:
    out = {}
    m = re.search(r"deprecatedConfig\s+deprecated_configs\s*\[\s*\]\s*=\s*\{", src.cfg)
    if not m:
        return out
    i = m.end() - 1
    body = src.cfg[i + 1:match_paren(src.cfg, i, "{", "}")]
    for name, lo, hi in re.findall(r'\{\s*"([^"]+)"\s*,\s*(\d+)\s*,\s*(\d+)\s*\}', body):
        d = {"aliases": [], "type": "ignored", "flags": ["DEPRECATED"], "_source": "deprecated"}
        lo, hi = int(lo), int(hi)
        if lo == hi:
            d["args"] = lo - 1
        else:
            d["args_min"] = lo - 1
        out[name] = d
    return out


# ---------------------------------------------------------------------------
# the if/else chain of loadServerConfigFromString (all versions)


def chain_branches(body: str):
    """Yield (condition, block) for every branch of the if/else chain whose
    condition compares argv[0] with a literal, or tests strchr(argv[0],'.')."""
    m = re.search(r'\bif\s*\((?=[^{;]*strcasecmp\(argv\[0\],\s*")', body)
    if not m:
        return
    i = m.start()
    n = len(body)
    while True:
        # at "if"
        p = body.index("(", i)
        q = match_paren(body, p)
        cond = body[p + 1:q]
        b = body.index("{", q)
        e = match_paren(body, b, "{", "}")
        yield cond, body[b + 1:e]
        j = e + 1
        mm = re.match(r"\s*else\s*", body[j:])
        if not mm:
            return
        j += mm.end()
        if body.startswith("if", j):
            i = j
            continue
        return  # final else


def chain_arity(cond: str, ev: Evaluator):
    """args / args_min from the argc test of a branch condition."""
    m = re.search(r"argc\s*(==|>=|>)\s*([^)&|]+)", cond)
    if not m:
        return {"args": "unchecked"}
    op, val = m.group(1), ev.eval(m.group(2))
    if val is None:
        return {"args": "unchecked"}
    if op == "==":
        return {"args": val - 1}
    if op == ">=":
        return {"args_min": val - 1}
    return {"args_min": val}


def init_assignments(src: Sources) -> dict[str, str]:
    """server.FIELD = EXPR; assignments of initServerConfig (first wins)."""
    res: dict[str, str] = {}
    srv = strip_comments(src.server_c)
    body = func_body(srv, r"^void\s+initServerConfig\s*\(\s*(?:void)?\s*\)\s*\{")
    if body is None:
        return res
    for m in re.finditer(r"server\.([\w.\[\]]+)\s*=\s*([^;=][^;]*);", body):
        # chained assignment: server.hz = server.config_hz = CONFIG_DEFAULT_HZ;
        parts = re.split(r"(?<![=!<>])=(?!=)", m.group(2))
        expr = parts[-1].strip()
        res.setdefault(m.group(1), expr)
        for p in parts[:-1]:
            pm = re.fullmatch(r"\s*server\.([\w.\[\]]+)\s*", p)
            if pm:
                res.setdefault(pm.group(1), expr)
    return res


def config_set_names(src: Sources) -> set[str]:
    """Names CONFIG SET accepts (only meaningful for the chain versions)."""
    body = func_body(src.cfg, r"^void\s+configSetCommand\s*\(\s*\w+\s*\*\s*c\s*\)\s*\{")
    if body is None:
        return set()
    names = set(re.findall(r'config_set_\w+\(\s*"([^"]+)"', body))
    names |= set(re.findall(r'strcasecmp\(c->argv\[2\]->ptr,\s*"([^"]+)"\)', body))
    return names


def chain_branch_entry(src: Sources, cond: str, block: str, enums, init) -> tuple[str, dict] | None:
    ev = src.ev
    names = re.findall(r'strcasecmp\(argv\[0\],\s*"([^"]+)"\)', cond)
    if not names:
        return None
    primary = names[-1]  # newest spelling comes last ("slaveof" || "replicaof")
    d: dict = {"aliases": [n for n in names if n != primary]}
    d.update(chain_arity(cond, ev))
    blk = block.strip()
    parsers = []
    for p in ("yesnotoi", "atoi", "memtoll", "strtoll", "strtol", "atoll", "strtoul"):
        if re.search(r"\b" + p + r"\s*\(\s*argv\[", blk):
            parsers.append(p)
    field = None
    fm = re.search(r"server\.([\w.]+)\s*=\s*(?:\([\w ]+\)\s*)?(?:yesnotoi|atoi|memtoll|strtoll|strtol|atoll|"
                   r"zstrdup|sdsnew|configEnumGetValue)\s*\(", blk)
    if fm:
        field = fm.group(1)
    errors_checked = bool(re.search(r"\berr\s*=", blk)) or "goto loaderr" in blk
    if not blk:
        d["type"] = "ignored"
        d["flags"] = ["DEPRECATED"]
        return primary, d
    coerces = bool(re.search(r"memtoll\(\s*argv\[\d\],\s*NULL\s*\)", blk))
    if primary in SPECIAL_NAMES:
        d["type"] = "special"
        if parsers:
            d["parser"] = parsers
        if coerces:
            d["unvalidated"] = True
        return primary, d
    em = re.search(r"configEnumGetValue\(\s*(\w+)\s*,\s*argv\[1\]", blk)
    lits = re.findall(r'strcasecmp\(argv\[1\],\s*"([^"]+)"\)', blk)
    tbl_ref = [t for t in re.findall(r"\b(\w+)\[\w+\]\.\w+", blk) if t in enums]
    if field is None:
        fm2 = re.search(r"server\.([\w.]+)\s*=", blk)
        field = fm2.group(1) if fm2 else None
    if "yesnotoi" in parsers:
        d["type"] = "bool"
        d["parser"] = ["yesnotoi"]
        if not re.search(r"==\s*-1", blk):
            d["unvalidated"] = True
        if field and field in init:
            v = init[field]
            iv = ev.eval(v)
            if iv is None and re.fullmatch(r"AOF_\w+", v.strip()):
                iv = 0 if v.strip() == "AOF_OFF" else 1
            if iv is not None:
                d["default"] = "yes" if iv else "no"
    elif em or len(lits) >= 2 or tbl_ref:
        d["type"] = "enum"
        if em:
            entries = enums[em.group(1)]
        elif tbl_ref:
            entries = enums[tbl_ref[0]]
        else:
            entries = []
            for lm in re.finditer(r'strcasecmp\(argv\[1\],\s*"([^"]+)"\)\s*\)\s*\{?\s*(?:server\.[\w.]+\s*=\s*([^;]+);)?', blk):
                entries.append((lm.group(1), (lm.group(2) or "").strip()))
        d["enum_values"] = [e[0] for e in entries]
        if field is None:
            fm2 = re.search(r"server\.([\w.]+)\s*=", blk)
            field = fm2.group(1) if fm2 else None
        if field and field in init:
            dn = enum_default_name(ev, entries, init[field], False)
            if dn:
                d["default"] = dn
    elif "memtoll" in parsers:
        d["type"] = "memory"
        d["parser"] = parsers
    elif "strtol" in parsers and re.search(r"strtol\(argv\[1\],\s*NULL,\s*8\)", blk):
        d["type"] = "octal"
        d["parser"] = parsers
    elif parsers:
        d["type"] = "int"
        d["parser"] = parsers
    elif re.search(r"(zstrdup|sdsnew)\(argv\[1\]\)", blk):
        d["type"] = "string"
    else:
        d["type"] = "special"
        return primary, d
    if d["type"] in ("int", "memory", "octal"):
        lo, hi = chain_bounds(blk, field, ev)
        if lo is not None:
            d["min"] = lo
        if hi is not None:
            d["max"] = hi
        if not errors_checked or coerces:
            d["unvalidated"] = True
        if field and field in init:
            v = ev.eval(init[field])
            if v is not None:
                d["default"] = str(v)
    if d["type"] == "string" and field and field not in init:
        # server is a zero-initialised global: a field initServerConfig
        # does not set starts as NULL
        d["default_is_null"] = True
    if d["type"] == "string" and field and field in init:
        v = init[field].strip()
        if v == "NULL" or (ev.string(v) is None and ev.eval(v) == 0):
            d["default_is_null"] = True
        else:
            s = ev.string(v)
            if s is not None:
                d["default"] = s
    return primary, d


def chain_bounds(blk: str, field: str | None, ev: Evaluator):
    """Bounds from error-guarded comparisons: if (x < 0 || x > 65535) err = ..."""
    lo = hi = None
    targets = []
    if field:
        targets.append(r"server\." + re.escape(field))
    for lm in re.finditer(r"\b(?:int|long|long long)\s+(\w+)\s*=\s*(?:atoi|strtol|strtoll|memtoll)\(argv\[1\]", blk):
        targets.append(r"\b" + lm.group(1))
    if not targets:
        return None, None
    tgt = "(?:" + "|".join(targets) + ")"
    for im in re.finditer(r"\bif\s*\(", blk):
        p = im.end() - 1
        try:
            q = match_paren(blk, p)
        except ValueError:
            continue
        cond = blk[p + 1:q]
        after = blk[q + 1:q + 200]
        if not re.match(r"\s*\{?\s*(err\s*=|goto loaderr)", after):
            continue
        for cm in re.finditer(tgt + r"\s*(<=|>=|<|>)\s*(-?[\w*+ ()]+?)\s*(?=\|\||&&|$|\))", cond):
            op, val = cm.group(1), ev.eval(cm.group(2))
            if val is None:
                continue
            if op == "<":
                lo = val
            elif op == "<=":
                lo = val + 1
            elif op == ">":
                hi = val
            elif op == ">=":
                hi = val - 1
    return lo, hi


def extract_chain(src: Sources, table: dict) -> tuple[dict[str, dict], bool]:
    body = func_body(src.cfg, r"^void\s+loadServerConfigFromString\s*\(\s*char\s*\*\s*\w+\s*\)\s*\{")
    if body is None:
        raise RuntimeError(f"{src.tag}: loadServerConfigFromString not found")
    enums = enum_tables(src.cfg)
    init = init_assignments(src)
    out: dict[str, dict] = {}
    dot = False
    for cond, block in chain_branches(body):
        if re.search(r"strchr\(argv\[0\],\s*'\.'\)", cond):
            dot = True
            continue
        r = chain_branch_entry(src, cond, block, enums, init)
        if r is None:
            continue
        name, d = r
        d["_source"] = "chain"
        if name in out:  # same name twice (different arities): merge
            continue
        out[name] = d
    if not table:
        settable = config_set_names(src)
        for name, d in out.items():
            if d["type"] in ("ignored",) or name in ("include", "rename-command", "user",
                                                     "loadmodule", "sentinel"):
                continue
            if not ({name, *d["aliases"]} & settable):
                d.setdefault("flags", []).append("IMMUTABLE")
    return out, dot


# ---------------------------------------------------------------------------
# sentinel sub-directives


def extract_sentinel(src: Sources) -> dict[str, dict]:
    s = strip_comments(src.sentinel_c)
    body = func_body(s, r"^(?:const\s+)?char\s*\*\s*sentinelHandleConfiguration\s*\([^)]*\)\s*\{")
    out: dict[str, dict] = {}
    if body is None:
        return out
    for cond, block in chain_branches(body):
        names = re.findall(r'strcasecmp\(argv\[0\],\s*"([^"]+)"\)', cond)
        if not names:
            continue
        tests = re.findall(r"argc\s*(==|>=|>|<=|<)\s*(\d+)", cond)
        argc = " or ".join(op + v for op, v in tests) if tests else "any"
        # prefer the newest spelling as primary (known-slave || known-replica)
        primary = names[-1] if any("replica" in n for n in names) else names[0]
        d = {}
        al = [n for n in names if n != primary]
        if al:
            d["aliases"] = al
        d["argc_including_keyword"] = argc
        errs = []
        for em in re.finditer(r'return\s+((?:"(?:[^"\\]|\\.)*"\s*)+);', block):
            e = c_string_value(em.group(1))
            if e and e not in errs:
                errs.append(e)
        if errs:
            d["errors"] = errs
        if primary in out:
            prev = out[primary]
            prev["argc_including_keyword"] += " or " + argc
            continue
        out[primary] = d
    return out


# ---------------------------------------------------------------------------
# command names and ACL categories


def extract_commands(src: Sources) -> list[str]:
    repo, tag = src.repo, src.tag
    files = [f for f in repo.ls(tag, "src/commands") if f.endswith(".json")]
    names = set()
    if files:
        blobs = repo.cat_many(tag, [f"src/commands/{f}" for f in files])
        for path, text in blobs.items():
            try:
                doc = json.loads(text)
            except json.JSONDecodeError:
                continue
            for cname, spec in doc.items():
                if not isinstance(spec, dict) or "container" in spec:
                    continue
                if "ONLY_SENTINEL" in spec.get("command_flags", []):
                    continue
                names.add(cname.lower())
        return sorted(names)
    srv = strip_comments(src.server_c)
    m = re.search(r"struct\s+redisCommand\s+redisCommandTable\s*\[\s*\]\s*=\s*\{", srv)
    if not m:
        return []
    i = m.end() - 1
    body = srv[i + 1:match_paren(srv, i, "{", "}")]
    for cm in re.finditer(r'\{\s*"([^"]+)"\s*,\s*\w+', body):
        names.add(cm.group(1).lower())
    return sorted(names)


def acl_category_table(src: Sources) -> list[tuple[str, str]] | None:
    """(name, C constant) pairs of the built-in ACL category table in acl.c,
    e.g. ("keyspace", "ACL_CATEGORY_KEYSPACE") (CMD_CATEGORY_... in 6.x)."""
    acl = strip_comments(src.acl_c)
    m = re.search(r"\}\s*ACL\w*CommandCategories\s*\[\s*\]\s*=\s*\{", acl)
    if not m:
        return None
    i = m.end() - 1
    body = acl[i + 1:match_paren(acl, i, "{", "}")]
    return re.findall(r'\{\s*"([^"]+)"\s*,\s*(\w+)\s*\}', body)


def extract_acl_categories(src: Sources) -> list[str] | None:
    table = acl_category_table(src)
    return None if table is None else [n for n, _ in table]


# ---------------------------------------------------------------------------
# per-command ACL categories (6.0+), subcommands and their categories (7.0+)
#
# A command's categories are its explicit ones (6.x: the "@cat" words of the
# sflags string of redisCommandTable; 7.0+: "acl_categories" of its JSON file)
# plus the implicit ones the server derives from the command flags.  The
# implicit rules are read from the source of each tag, not hard-coded:
#   6.x   populateCommandTableParseFlags (server.c): the CMD_CATEGORY_* bits set
#         by each flag word ("write" -> write, "admin" -> admin dangerous, ...),
#         then its trailing if-statements (not fast -> slow);
#   7.0+  setImplicitACLCategories (server.c): a sequence of
#         "if (COND) c->acl_categories |= CATS;" where COND tests command flags
#         (c->flags & CMD_X) and/or categories (!(c->acl_categories & ...)).
# The rules are applied in source order, like the server does.


def _cat_const_map(src: Sources) -> dict[str, str]:
    table = acl_category_table(src) or []
    return {const: name for name, const in table}


def _parse_cond(cond: str, catmap: dict[str, str]):
    """Parse a conjunction of flag/category tests.  Returns a list of
    (kind, name, negated) with kind "flag" (CMD_X -> X) or "cat", or None
    when the condition has another shape."""
    terms = []
    for t in re.split(r"&&", cond):
        t = t.strip()
        neg = False
        m = re.fullmatch(r"!\s*\((.*)\)", t)
        if m:
            neg, t = True, m.group(1).strip()
        m = re.fullmatch(r"\(?\s*c->(flags|acl_categories)\s*&\s*(\w+)\s*\)?", t)
        if not m:
            return None
        const = m.group(2)
        if const in catmap:
            terms.append(("cat", catmap[const], neg))
        elif const.startswith("CMD_"):
            terms.append(("flag", const[4:], neg))
        else:
            return None
    return terms


def _cats_of(expr: str, catmap: dict[str, str]) -> set[str]:
    return {catmap[t] for t in re.findall(r"\w+", expr) if t in catmap}


def implicit_acl_rules(src: Sources, catmap: dict[str, str]):
    """Returns (word_rules, rules).  word_rules (6.x only): sflags word ->
    categories it sets; rules: ordered list of (conditions, categories)."""
    srv = strip_comments(src.server_c)
    body = func_body(srv, r"^\w[\w\s\*]*\bsetImplicitACLCategories\s*\([^)]*\)\s*\{")
    six = body is None
    if six:
        body = func_body(srv, r"^int\s+populateCommandTableParseFlags\s*\([^)]*\)\s*\{")
    if body is None:
        raise RuntimeError(f"{src.tag}: no setImplicitACLCategories/populateCommandTableParseFlags")
    word_rules: dict[str, set[str]] = {}
    rules = []
    for m in re.finditer(r"\bif\s*\(", body):
        o = m.end() - 1
        c = match_paren(body, o)
        cond = body[o + 1:c]
        act = re.match(r"\s*\{?\s*c->(?:flags|acl_categories)\s*\|=\s*([^;]+);", body[c + 1:])
        if six and "strcasecmp" in cond:
            w = re.search(r'strcasecmp\(\s*flag\s*,\s*"([^"]+)"\s*\)', cond)
            if not w or not act:
                raise RuntimeError(f"{src.tag}: unexpected flag branch {cond!r}")
            word_rules[w.group(1).lower()] = _cats_of(act.group(1), catmap)
            continue
        if six and "flag[0]" in cond:
            continue  # the "@category" words, handled as explicit categories
        if not act:
            continue
        terms = _parse_cond(cond, catmap)
        cats = _cats_of(act.group(1), catmap)
        if terms is None or not cats:
            raise RuntimeError(f"{src.tag}: cannot interpret implicit ACL rule "
                               f"if ({cond.strip()}) ... |= {act.group(1).strip()}")
        rules.append((terms, cats))
    if not rules or not any("slow" in cats for _, cats in rules):
        raise RuntimeError(f"{src.tag}: implicit ACL rules not found (no @slow rule)")
    if six and not word_rules:
        raise RuntimeError(f"{src.tag}: no flag words in populateCommandTableParseFlags")
    return word_rules, rules


def _apply_rules(rules, flags: set[str], cats: set[str]) -> set[str]:
    cats = set(cats)
    for terms, add in rules:
        ok = True
        for kind, name, neg in terms:
            have = (name in flags) if kind == "flag" else (name in cats)
            if have == neg:
                ok = False
                break
        if ok:
            cats |= add
    return cats


def _command_jsons(src: Sources) -> list[tuple[str, dict]]:
    """(name, spec) of every command in src/commands/*.json (7.0+), sorted."""
    repo, tag = src.repo, src.tag
    files = [f for f in repo.ls(tag, "src/commands") if f.endswith(".json")]
    out = []
    for path, text in sorted(repo.cat_many(tag, [f"src/commands/{f}" for f in files]).items()):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            continue
        for cname, spec in doc.items():
            if isinstance(spec, dict):
                out.append((cname, spec))
    return out


def extract_command_acl(src: Sources):
    """Returns (command_categories, subcommands, subcommand_categories).
    command_categories: top-level name -> sorted categories (None before 6.0);
    subcommands: container -> sorted subcommand names and subcommand_categories:
    "container|sub" -> sorted categories (both None before 7.0)."""
    if not src.acl_c:
        return None, None, None
    catmap = _cat_const_map(src)
    names = set(catmap.values())
    word_rules, rules = implicit_acl_rules(src, catmap)
    jsons = _command_jsons(src)
    if not jsons:
        # 6.x: redisCommandTable entries {name, proc, arity, sflags, ...}
        srv = strip_comments(src.server_c)
        m = re.search(r"struct\s+redisCommand\s+redisCommandTable\s*\[\s*\]\s*=\s*\{", srv)
        i = m.end() - 1
        body = srv[i + 1:match_paren(srv, i, "{", "}")]
        res: dict[str, list[str]] = {}
        j = 0
        while (k := body.find("{", j)) >= 0:
            e = match_paren(body, k, "{", "}")
            args = split_args(body[k + 1:e])
            j = e + 1
            name, sflags = c_string_value(args[0]), c_string_value(args[3])
            if name is None or sflags is None:
                raise RuntimeError(f"{src.tag}: cannot read command table entry {args[:4]}")
            flags, cats = set(), set()
            for w in sflags.split():
                w = w.lower()
                if w.startswith("@"):
                    if w[1:] not in names:
                        raise RuntimeError(f"{src.tag}: {name}: unknown category {w}")
                    cats.add(w[1:])
                elif w in word_rules:
                    flags.add(w)
                    cats |= word_rules[w]
                else:
                    raise RuntimeError(f"{src.tag}: {name}: unknown command flag {w!r}")
            res[name.lower()] = sorted(_apply_rules(rules, flags, cats))
        return res, None, None

    def cats_of(cname, spec):
        cats = set()
        for c in spec.get("acl_categories", []):
            const = "ACL_CATEGORY_" + c.upper()
            if const not in catmap:
                raise RuntimeError(f"{src.tag}: {cname}: unknown ACL category {c}")
            cats.add(catmap[const])
        flags = {f.upper() for f in spec.get("command_flags", [])}
        return sorted(_apply_rules(rules, flags, cats))

    top: dict[str, list[str]] = {}
    subs: dict[str, list[str]] = {}
    subcats: dict[str, list[str]] = {}
    for cname, spec in jsons:
        if "ONLY_SENTINEL" in spec.get("command_flags", []):
            continue
        if "container" in spec:
            parent = spec["container"].lower()
            key = f"{parent}|{cname.lower()}"
            if key in subcats:
                raise RuntimeError(f"{src.tag}: subcommand {key} defined twice")
            subs.setdefault(parent, []).append(cname.lower())
            subcats[key] = cats_of(cname, spec)
        else:
            if cname.lower() in top:
                raise RuntimeError(f"{src.tag}: command {cname.lower()} defined twice")
            top[cname.lower()] = cats_of(cname, spec)
    # containers that are not server commands (e.g. SENTINEL, ONLY_SENTINEL)
    subs = {p: sorted(v) for p, v in sorted(subs.items()) if p in top}
    subcats = {k: v for k, v in sorted(subcats.items()) if k.split("|")[0] in top}
    return top, subs, subcats


# ---------------------------------------------------------------------------
# building one catalog


def build(repo: Repo, product: str, tag: str) -> dict:
    src = Sources(repo, tag, product)
    table = extract_table(src)
    deprecated = extract_deprecated(src)
    chain, dot = extract_chain(src, table)
    directives: dict[str, dict] = {}
    for part in (table, deprecated, chain):
        for name, d in part.items():
            if name in directives:
                continue
            directives[name] = d
    # a chain branch may only exist for an alias of a table entry: drop it
    alias_of = {a: n for n, d in directives.items() for a in d["aliases"]}
    for a in list(directives):
        if a in alias_of and directives[a].get("_source") == "chain":
            del directives[a]
    sentinel = extract_sentinel(src)
    cats = extract_acl_categories(src)
    commands = extract_commands(src)
    command_categories, subcommands, subcommand_categories = extract_command_acl(src)
    # sanity checks, so that an upstream rename fails loudly instead of
    # silently producing a thin catalog
    if src.acl_c and not cats:
        raise RuntimeError(f"{tag}: acl.c present but no ACL category table found")
    if len(commands) < 100:
        raise RuntimeError(f"{tag}: only {len(commands)} commands found")
    if command_categories is not None and sorted(command_categories) != commands:
        diff = sorted(set(command_categories) ^ set(commands))
        raise RuntimeError(f"{tag}: command_categories and [commands] names differ: {diff}")
    if subcommands is not None and len(subcommands) < 5:
        raise RuntimeError(f"{tag}: only {len(subcommands)} container commands found")
    if subcommands is not None:
        want = {f"{p}|{s}" for p, subs in subcommands.items() for s in subs}
        if want != set(subcommand_categories or {}):
            diff = sorted(want ^ set(subcommand_categories or {}))
            raise RuntimeError(f"{tag}: subcommand_categories and [subcommands] differ: {diff}")
        empty = [k for k, v in subcommand_categories.items() if not v]
        if empty:
            raise RuntimeError(f"{tag}: subcommands without any ACL category: {empty}")
    if not sentinel:
        raise RuntimeError(f"{tag}: no sentinel sub-directives found")
    for must in ("include", "rename-command", "save", "bind", "maxmemory", "port"):
        if must not in directives:
            raise RuntimeError(f"{tag}: directive {must} not found")
    meta = {
        "product": product,
        "version": tag,
        "source_ref": f"{'redis/redis' if product == 'redis' else 'valkey-io/valkey'} tag {tag} (commit {src.commit})",
        "has_standard_config_table": bool(table),
        "module_config_names_with_dot": dot,
        "directive_count": len(directives),
        "alias_count": sum(len(d["aliases"]) for d in directives.values()),
        "generated_by": GENERATED_BY,
    }
    return {"meta": meta, "directive": directives, "sentinel": sentinel,
            "commands": commands, "acl_categories": cats,
            "command_categories": command_categories, "subcommands": subcommands,
            "subcommand_categories": subcommand_categories}


# ---------------------------------------------------------------------------
# TOML output

SOURCE_INTRO = """\
# GENERATED FILE - do not edit by hand.
# Generated by: python3 scripts/gen_catalog.py --redis-git DIR --valkey-git DIR
# from the upstream sources (src/config.c, server.h/redis.h, server.c/redis.c,
# sentinel.c, acl.c, src/commands/*.json) of the tag named in [meta].
"""

# What every field means, after the lines that say where a catalog came from.
LEGEND = """\
#
# [meta]           product, version (full tag), source_ref (repository, tag and commit),
#                  has_standard_config_table (6.0+ standardConfig table),
#                  module_config_names_with_dot (unknown "a.b" names are module configs),
#                  directive_count (primary names), alias_count, generated_by
# [directive."N"]  one table per primary directive name N (matched case-insensitively)
#   aliases        other names accepted for the same directive
#   type           bool | int | memory | memory-or-percent | octal | enum | string | special | ignored
#   args           number of values after the name; "variadic" = MULTI_ARG (the directive
#                  validates its own values); "unchecked" = the loader does not check the count
#   args_min       at least this many values (then args is absent)
#   min, max       inclusive bounds; integers, or strings when beyond the i64 range
#   default        value when the directive is absent, always a string: bool "yes"/"no",
#                  enum the value name (space-separated names for bitflag enums), numbers
#                  in decimal (octal directives too); default_is_null = true: unset (NULL)
#   enum_values    accepted enum names (case-insensitive)
#   enum_bitflags  true for MULTI_ARG enums: several names may be given and are OR-ed
#   flags          IMMUTABLE SENSITIVE DEBUG MULTI_ARG HIDDEN PROTECTED DENY_LOADING VOLATILE
#                  ALIAS DEPRECATED (standardConfig flag names without _CONFIG; without the
#                  table IMMUTABLE means "not accepted by CONFIG SET"; DEPRECATED = accepted
#                  and ignored)
#   conditional    preprocessor condition the directive depends on (e.g. USE_OPENSSL)
#   validator      name of the extra C validation function
#   empty_string   "null" when an empty value means unset; "allowed" when "" is kept as
#                  an empty string (standardConfig strings only)
#   parser         (if/else-chain branches only) C functions that parse the value
#   unvalidated    (if/else-chain branches only) true when bad input is silently coerced:
#                  the branch has no error path for the value, or it uses memtoll()
#                  without an error pointer (bad units silently give 0 / the digits)
# [sentinel."S"]   sub-directive "sentinel S ..." (sentinel mode only)
#   aliases, argc_including_keyword (argc tests, S itself counted), errors (literal texts)
# [commands]       names: every top-level command of the server's command table, lowercase
# [acl]            categories: ACL category names (6.0+), without the leading "@"
# [command_categories]  (6.0+) top-level command name (exactly the [commands] names) ->
#                  sorted ACL categories without "@", as the server computes them: the
#                  explicit ones (6.x: "@cat" words of the command table flags string;
#                  7.0+: acl_categories of src/commands/*.json) plus the implicit ones from
#                  the command flags (setImplicitACLCategories / 6.x populateCommandTable-
#                  ParseFlags: write -> write, read-only -> read (7.0+: not for @scripting),
#                  admin -> admin dangerous, pub-sub -> pubsub, fast -> fast, 7.0+:
#                  blocking -> blocking; every command without fast gets slow).  For a
#                  container command (7.0+) these are its own categories, not its subcommands'
# [subcommands]    (7.0+) container command -> sorted subcommand names, lowercase
#                  (ACL rules name them "container|sub", e.g. -config|set)
# [subcommand_categories]  (7.0+) "container|sub" (quoted, lowercase; exactly one key per
#                  [subcommands] entry) -> sorted ACL categories without "@" of that
#                  subcommand, computed like [command_categories]: acl_categories of the
#                  subcommand's own JSON file plus the implicit ones from its own command
#                  flags (the server applies setImplicitACLCategories to every subcommand;
#                  nothing is inherited from the container).  "ACL CAT <cat>" lists a
#                  subcommand under exactly these categories
"""

KEY_ORDER = ["aliases", "type", "args", "args_min", "min", "max", "default", "default_is_null",
             "enum_values", "enum_bitflags", "flags", "conditional", "validator", "empty_string",
             "parser", "unvalidated"]


def tq(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def tkey(s: str) -> str:
    """A TOML key: bare when possible, else quoted."""
    return s if re.fullmatch(r"[A-Za-z0-9_-]+", s) else tq(s)


def tv(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        if -2**63 <= v < 2**63:
            return str(v)
        return tq(str(v))
    if isinstance(v, str):
        return tq(v)
    if isinstance(v, list):
        return "[" + ", ".join(tv(x) for x in v) + "]"
    raise TypeError(v)


def render(cat: dict, intro: str = SOURCE_INTRO) -> str:
    lines = [intro + LEGEND, "[meta]"]
    for k, v in cat["meta"].items():
        lines.append(f"{k} = {tv(v)}")
    lines.append("")
    for name in sorted(cat["directive"]):
        d = cat["directive"][name]
        lines.append(f"[directive.{tq(name)}]")
        for k in KEY_ORDER:
            if k in d:
                if k == "flags":
                    d[k] = [f for f in FLAG_NAMES if f in d[k]]
                lines.append(f"{k} = {tv(d[k])}")
        lines.append("")
    for name in sorted(cat["sentinel"]):
        d = cat["sentinel"][name]
        lines.append(f"[sentinel.{tq(name)}]")
        for k in ("aliases", "argc_including_keyword", "errors"):
            if k in d:
                lines.append(f"{k} = {tv(d[k])}")
        lines.append("")
    lines.append("[commands]")
    lines.append("names = [")
    for c in cat["commands"]:
        lines.append(f"  {tq(c)},")
    lines.append("]")
    lines.append("")
    if cat["acl_categories"] is not None:
        lines.append("[acl]")
        lines.append(f"categories = {tv(cat['acl_categories'])}")
        lines.append("")
    for table in ("command_categories", "subcommands", "subcommand_categories"):
        if cat.get(table) is not None:
            lines.append(f"[{table}]")
            for name in sorted(cat[table]):
                lines.append(f"{tkey(name)} = {tv(cat[table][name])}")
            lines.append("")
    return "\n".join(lines)


def line_of(tag: str) -> str:
    m = re.match(r"(\d+)\.(\d+)", tag)
    return f"{m.group(1)}.{m.group(2)}"


def write_catalog(out: str, product: str, tag: str, text: str) -> str:
    """Write `rules/catalog/<product>-<line>.toml` once the text parses; its path."""
    tomllib.loads(text)  # self-check: the output must parse
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{product}-{line_of(tag)}.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def generate(args) -> int:
    os.makedirs(args.out, exist_ok=True)
    jobs = []
    if args.redis_git:
        repo = Repo(args.redis_git)
        tags = repo.tags()
        for ln in REDIS_LINES:
            t = newest_tag(tags, ln)
            if t:
                jobs.append(("redis", repo, t))
            else:
                print(f"redis {ln}: no tag, skipped", file=sys.stderr)
    if args.valkey_git:
        repo = Repo(args.valkey_git)
        tags = repo.tags()
        for ln in VALKEY_LINES:
            t = newest_tag(tags, ln)
            if t:
                jobs.append(("valkey", repo, t))
            else:
                print(f"valkey {ln}: no tag, skipped", file=sys.stderr)
    for product, repo, tag in jobs:
        if args.only and f"{product}-{line_of(tag)}" not in args.only:
            continue
        cat = build(repo, product, tag)
        path = write_catalog(args.out, product, tag, render(cat))
        m = cat["meta"]
        print(f"{path}: {tag} directives={m['directive_count']} aliases={m['alias_count']} "
              f"sentinel={len(cat['sentinel'])} commands={len(cat['commands'])}")
    return 0


def generate_from_binary(args) -> int:
    import catalog_probe
    out = subprocess.run([args.from_binary, "--version"], capture_output=True, text=True).stdout
    m = re.match(r"(Redis|Valkey) server v=(\d+\.\d+\.\d+)", out)
    if not m:
        raise SystemExit(f"{args.from_binary} --version: not a Redis or Valkey server: {out!r}")
    product, tag = m.group(1).lower(), m.group(2)
    with open(args.base, "rb") as f:
        base = tomllib.load(f)
    cat = catalog_probe.build_from_binary(args.from_binary, base, tag, product)
    runs = cat["meta"].pop("probe_runs")
    path = write_catalog(args.out, product, tag, render(cat, BINARY_INTRO))
    mt = cat["meta"]
    print(f"{path}: {tag} directives={mt['directive_count']} aliases={mt['alias_count']} "
          f"commands={len(cat['commands'])} ({runs} probe runs)")
    return 0


BINARY_INTRO = """\
# GENERATED FILE - do not edit by hand.
# Generated by: python3 scripts/gen_catalog.py --from-binary SERVER --base CATALOG
# from a server binary (scripts/catalog_probe.py says what is probed and what comes from
# the base catalog named in [meta] source_ref).
"""


# ---------------------------------------------------------------------------
# --compare


def norm_default(d: dict):
    if d.get("default_is_null"):
        return "<null>"
    if "default" not in d:
        return None
    v = d["default"]
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def norm_bound(v):
    return None if v is None else str(v)


COMPARE_FIELDS = ["aliases", "type", "default", "min", "max", "enum_values", "args", "args_min",
                  "enum_bitflags", "flags", "conditional", "validator", "empty_string", "parser",
                  "unvalidated"]


def compare(args) -> int:
    ours_files = {}
    for f in os.listdir(args.out):
        if f.endswith(".toml"):
            with open(os.path.join(args.out, f), "rb") as fh:
                doc = tomllib.load(fh)
            ours_files[(doc["meta"]["product"], line_of(doc["meta"]["version"]))] = (f, doc)
    total_agree = total_diff = 0
    for f in sorted(os.listdir(args.compare)):
        if not f.endswith(".toml"):
            continue
        with open(os.path.join(args.compare, f), "rb") as fh:
            ref = tomllib.load(fh)
        key = (ref["meta"]["product"], line_of(ref["meta"]["version"])) \
            if re.match(r"\d", ref["meta"]["version"]) else None
        if key not in ours_files:
            print(f"== {f}: no generated counterpart, skipped")
            continue
        of, ours = ours_files[key]
        print(f"== {f} vs {of} (ours {ours['meta']['version']}, ref {ref['meta']['version']})")
        rd, od = ref.get("directive", {}), ours.get("directive", {})
        agree = {k: 0 for k in COMPARE_FIELDS}
        differ = {k: 0 for k in COMPARE_FIELDS}
        for n in sorted(set(rd) - set(od)):
            print(f"  only in reference: {n}")
        for n in sorted(set(od) - set(rd)):
            print(f"  only in ours:      {n}")
        for n in sorted(set(rd) & set(od)):
            r, o = rd[n], od[n]
            for k in COMPARE_FIELDS:
                if k == "default":
                    rv, ov = norm_default(r), norm_default(o)
                elif k in ("min", "max"):
                    rv, ov = norm_bound(r.get(k)), norm_bound(o.get(k))
                elif k in ("aliases", "flags", "parser"):
                    rv, ov = sorted(r.get(k, [])), sorted(o.get(k, []))
                else:
                    rv, ov = r.get(k), o.get(k)
                if rv == ov:
                    agree[k] += 1
                else:
                    differ[k] += 1
                    print(f"  {n}.{k}: ours={ov!r} ref={rv!r}")
        rs, os_ = ref.get("sentinel", {}), ours.get("sentinel", {})
        for n in sorted(set(rs) ^ set(os_)):
            print(f"  sentinel {n}: only in {'reference' if n in rs else 'ours'}")
        for n in sorted(set(rs) & set(os_)):
            for k in ("argc_including_keyword", "aliases", "errors"):
                rv, ov = rs[n].get(k), os_[n].get(k)
                if k != "argc_including_keyword":
                    rv, ov = sorted(rv or []), sorted(ov or [])
                if rv != ov:
                    print(f"  sentinel {n}.{k}: ours={ov!r} ref={rv!r}")
        # per-command ACL tables: only when the reference has them too
        for table in ("command_categories", "subcommands", "subcommand_categories"):
            rt, ot = ref.get(table), ours.get(table)
            if rt is None or ot is None:
                continue
            same = sum(1 for n in set(rt) & set(ot) if sorted(rt[n]) == sorted(ot[n]))
            for n in sorted(set(rt) | set(ot)):
                if sorted(rt.get(n, [])) != sorted(ot.get(n, [])):
                    print(f"  {table}.{n}: ours={ot.get(n)!r} ref={rt.get(n)!r}")
            print(f"  {table}: {same} of {len(set(rt) | set(ot))} entries agree")
        for k in ("directive_count", "alias_count", "has_standard_config_table",
                  "module_config_names_with_dot"):
            if ref["meta"].get(k) != ours["meta"].get(k):
                print(f"  meta.{k}: ours={ours['meta'].get(k)!r} ref={ref['meta'].get(k)!r}")
        a, d = sum(agree.values()), sum(differ.values())
        total_agree += a
        total_diff += d
        print(f"  summary: names common={len(set(rd) & set(od))} only-ref={len(set(rd) - set(od))} "
              f"only-ours={len(set(od) - set(rd))}; fields agree={a} differ={d} "
              + " ".join(f"{k}:{agree[k]}/{agree[k] + differ[k]}" for k in COMPARE_FIELDS))
    print(f"TOTAL fields agree={total_agree} differ={total_diff}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--redis-git", help="git dir of redis/redis")
    ap.add_argument("--valkey-git", help="git dir of valkey-io/valkey")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "rules", "catalog"),
                    help="output directory (default: rules/catalog)")
    ap.add_argument("--only", action="append", help="only generate e.g. redis-7.0 (repeatable)")
    ap.add_argument("--from-binary", metavar="SERVER",
                    help="make the catalog of a server binary by running it (catalog_probe.py)")
    ap.add_argument("--base", metavar="CATALOG",
                    help="with --from-binary: the source-generated catalog of the nearest "
                         "version, for what a binary does not show")
    ap.add_argument("--compare", metavar="REFDIR",
                    help="compare the generated catalogs in --out with a reference catalog dir")
    args = ap.parse_args(argv)
    args.out = os.path.normpath(args.out)
    if args.compare:
        return compare(args)
    if args.from_binary:
        if not args.base:
            ap.error("--from-binary needs --base")
        return generate_from_binary(args)
    if not (args.redis_git or args.valkey_git):
        ap.error("give --redis-git and/or --valkey-git, or --compare")
    return generate(args)


if __name__ == "__main__":
    sys.exit(main())
