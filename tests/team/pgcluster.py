"""A private PostgreSQL 15 cluster for the team tests and bench/team.py.

initdb refuses to run as root, so as root the cluster runs as the `postgres` user (runuser),
in a temp dir it owns, with its own socket dir, on a free loopback port; password auth
(scram) over TCP so the cockpit role logs in the way it does against a real server.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BIN = Path(os.environ.get("COCKPIT_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"
SUPER_PASSWORD = "super-" + uuid.uuid4().hex[:12]
COCKPIT_ROLE = "cockpit_app"
COCKPIT_PASSWORD = "s3cret-" + uuid.uuid4().hex[:12]


def available() -> str | None:
    """None when a cluster can be started here, else why not."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (BIN / tool).exists():
            return f"PostgreSQL binaries not found in {BIN} (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run initdb as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    root: Path
    port: int
    as_user: list[str]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(
        self, db: str = "postgres", *, user: str = SUPERUSER, password: str | None = None
    ) -> str:
        pw = SUPER_PASSWORD if password is None and user == SUPERUSER else password
        auth = f"{user}:{pw}@" if pw else f"{user}@"
        return f"postgresql://{auth}127.0.0.1:{self.port}/{db}?connect_timeout=5"

    def cockpit_url(self, db: str) -> str:
        return self.url(db, user=COCKPIT_ROLE, password=COCKPIT_PASSWORD)

    def _run(self, *argv: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self.as_user, *argv], check=True, capture_output=True, timeout=timeout, text=True
        )

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.root / 'sock'} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200"
        )
        self._run(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def psql_admin(self, sql: str, db: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:10]
        self.psql_admin(f"CREATE DATABASE {name}")
        return name


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    c = Cluster(root, _free_port(), as_user)
    pwfile = root / "pw"
    pwfile.write_text(SUPER_PASSWORD + "\n")
    (root / "sock").mkdir()
    if as_user:
        pw = pwd.getpwnam("postgres")
        for p in (pwfile, root / "sock"):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    try:
        c._run(
            str(BIN / "initdb"),
            "-D",
            str(c.data),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            timeout=120,
        )
        c.start()
        c.psql_admin(f"CREATE ROLE {COCKPIT_ROLE} LOGIN PASSWORD '{COCKPIT_PASSWORD}'")
        yield c
    finally:
        c.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
