"""Make a directive catalog from a server binary, for builds whose sources are not at hand.

Used by `gen_catalog.py --from-binary SERVER --base CATALOG`.  What the binary shows is taken
from the binary:

- names and defaults: `CONFIG GET *` (and `CONFIG GET name` for hidden ones) of a server
  started with nothing but a socket to listen on;
- types, enum values, bounds and the number of values: config files the binary accepts or
  rejects, one directive with a chosen value each (`SERVER FILE --port 0 --unixsocket ''`
  exits at once: "Configured to not listen anywhere" means accepted, a `FATAL CONFIG FILE
  ERROR` block names why not);
- IMMUTABLE and PROTECTED: `CONFIG SET name <its value>` on the running server;
- aliases: which other names change when one is set with `CONFIG SET`;
- commands, subcommands and their ACL categories: `COMMAND INFO`; categories: `ACL CAT`.

What no outside view shows (chain directives' parsers, C validators, SENSITIVE, DEBUG,
DENY_LOADING, VOLATILE, conditions on build options, Sentinel sub-directives) comes from the
base catalog, a source-generated one of the nearest version; directives the base lacks get none.
A name the binary does not know is dropped, whatever the base says.

Only the Python 3.11 standard library is used.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

PROBE = "redlint-probe-word"
LADDER = ["-9223372036854775808", "-100", "-1", "0", "1", "9223372036854775807",
          "18446744073709551615"]
UNKNOWN = "Bad directive or wrong number of arguments"


# ---------------------------------------------------------------------------
# config files the binary accepts or rejects


def quote(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Prober:
    def __init__(self, program: str, workdir: str):
        self.program = program
        self.workdir = workdir
        self.n = 0

    def verdict(self, name: str, values: list[str], sentinel: bool = False) -> tuple[bool, str]:
        """(accepted, message) for a config of the one line `name values...`."""
        self.n += 1
        d = tempfile.mkdtemp(dir=self.workdir)
        try:
            with open(os.path.join(d, "p.conf"), "w") as f:
                f.write(" ".join([name] + [quote(v) for v in values]) + "\n")
            args = [self.program, "p.conf"]
            if sentinel:
                args.append("--sentinel")
            args += ["--port", "0", "--unixsocket", ""]
            try:
                r = subprocess.run(args, cwd=d, capture_output=True, text=True,
                                   errors="replace", timeout=10, stdin=subprocess.DEVNULL)
                out = r.stdout + r.stderr
            except subprocess.TimeoutExpired:
                return False, "timeout"
            if "FATAL CONFIG FILE ERROR" in out:
                lines = [ln for ln in out.splitlines() if ln.strip()]
                for i, ln in enumerate(lines):
                    if ln.startswith(">>>") and i + 1 < len(lines):
                        return False, lines[i + 1].strip()
                return False, lines[-1].strip()
            if "not listen anywhere" in out:
                return True, ""
            tail = [ln for ln in out.splitlines() if ln.strip()]
            return False, tail[-1].strip() if tail else f"exit {r.returncode}"
        finally:
            shutil.rmtree(d, ignore_errors=True)


BETWEEN = re.compile(r"argument must be between (-?\d+) and (-?\d+) inclusive")
ONE_OF = re.compile(r"argument\(s\) must be one of the following: (.*)$")
TYPE_OF_MESSAGE = [
    ("argument must be 'yes' or 'no'", "bool"),
    ("argument couldn't be parsed into an integer", "int"),
    ("argument must be a memory or percent value", "memory-or-percent"),
    ("argument must be a memory value", "memory"),
    ("argument couldn't be parsed as an octal number", "octal"),
]


def sample_value(d: dict) -> str:
    t = d["type"]
    if t == "bool":
        return "yes"
    if t == "enum":
        return d["enum_values"][0]
    if t in ("int", "memory", "memory-or-percent", "octal"):
        lo = d.get("min")
        return str(lo) if isinstance(lo, int) and lo >= 0 else "1" if t != "octal" else "700"
    return d.get("default") or "x"


def known(p: Prober, name: str) -> bool:
    """Whether the binary reads `name` at all, with any number of values up to three."""
    return any(p.verdict(name, [PROBE] * n)[1] != UNKNOWN for n in range(4))


def probe_directive(p: Prober, name: str) -> dict | None:
    """What config files show of one name; None when the binary does not know it."""
    ok, msg = p.verdict(name, [PROBE])
    if msg == UNKNOWN:
        return None
    d: dict = {"aliases": []}
    m = ONE_OF.search(msg)
    if m:
        d["type"] = "enum"
        d["enum_values"] = [w.strip() for w in m.group(1).split(",") if w.strip()]
    elif ok:
        d["type"] = "string"
    else:
        d["type"] = next((t for text, t in TYPE_OF_MESSAGE if text in msg), "string")
        if d["type"] == "string":
            d["_rejects_word"] = msg
    if d["type"] == "octal":
        # The message prints the bounds in octal too; the catalog keeps them in decimal.
        _, m2 = p.verdict(name, ["77777777"])
        b = BETWEEN.search(m2)
        if b:
            d["min"], d["max"] = int(b.group(1), 8), int(b.group(2), 8)
    if d["type"] in ("int", "memory", "memory-or-percent"):
        lo = hi = None
        accepted = []
        for v in LADDER:
            a, m2 = p.verdict(name, [v])
            b = BETWEEN.search(m2)
            if b:
                lo, hi = int(b.group(1)), int(b.group(2))
                break
            if a:
                accepted.append(int(v))
        if lo is None and accepted:
            # No message names the bounds: the widest values accepted (wrap-arounds of
            # unsigned parsing make these rough; a base catalog's bounds are preferred).
            lo, hi = min(accepted), max(accepted)
            if d["type"] == "memory-or-percent":
                lo = -100
            d["_rough_bounds"] = True
        if lo is not None:
            d["min"], d["max"] = lo, hi
    # How many values: one more than a valid one.
    one = sample_value(d)
    ok1, _ = p.verdict(name, [one])
    ok2, msg2 = p.verdict(name, [one, one])
    if ok2 or (not ok1 and "wrong number of arguments" not in msg2):
        d["args"] = "variadic"
        d["flags"] = ["MULTI_ARG"]
        if d["type"] == "enum" and len(d["enum_values"]) > 1:
            a, _ = p.verdict(name, d["enum_values"][:2])
            d["enum_bitflags"] = a
    else:
        d["args"] = 1
        d["flags"] = []
    return d


# ---------------------------------------------------------------------------
# a running server, over its unix socket


class Resp:
    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return Error(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("utf-8", "replace")
        if kind in (b"*", b"~", b">"):
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        if kind == b"%":
            return [self._reply() for _ in range(2 * int(rest))]
        raise ValueError(f"unexpected reply {line!r}")

    def call(self, *args: str):
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._reply()


class Error(str):
    pass


class Running:
    """The binary started with only a unix socket to listen on (in a temp dir)."""

    def __init__(self, program: str, workdir: str):
        self.program, self.workdir = program, workdir
        self.dir = tempfile.mkdtemp(dir=workdir)
        self.sock = os.path.join(self.dir, "s.sock")
        self.proc = subprocess.Popen(
            [program, "--port", "0", "--unixsocket", self.sock],
            cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError(f"{program} did not start")
            time.sleep(0.02)
        self.conn = Resp(self.sock)

    def restart(self):
        self.close()
        self.__init__(self.program, self.workdir)

    def config(self) -> dict[str, str]:
        flat = self.conn.call("CONFIG", "GET", "*")
        return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}

    def close(self):
        # Killed by its pid: the process is ours.
        self.proc.kill()
        self.proc.wait()


# ---------------------------------------------------------------------------
# commands


def command_tables(conn: Resp):
    infos = conn.call("COMMAND", "INFO")
    commands, categories, subcommands, subcategories = [], {}, {}, {}

    def cats(entry) -> list[str]:
        if len(entry) > 6 and isinstance(entry[6], list):
            return sorted(c.lstrip("@") for c in entry[6])
        # 6.x: the categories are flags of the command ("@slow").
        return sorted(f.lstrip("@") for f in entry[2] if f.startswith("@"))

    for e in infos:
        if not isinstance(e, list):
            continue
        name = e[0].lower()
        commands.append(name)
        categories[name] = cats(e)
        subs = e[9] if len(e) > 9 and isinstance(e[9], list) else []
        if subs:
            subcommands[name] = sorted(s[0].lower().split("|", 1)[1] for s in subs)
            for s in subs:
                subcategories[s[0].lower()] = cats(s)
    commands.sort()
    acl = conn.call("ACL", "CAT")
    acl = [c for c in acl] if isinstance(acl, list) else None
    return commands, acl, categories, (subcommands or None), (subcategories or None)


# ---------------------------------------------------------------------------
# the catalog


def aliases_by_set(running: Running, names: list[str], values: dict[str, str],
                   directives: dict[str, dict]) -> list[set[str]]:
    """Groups of names that change together when one of them is set."""
    groups: list[set[str]] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            continue
        d = directives.get(name)
        if not d or d["type"] not in ("bool", "int", "memory", "enum"):
            continue
        # Compared with just before: a restart below changes `dir` and `unixsocket`.
        before = running.config()
        old = values[name]
        if d["type"] == "bool":
            new = "no" if old == "yes" else "yes"
        elif d["type"] == "enum":
            others = [v for v in d["enum_values"] if v != old]
            if not others or d.get("enum_bitflags"):
                continue
            new = others[0]
        else:
            lo, hi = int(d.get("min", 0)), int(d.get("max", 1 << 30))
            new = str(min(max(int(old) + 1 if old.lstrip("-").isdigit() else 1, lo), hi))
            if new == old:
                new = str(max(lo, int(old) - 1))
        try:
            if isinstance(running.conn.call("CONFIG", "SET", name, new), Error):
                continue
            after = running.config()
        except ConnectionError:
            # The new value dropped this client (`maxmemory-clients 1`, `tls-cluster yes`
            # without certificates): start afresh, with the defaults.
            running.restart()
            continue
        changed = {n for n, v in after.items() if v != before.get(n)}
        running.conn.call("CONFIG", "SET", name, old)
        if len(changed) > 1 and name in changed:
            groups.append(changed)
            seen |= changed
    return groups


def immutability(running: Running, name: str, value: str) -> list[str]:
    r = running.conn.call("CONFIG", "SET", name, value)
    if isinstance(r, Error):
        if "immutable" in r:
            return ["IMMUTABLE"]
        if "protected" in r:
            return ["PROTECTED"]
    return []


INHERITED_FLAGS = {"SENSITIVE", "DEBUG", "HIDDEN", "DENY_LOADING", "VOLATILE", "ALIAS",
                   "DEPRECATED"}


def build_from_binary(program: str, base: dict, version: str, product: str) -> dict:
    work = tempfile.mkdtemp(prefix="redlint-catalog-")
    try:
        return _build(program, base, version, product, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build(program: str, base: dict, version: str, product: str, work: str) -> dict:
    prober = Prober(program, work)
    running = Running(program, work)
    try:
        values = running.config()
        base_dirs: dict[str, dict] = base["directive"]
        base_alias = {a: n for n, d in base_dirs.items() for a in d.get("aliases", [])}
        names = sorted(set(values) | set(base_dirs) | set(base_alias))
        # `CONFIG GET *` leaves out HIDDEN configs; asked by name, they answer.
        hidden = set()
        for n in names:
            if n not in values:
                got = running.conn.call("CONFIG", "GET", n)
                if isinstance(got, list) and len(got) == 2:
                    values[n] = got[1]
                    hidden.add(n)

        def one(n):
            bd = base_dirs.get(n) or base_dirs.get(base_alias.get(n, ""))
            if bd and (bd["type"] in ("special", "ignored") or "parser" in bd):
                return n, "inherit" if known(prober, n) else None
            return n, probe_directive(prober, n)

        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            probed = dict(pool.map(one, names))

        directives: dict[str, dict] = {}
        for n, d in probed.items():
            bd = base_dirs.get(n) or base_dirs.get(base_alias.get(n, ""))
            if d is None:
                # Unknown to this binary (removed, or behind a build option such as
                # LOG_REQ_RES that release builds leave out).
                continue
            if d == "inherit":
                if n in base_dirs:
                    directives[n] = dict(bd)
                continue
            if bd:
                for k in ("conditional", "validator", "empty_string", "default_is_null"):
                    if k in bd:
                        d[k] = bd[k]
                d["flags"] = sorted(set(d["flags"]) |
                                    {f for f in bd.get("flags", []) if f in INHERITED_FLAGS})
                if d.pop("_rough_bounds", False) and "min" in bd:
                    d["min"], d["max"] = bd["min"], bd["max"]
                if d["type"] == "string" and bd["type"] not in ("string", "special"):
                    if "_rejects_word" in d:
                        d["type"] = bd["type"]
                    else:
                        # A typed directive that takes any word: accepted and ignored.
                        d = {"aliases": [], "type": "ignored", "args": d["args"],
                             "flags": ["DEPRECATED"]}
                        directives[n] = d
                        continue
            if n in values and not d.get("default_is_null"):
                d["default"] = values[n]
            d["flags"] = sorted(set(d["flags"]) | set(immutability(running, n, values[n]))
                                if n in values else d["flags"])
            if n in values and values[n] == "" and n not in base_dirs and d["type"] == "string":
                d["empty_string"] = "allowed"
            if n in hidden:
                d["flags"] = sorted(set(d["flags"]) | {"HIDDEN"})
            d.pop("_rejects_word", None)
            d.pop("_rough_bounds", None)
            directives[n] = d

        # Aliases: names that change together; the base's primary stays primary, and of
        # a new pair the name the base lacks (the new spelling) is the primary.
        groups = aliases_by_set(running, sorted(n for n in directives if n in values),
                                values, directives)
        for n, d in base_dirs.items():
            if n in directives:
                group = {n} | {a for a in d.get("aliases", []) if a in directives}
                if len(group) > 1 and not any(group <= g for g in groups):
                    groups.append(group)
        for g in groups:
            primaries = [n for n in g if n not in base_dirs and n not in base_alias]
            primaries += sorted(n for n in g if n in base_dirs and n not in primaries)
            primary = primaries[0] if primaries else sorted(g)[0]
            for a in sorted(g - {primary}):
                if a in directives:
                    del directives[a]
            directives[primary]["aliases"] = sorted(g - {primary})

        commands, acl, categories, subcommands, subcategories = command_tables(running.conn)
    finally:
        running.close()

    # Defaults the probe server was started with are its own, not the build's.
    for n in ("port", "unixsocket", "dir"):
        if n in directives and n in base_dirs:
            for k in ("default", "default_is_null"):
                directives[n].pop(k, None)
                if k in base_dirs[n]:
                    directives[n][k] = base_dirs[n][k]

    version_line = subprocess.run([program, "--version"], capture_output=True,
                                  text=True).stdout.strip()
    meta = {
        "product": product,
        "version": version,
        "source_ref": f"binary `{version_line}`, probed by scripts/catalog_probe.py; "
                      f"what a binary does not show from {base['meta']['product']} "
                      f"{base['meta']['version']} ({base['meta']['source_ref']})",
        "has_standard_config_table": base["meta"]["has_standard_config_table"],
        "module_config_names_with_dot": base["meta"]["module_config_names_with_dot"],
        "directive_count": len(directives),
        "alias_count": sum(len(d["aliases"]) for d in directives.values()),
        "generated_by": "scripts/gen_catalog.py --from-binary",
        "probe_runs": prober.n,
    }
    return {"meta": meta, "directive": directives, "sentinel": base["sentinel"],
            "commands": commands, "acl_categories": acl,
            "command_categories": categories, "subcommands": subcommands,
            "subcommand_categories": subcategories}
