"""``python -m graph.serve``: start the LangGraph server for ``langgraph.json`` the safe way.

Without ``TAILOR_API_KEYS`` anyone who can reach the port can chat and read every thread, so the
server is only started on a loopback address then, and says so; with keys it may listen anywhere.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import sys

from graph.auth import configured_keys
from tools.settings import SettingsError, get_settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command(host: str, port: int) -> list[str]:
    langgraph = shutil.which("langgraph", path=os.path.dirname(sys.executable)) or "langgraph"
    return [langgraph, "dev", "--no-browser", "--no-reload", "--host", host, "--port", str(port)]


def main() -> int:
    settings = get_settings()
    try:
        keys = configured_keys()
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not keys and not is_loopback(settings.host):
        print(
            f"error: TAILOR_HOST={settings.host} would expose the agent without authentication. "
            f"Set TAILOR_API_KEYS (key:user,key:user or a file of key:user lines), or serve on "
            f"TAILOR_HOST=127.0.0.1.",
            file=sys.stderr,
        )
        return 2
    if keys:
        print(f"API keys for {len(set(keys.values()))} user(s): every request needs an x-api-key header.")
    else:
        print(
            f"No TAILOR_API_KEYS: listening on loopback only ({settings.host}); everyone on this machine "
            f"is the same user."
        )
    sys.stdout.flush()
    cmd = command(settings.host, settings.port)
    os.execv(cmd[0], cmd)
    return 0  # unreachable: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
