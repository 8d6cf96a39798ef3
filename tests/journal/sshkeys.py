"""Real SSH keys for the signature tests: made by ssh-keygen, granted in allowed_signers."""

from __future__ import annotations

import subprocess
from pathlib import Path


def keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )
    return path.with_name(path.name + ".pub")


def fingerprint(pub: Path) -> str:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(pub)], check=True, capture_output=True, text=True
    ).stdout
    return out.split()[1]


def allowed_file(path: Path, *entries: tuple[str, Path, str]) -> Path:
    lines = []
    for name, pub, options in entries:
        key = " ".join(pub.read_text().split()[:2])
        lines.append(f"{name} {options + ' ' if options else ''}{key}\n")
    path.write_text("".join(lines))
    return path


def signing_config(path: Path, key: Path, allowed: Path | None = None) -> Path:
    text = f'[signing]\nkey = "{key}"\n'
    if allowed is not None:
        text += f'allowed_signers = "{allowed}"\n'
    path.write_text(text)
    return path
