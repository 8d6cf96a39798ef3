"""Checkpoints: signed statements of (journal id, number of events, head hash).

The hash chain catches an edited, deleted or moved row, but a journal cut after row N still
verifies. A checkpoint kept somewhere (the journal's own table, a file, an export, the
incident channel) says "this journal held N events ending at H": a journal shorter than N,
or whose row N is not H, was cut or rewritten.

Text form: a C2SP tlog-checkpoint in a C2SP signed note (https://c2sp.org/tlog-checkpoint,
https://c2sp.org/signed-note), so it reads like a transparency log's::

    cockpit-journal/0193d5f0-6c1e-7a41-9b8e-1f2a3b4c5d6e   origin: the journal's first event id
    212                                                    size: events covered
    OTk0ZTc0...=                                           base64 of the 32-byte head hash
    time 2026-12-02T01:22:10.123Z                          extension line: when it was made
                                                           blank line
    — alice AAAAAFNTSFNJRy4uLg==                           signature line(s), may be none

The signature body is base64(4-byte key hash || SSHSIG blob): the blob is what `ssh-keygen
-Y sign -n cockpit-journal@v1` makes over the note's text (its armour taken off), so any
SRE's OpenSSH checks it with `ssh-keygen -Y verify` and an allowed_signers file, as git
does for `gpg.format=ssh`. The key hash is the first 4 bytes of SHA-256(name, newline,
the SSH public key blob), as signed-note asks, so a reader can tell keys apart without
trying each. The name is the signer's principal in allowed_signers when known (else the
operator's name): `ssh-keygen -Y verify -I NAME` must accept it.

This module has no journal I/O: it makes, parses, signs and verifies the text; the store
keeps it, `cockpit verify` and the exports call it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

NAMESPACE = "cockpit-journal@v1"
ORIGIN_PREFIX = "cockpit-journal/"
# an export's own chain (export_seal.py): its manifest line, by incident; never a journal's
EXPORT_PREFIX = "cockpit-export/"
SIGN_TIMEOUT_S = 10.0  # an agent asking for confirmation nobody gives: stored unsigned
_EM_DASH = "\u2014"
_TIME_EXT = "time "
_ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_ARMOR_END = "-----END SSH SIGNATURE-----"
# what `embed`ded checkpoints are wrapped in inside another text (an export, a chat message)
EMBED_BEGIN = "-----BEGIN COCKPIT CHECKPOINT-----"
EMBED_END = "-----END COCKPIT CHECKPOINT-----"
_GOOD = re.compile(r'Good "[^"]*" signature (?:for .+? )?with (?P<key>\S+) key')
_ALTERED = "bad signature (the checkpoint was altered after signing)"


class CheckpointError(ValueError):
    """A text that is not a well-formed checkpoint (one line: what is wrong)."""


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    key_hash: bytes  # 4 bytes
    sshsig: bytes  # the SSHSIG blob (ssh-keygen's output, armour removed)

    def line(self) -> str:
        body = base64.b64encode(self.key_hash + self.sshsig).decode("ascii")
        return f"{_EM_DASH} {self.name} {body}"

    def fingerprint(self) -> str:
        """SHA256:... of the signing key, as ssh-keygen -l shows it."""
        digest = hashlib.sha256(_sshsig_public_key(self.sshsig)).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")

    def armored(self) -> str:
        b64 = base64.b64encode(self.sshsig).decode("ascii")
        lines = [b64[i : i + 70] for i in range(0, len(b64), 70)]
        return "\n".join([_ARMOR_BEGIN, *lines, _ARMOR_END]) + "\n"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    journal_id: str
    size: int  # events covered: seq 1..size
    head: str  # hex SHA-256 of row `size` (GENESIS for 0)
    time: str  # ISO UTC, when it was made
    signatures: tuple[Signature, ...] = field(default=())
    prefix: str = ORIGIN_PREFIX  # EXPORT_PREFIX: journal_id is an incident, head a manifest's

    @property
    def origin(self) -> str:
        return self.prefix + self.journal_id

    def body(self) -> str:
        """The signed text: origin, size, root hash, extension lines, each ending in \\n."""
        root = base64.b64encode(bytes.fromhex(self.head)).decode("ascii")
        return f"{self.origin}\n{self.size}\n{root}\n{_TIME_EXT}{self.time}\n"

    def text(self) -> str:
        """The whole note: body, blank line, signature lines (none when unsigned)."""
        return self.body() + "\n" + "".join(s.line() + "\n" for s in self.signatures)

    def embed(self) -> str:
        """The note between BEGIN/END lines, to sit inside another text (an export)."""
        return f"{EMBED_BEGIN}\n{self.text()}{EMBED_END}\n"

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    def when(self) -> str:
        """01:22:10 (today, UTC) or 2026-11-28 01:22:10 (another day)."""
        try:
            at = datetime.fromisoformat(self.time.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            return self.time
        if at.date() == datetime.now(UTC).date():
            return at.strftime("%H:%M:%S")
        return at.strftime("%Y-%m-%d %H:%M:%S")


def make(
    journal_id: str, size: int, head: str, time: str | None = None, prefix: str = ORIGIN_PREFIX
) -> Checkpoint:
    if time is None:
        time = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return Checkpoint(journal_id=journal_id, size=size, head=head, time=time, prefix=prefix)


# -- parsing ----------------------------------------------------------------------------------


def parse(text: str) -> Checkpoint:
    """One checkpoint note (CheckpointError naming what is wrong)."""
    text = text.replace("\r\n", "\n")
    body, sep, sigs = text.partition("\n\n")
    if not sep:
        raise CheckpointError("no blank line after the checkpoint's body")
    lines = body.split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a size and a root hash line")
    origin, size_text, root, *extensions = lines
    prefix = next((p for p in (ORIGIN_PREFIX, EXPORT_PREFIX) if origin.startswith(p)), "")
    if not prefix or len(origin) == len(prefix):
        raise CheckpointError(f"origin line is not {ORIGIN_PREFIX}<journal id>")
    if not size_text.isascii() or not size_text.isdigit() or size_text != str(int(size_text)):
        raise CheckpointError("size line is not a decimal number")
    try:
        head = base64.b64decode(root, validate=True)
    except binascii.Error:
        raise CheckpointError("root hash line is not base64") from None
    if len(head) != 32:
        raise CheckpointError("root hash is not 32 bytes (SHA-256)")
    time = ""
    for ext in extensions:
        if ext.startswith(_TIME_EXT):
            time = ext[len(_TIME_EXT) :]
    signatures = []
    for line in sigs.split("\n"):
        if not line:
            continue
        signatures.append(_parse_signature(line))
    checkpoint = Checkpoint(
        journal_id=origin[len(prefix) :],
        size=int(size_text),
        head=head.hex(),
        time=time,
        signatures=tuple(signatures),
        prefix=prefix,
    )
    if checkpoint.body() != body + "\n":
        # only the extension lines this version writes: a signature covers exactly body()
        raise CheckpointError("unknown extension lines in the checkpoint's body")
    return checkpoint


def _parse_signature(line: str) -> Signature:
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != _EM_DASH:
        raise CheckpointError("a signature line is '\u2014 NAME BASE64'")
    try:
        raw = base64.b64decode(parts[2], validate=True)
    except binascii.Error:
        raise CheckpointError(f"signature of {parts[1]} is not base64") from None
    if len(raw) < 5 or not raw[4:].startswith(b"SSHSIG"):
        raise CheckpointError(f"signature of {parts[1]} is not an SSH signature")
    return Signature(name=parts[1], key_hash=raw[:4], sshsig=raw[4:])


def find_all(text: str) -> list[Checkpoint]:
    """Every checkpoint in a text: embedded ones (between BEGIN/END lines), or the text is
    one note itself (a file holding just a checkpoint, as pasted from the channel)."""
    found = []
    start = 0
    while (begin := text.find(EMBED_BEGIN, start)) >= 0:
        end = text.find(EMBED_END, begin)
        if end < 0:
            raise CheckpointError(f"{EMBED_BEGIN} without {EMBED_END}")
        found.append(parse(text[begin + len(EMBED_BEGIN) : end].lstrip("\r\n")))
        start = end + len(EMBED_END)
    if not found:
        note = text.strip("\r\n").replace("\r\n", "\n") + "\n"
        # an unsigned note pasted without its trailing blank line is still one
        found.append(parse(note if "\n\n" in note else note + "\n"))
    return found


def _sshsig_public_key(blob: bytes) -> bytes:
    # SSHSIG: "SSHSIG" uint32 version, string publickey, ...
    try:
        (length,) = struct.unpack(">I", blob[10:14])
        return blob[14 : 14 + length]
    except struct.error:
        return b""


def _key_hash(name: str, sshsig: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + _sshsig_public_key(sshsig)).digest()[:4]


# -- signing ----------------------------------------------------------------------------------


class SigningUnavailable(Exception):
    """The key cannot sign now (agent locked or absent, no key file): stored unsigned."""


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SigningUnavailable("ssh-keygen not found (install openssh-client)")
    return found


def _quiet_env() -> dict[str, str]:
    # never a passphrase prompt: no askpass program, and (start_new_session) no tty
    env = dict(os.environ)
    env["SSH_ASKPASS_REQUIRE"] = "never"
    env.pop("DISPLAY", None)
    return env


def sign(
    checkpoint: Checkpoint, key: str | os.PathLike[str], *, name: str, allowed_signers: str | None
) -> Checkpoint:
    """The checkpoint with one more signature, by `key` (a .pub whose private half is in
    ssh-agent or beside it, or a private key file). Blocking: call it off the event loop.
    Raises SigningUnavailable with the reason when the key cannot sign now."""
    key_path = Path(os.path.expanduser(os.fspath(key)))
    if not key_path.exists():
        raise SigningUnavailable(f"signing key {key_path} not found")
    try:
        done = subprocess.run(
            [_ssh_keygen(), "-Y", "sign", "-n", NAMESPACE, "-f", str(key_path)],
            input=checkpoint.body().encode("utf-8"),
            capture_output=True,
            timeout=SIGN_TIMEOUT_S,
            env=_quiet_env(),
            start_new_session=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SigningUnavailable(f"ssh-keygen did not sign within {SIGN_TIMEOUT_S:.0f} s") from None
    except OSError as exc:
        raise SigningUnavailable(f"cannot run ssh-keygen: {exc.strerror}") from None
    if done.returncode != 0:
        why = _last_line(done.stderr) or f"ssh-keygen exited {done.returncode}"
        raise SigningUnavailable(f"{why} (is the key in ssh-agent, or beside {key_path.name}?)")
    sshsig = _dearmor(done.stdout.decode("ascii", "replace"))
    if allowed_signers:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            name = _principal(sshsig, allowed_signers) or name
    name = _name(name)
    signature = Signature(name=name, key_hash=_key_hash(name, sshsig), sshsig=sshsig)
    return replace(checkpoint, signatures=(*checkpoint.signatures, signature))


def _name(name: str) -> str:
    # a signed-note key name has no spaces and no "+"
    return re.sub(r"[\s+]+", "_", name.strip()) or "unknown"


def _dearmor(text: str) -> bytes:
    lines = [ln.strip() for ln in text.strip().splitlines()]
    if not lines or lines[0] != _ARMOR_BEGIN or lines[-1] != _ARMOR_END:
        raise SigningUnavailable("ssh-keygen gave no SSH signature")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except binascii.Error:
        raise SigningUnavailable("ssh-keygen gave no SSH signature") from None


def _line_with(raw: bytes, words: str) -> str:
    found = [ln.strip() for ln in raw.decode("utf-8", "replace").splitlines() if words in ln]
    return found[-1] if found else ""


def _last_line(raw: bytes) -> str:
    lines = [ln.strip() for ln in raw.decode("utf-8", "replace").splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("Signing data on standard input")]
    return lines[-1] if lines else ""


# -- verifying --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    ok: bool
    name: str
    fingerprint: str
    key_type: str = ""
    problem: str = ""
    trusted: bool = False  # checked against an allowed_signers file (not just self-consistent)

    def who(self) -> str:
        """alice (ED25519 SHA256:...), or why not."""
        key = f"{self.key_type} {self.fingerprint}".strip()
        if not self.ok:
            return f"{self.name}: {self.problem}"
        if self.trusted:
            return f"{self.name} ({key})"
        return f"{self.name}? ({key}; not checked: no allowed_signers)"


def _run_keygen(args: Sequence[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [_ssh_keygen(), *args],
        input=data,
        capture_output=True,
        timeout=SIGN_TIMEOUT_S,
        env=_quiet_env(),
        start_new_session=True,
        check=False,
    )


@contextlib.contextmanager
def _sig_file(signature: Signature):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory(prefix="cockpit-sig-") as tmp:
        path = Path(tmp) / "checkpoint.sig"
        path.write_text(signature.armored(), encoding="ascii")
        yield str(path)


def _principal(sshsig: bytes, allowed_signers: str) -> str | None:
    sig = Signature(name="", key_hash=b"", sshsig=sshsig)
    with _sig_file(sig) as sig_path:
        done = _run_keygen(["-Y", "find-principals", "-s", sig_path, "-f", allowed_signers], b"")
    if done.returncode != 0:
        return None
    names = done.stdout.decode("utf-8", "replace").split()
    return names[0] if names else None


def verify_signature(
    checkpoint: Checkpoint, signature: Signature, allowed_signers: str | None
) -> SignatureCheck:
    """One signature of a checkpoint checked by ssh-keygen: against allowed_signers (the
    signer's key must be granted the name on the line, for this namespace, now), or, with
    none, only that the signature is good for the key it carries."""
    try:
        return _verify_signature(checkpoint, signature, allowed_signers)
    except (SigningUnavailable, OSError, subprocess.TimeoutExpired) as exc:
        # no ssh-keygen, or it hung: not checked is not good
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return SignatureCheck(False, signature.name, signature.fingerprint(), problem=why)


def _verify_signature(
    checkpoint: Checkpoint, signature: Signature, allowed_signers: str | None
) -> SignatureCheck:
    data = checkpoint.body().encode("utf-8")
    fp = signature.fingerprint()
    bad = SignatureCheck(False, signature.name, fp)
    if signature.key_hash != _key_hash(signature.name, signature.sshsig):
        return replace(bad, problem="key hash does not match the name and key (altered line)")
    with _sig_file(signature) as sig_path:
        if not allowed_signers:
            done = _run_keygen(["-Y", "check-novalidate", "-n", NAMESPACE, "-s", sig_path], data)
            if done.returncode != 0:
                return replace(bad, problem=_ALTERED)
            good = _GOOD.search(done.stdout.decode("utf-8", "replace"))
            kind = good.group("key") if good else ""
            return SignatureCheck(True, signature.name, fp, kind)
        done = _run_keygen(
            [
                "-Y",
                "verify",
                "-f",
                allowed_signers,
                "-I",
                signature.name,
                "-n",
                NAMESPACE,
                "-s",
                sig_path,
            ],
            data,
        )
        if done.returncode == 0:
            good = _GOOD.search(done.stdout.decode("utf-8", "replace"))
            kind = good.group("key") if good else ""
            return SignatureCheck(True, signature.name, fp, kind, trusted=True)
        # why not: a key of someone else, a key nobody granted, or altered text
        owner = _principal(signature.sshsig, allowed_signers)
        novalidate = _run_keygen(["-Y", "check-novalidate", "-n", NAMESPACE, "-s", sig_path], data)
    if novalidate.returncode != 0:
        return replace(bad, problem=_ALTERED)
    if owner is not None and owner != signature.name:
        return replace(bad, problem=f"wrong signer: the key {fp} is {owner}'s in {allowed_signers}")
    expired = _line_with(done.stderr, "key has expired")
    if owner is None and expired:
        # "allowed_signers:3: key has expired: verify time ... > valid-before ..."
        return replace(bad, problem=f"expired key {fp}: {expired}")
    if owner is None:
        return replace(
            bad,
            problem=f"unknown key {fp}: not in {allowed_signers} (or expired there, or not "
            f"allowed for {NAMESPACE})",
        )
    why = _last_line(done.stderr) or "refused"
    return replace(bad, problem=f"refused by {allowed_signers}: {why}")
