"""A real Dovecot 2.3 IMAP server on loopback (../shared/RECIPES.md section 1).

The one server config for the test suite (tests/inquiries/conftest.py) and the benchmark
(bench/bench_inquiries.py), so the two cannot drift apart. Users come from a passwd file written
before the start; mail is kept as Maildir in a throwaway folder owned by the `dovecot` user
(never pytest's tmp_path: its base folder is mode 0700 and Dovecot drops privileges).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DOVECOT_CONF = """protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
auth_failure_delay = 0
disable_plaintext_auth = no
default_login_user = dovecot
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


# XOAUTH2 / OAUTHBEARER (RFC 7628): Dovecot asks an OAuth 2.0 introspection endpoint (RFC 7662)
# whether the access token is active and whose it is.
OAUTH2_CONF = """auth_mechanisms = plain login xoauth2 oauthbearer
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d}/oauth2.conf.ext
}}
"""
OAUTH2_EXT = """introspection_mode = post
introspection_url = {url}
username_attribute = email
active_attribute = active
active_value = true
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot exited: {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(port)


@dataclass
class DovecotServer:
    dir: Path
    port: int
    host: str = "127.0.0.1"

    def account(self, username: str, password: str) -> dict[str, object]:
        """Connection data of a user from the passwd file (the keys of `Mailbox` fields)."""
        return {"host": self.host, "port": self.port, "username": username, "password": password}


@contextlib.contextmanager
def dovecot_server(users: dict[str, str], *, oauth2_introspection_url: str = "") -> Iterator[DovecotServer]:
    """Dovecot with these users (name → password) on a free port; stopped by its PID afterwards.

    With `oauth2_introspection_url`, XOAUTH2 logins are checked against that endpoint."""
    d, port = Path(tempfile.mkdtemp(prefix="mw-imap-")), free_port()
    (d / "users").write_text("".join(f"{u}:{{PLAIN}}{pw}\n" for u, pw in users.items()))
    conf = DOVECOT_CONF.format(d=d, port=port)
    if oauth2_introspection_url:
        conf += OAUTH2_CONF.format(d=d)
        (d / "oauth2.conf.ext").write_text(OAUTH2_EXT.format(url=oauth2_introspection_url))
    (d / "dovecot.conf").write_text(conf)
    subprocess.run(["chown", "-R", "dovecot:dovecot", str(d)], check=True)
    proc = subprocess.Popen(
        ["setpriv", "--reuid=dovecot", "--regid=dovecot", "--init-groups",
         "dovecot", "-F", "-c", str(d / "dovecot.conf")]
    )  # fmt: skip
    try:
        _wait_port(port, proc)
        yield DovecotServer(d, port)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(d, ignore_errors=True)
