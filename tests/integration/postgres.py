"""A real PostgreSQL server for tests: Debian's binaries, a temporary cluster on a free loopback port."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_postgres_user() -> dict:
    """Postgres refuses to run as root; as root, run it as the ``postgres`` account the package made."""
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam("postgres")
    return {"user": account.pw_uid, "group": account.pw_gid}


@contextmanager
def postgres_server(port: int) -> Iterator[str]:
    """Start a throw-away cluster (trust auth, loopback only); yield its URI; stop and delete it."""
    initdb, pg_ctl = binary("initdb"), binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise FileNotFoundError("PostgreSQL is not installed: apt-get install postgresql (the CI script does).")
    # Not under pytest's tmp folder: that one is private to this user, and the server runs as another.
    folder = Path(tempfile.mkdtemp(prefix="tailor-pg-"))
    data = folder / "data"
    user = _as_postgres_user()
    if user:
        os.chown(folder, user["user"], user["group"])
    run = lambda *cmd: subprocess.run(cmd, check=True, capture_output=True, text=True, **user)  # noqa: E731
    try:
        run(initdb, "-D", str(data), "-U", "tailor", "--auth=trust", "-E", "UTF8")
        run(
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
        )
        try:
            yield f"postgresql://tailor@127.0.0.1:{port}/postgres"
        finally:
            run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
    except subprocess.CalledProcessError as err:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        raise RuntimeError(f"{err.cmd[0]} failed: {err.stderr}\n{log[-2000:]}") from err
    finally:
        shutil.rmtree(folder, ignore_errors=True)
