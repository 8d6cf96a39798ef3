"""Remove secrets from what is written: an append-only log cannot be scrubbed later.

The rules are data (secret_rules.py, modelled on gitleaks); this module applies them. Every
rule carries pre-check literals: a value holding none of them is clean after one substring
scan, which is what nearly every event and observation is. Matches become
``[REDACTED:<rule>]`` and the rules found are returned, so the store can mark the event.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

import msgspec

from cockpit.journal.codec import MAX_BODY_BYTES, encode
from cockpit.journal.events import PayloadError
from cockpit.journal.secret_rules import RULES, SECRET_KEY_LITERALS, SECRET_KEY_PATTERN

MARK = "[REDACTED:"


class _Compiled(NamedTuple):
    name: str
    pattern: re.Pattern[str]
    keep: int
    literals: tuple[str, ...]
    fold: bool


class _Gate(NamedTuple):
    """Finds which of a set of literals occur in a text, in one regex pass."""

    pattern: re.Pattern[str]  # the trie of the literals: the longest one at a position
    prefixes: dict[str, frozenset[str]]  # a longest match -> the literals it starts with

    def hits(self, text: str) -> set[str]:
        found: set[str] = set()
        search, pos = self.pattern.search, 0
        # from each match's start + 1, not its end: a literal may start inside another one.
        # (A lookahead finditer would do the same, but defeats the engine's first-character
        # scan and costs 4x on clean text.)
        while (m := search(text, pos)) is not None:
            found |= self.prefixes[m.group()]
            pos = m.start() + 1
        return found


def _trie(words: set[str]) -> str:
    """A regex alternation shaped as a trie: at each position the engine tries the few
    branches that share the next character, not every literal (a flat alternation of ~90
    literals cost ~160 us per kB of text, the trie ~13 us)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _gate(words: set[str]) -> _Gate:
    prefixes = {}
    for word in words:
        # every literal occurrence is a prefix of the longest match at its start position
        prefixes[word] = frozenset(w for w in words if word.startswith(w))
    return _Gate(re.compile(_trie(words)), prefixes)


class _Rules(NamedTuple):
    # every literal lowercased, compared with the lowercased text: one pass, and a gate may
    # let too much through (the "SK" of a Twilio key is the "sk" of "disk") but never too
    # little; each string is then checked against the exact literals of the rules let in
    gate: _Gate
    rules: tuple[_Compiled, ...]
    secret_key: re.Pattern[str]


# Compiled on first use, not at import: compiling them costs milliseconds of every start,
# and the first append comes after the first frame.
@cache
def _compiled() -> _Rules:
    rules = tuple(
        _Compiled(r.name, re.compile(r.pattern, r.flags), r.keep, r.literals, r.fold) for r in RULES
    )
    literals = {lit.lower() for r in RULES for lit in r.literals} | set(SECRET_KEY_LITERALS)
    return _Rules(_gate(literals), rules, re.compile(SECRET_KEY_PATTERN))


@cache
def _lowered(literals: tuple[str, ...]) -> frozenset[str]:
    return frozenset(lit.lower() for lit in literals)


def _active(text: str) -> tuple[tuple[_Compiled, ...], bool]:
    """(the rules whose literals may occur in `text`, whether a secret key name may)."""
    compiled = _compiled()
    hits = compiled.gate.hits(text.lower())
    if not hits:
        return (), False
    active = tuple(r for r in compiled.rules if not hits.isdisjoint(_lowered(r.literals)))
    return active, not hits.isdisjoint(SECRET_KEY_LITERALS)


def _apply(text: str, rules: tuple[_Compiled, ...], found: set[str]) -> str:
    lowered: str | None = None
    for rule in rules:
        if rule.fold:
            if lowered is None:
                lowered = text.lower()
            hay = lowered
        else:
            hay = text
        if not any(lit in hay for lit in rule.literals):
            continue
        replaced = rule.pattern.sub(_replacer(rule, found), text)
        if replaced != text:
            text, lowered = replaced, None
    return text


_MARKER = re.compile(r"\[REDACTED:[a-z0-9_]+\]")


def _replacer(rule: _Compiled, found: set[str]) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        start = m.end(rule.keep) if rule.keep else m.start()
        if _MARKER.fullmatch(m.string, start, m.end()):
            return m.group(0)  # already redacted (by an earlier rule or an earlier write)
        # anything else goes whole, a marker inside included: in "password=xyz-ghp_..." the
        # token rule ran first, and "xyz-" is still part of the password
        found.add(rule.name)
        return f"{m.string[m.start() : start]}{MARK}{rule.name}]"

    return sub


def redact_text(text: str) -> tuple[str, set[str]]:
    """Return `text` with every secret replaced by [REDACTED:<rule>], and the rules found."""
    found: set[str] = set()
    rules, _ = _active(text)
    if not rules:
        return text, found
    return _apply(text, rules, found), found


def _has_secret(item: object) -> bool:
    if item is None or item == "":
        return False
    return not (isinstance(item, str) and item.startswith(MARK))


def _walk(value: Any, rules: tuple[_Compiled, ...], keys: bool, found: set[str]) -> Any:
    if isinstance(value, str):
        return _apply(value, rules, found) if rules else value
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        secret_key = _compiled().secret_key
        for key, item in value.items():
            if keys and isinstance(key, str) and secret_key.match(key) and _has_secret(item):
                clean: Any = f"{MARK}credential]"
                found.add("credential")
            else:
                clean = _walk(item, rules, keys, found)
            if isinstance(key, str) and rules:
                # keys are written too (a panel title keys the context's metrics)
                key = _apply(key, rules, found)
                while key in out:  # two keys redacted alike: keep both values
                    key += "'"
            out[key] = clean
        return out
    if isinstance(value, list | tuple):
        return [_walk(item, rules, keys, found) for item in value]
    return value


def redact(value: Any) -> tuple[Any, set[str]]:
    """Redact every string inside a JSON-like value; a value under a key that names a secret
    (password, api_key, Authorization, ...) goes whole; a secret inside a key is redacted too.

    The whole value is pre-checked at once, as JSON text: a clean value (nearly all of them)
    is returned as it is, without visiting its strings.
    """
    if isinstance(value, str):
        return redact_text(value)
    if not isinstance(value, dict | list | tuple):
        return value, set()
    try:
        # msgspec: ~10x faster than json.dumps here, and non-ASCII stays as it is
        text = msgspec.json.encode(value).decode("utf-8")
    except (TypeError, ValueError, msgspec.EncodeError):
        text = repr(value)  # not JSON-ready: the walk below still sees every string
    rules, keys = _active(text)
    found: set[str] = set()
    if not rules and not keys:
        return value, found
    return _walk(value, rules, keys, found), found


def surely_clean(*values: Any) -> bool:
    """True when none of `values` (strings or JSON-like values) can hold a secret: one
    encoding and one pre-check over all of them, which is the whole answer for nearly every
    event. False: redact each one (`redact`, `redact_text`), which finds what there is.

    Never True where a value alone would be let in: each value's JSON text is a part of
    the whole one, and no rule literal holds a character JSON escapes, so a literal in a
    string is in its JSON text too."""
    try:
        text = msgspec.json.encode(values).decode("utf-8")
    except (TypeError, ValueError, msgspec.EncodeError):
        return False  # not JSON-ready: the one-by-one path sees every string
    rules, keys = _active(text)
    return not rules and not keys


def redact_body(body: bytes, digest: str) -> tuple[bytes, str, set[str]]:
    """An observation body (zlib of canonical JSON, codec.encode) with its secrets removed.

    A clean body comes back as it is; a redacted one is re-encoded with the digest of what is
    now stored, so no digest of a secret is kept either. A body that does not decode as JSON
    is redacted as text.
    """
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(body, MAX_BODY_BYTES)
        compressed = True
    except zlib.error:
        raw, compressed = body, False
    text = raw.decode("utf-8", errors="replace")
    rules, keys = _active(text)
    if not rules and not keys:
        return body, digest, set()
    try:
        payload = json.loads(text)
    except ValueError:
        clean, found = redact_text(text)
        if not found:
            return body, digest, found
        data = clean.encode("utf-8")
        new_digest, _ = encode(clean)
        return (zlib.compress(data, 6) if compressed else data), new_digest, found
    found: set[str] = set()
    clean_payload = _walk(payload, rules, keys, found)
    if not found:
        return body, digest, found
    new_digest, new_body = encode(clean_payload)
    return new_body, new_digest, found


def refuse_secret_id(incident: str) -> None:
    """Refuse an incident id that holds a secret: it keys every row of the incident, so it
    cannot be replaced by a marker (the incident's events would no longer be found)."""
    _, found = redact_text(incident)
    if found:
        raise PayloadError(
            f"the incident id holds what looks like a secret ({', '.join(sorted(found))}): "
            "it would be journaled as it is; choose another id"
        )
