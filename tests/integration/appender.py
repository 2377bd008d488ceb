"""A writer process for the crash and concurrency tests, and the parent's handle on it.

Run as a script, it is the writer:

    python appender.py DB PRODUCTION STORE COUNT [--wait] [--pause]

It opens the existing store DB, prints ``ready``, (with ``--wait``) waits for a line on stdin,
then locks and unlocks STORE in turn through the application layer, COUNT times (0: until
killed). Each lock or unlock is one durable append; once ``set_lock`` has returned, the
entry's sequence number is printed on its own line and flushed, so the parent knows exactly
which appends were acknowledged. When the journal refuses with "The ledger is busy" (it lost
the race for the head too often; nothing was written), the writer prints ``busy`` and tries
again, as the refusal tells a person to. ``--pause`` rests 0-2 ms after each append, as a person
between two commands would: without it, a writer in a tight loop takes SQLite's write lock
again before a waiting writer's busy handler next looks, and the two take turns only rarely.

Imported, ``Appender`` starts such a process and always reaps it, with a timeout.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from coldcheck.app import handlers
from coldcheck.app.service import bootstrap
from coldcheck.app.settings import Settings
from coldcheck.domain.errors import Conflict

REAP_TIMEOUT = 30.0
BUSY = "The ledger is busy"  # the journal's refusal after too many lost races


class Appender:
    """One writer process; use it as a context manager so it is always reaped."""

    def __init__(
        self,
        db: Path,
        production: str,
        store: str,
        count: int = 0,
        *,
        wait: bool = False,
        pause: bool = False,
    ) -> None:
        command = [sys.executable, __file__, str(db), production, store, str(count)]
        command += ["--wait"] * wait + ["--pause"] * pause
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._out = b""
        self._err = b""

    def __enter__(self) -> Appender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGKILL)
        self._collect()

    def wait_ready(self, timeout: float = REAP_TIMEOUT) -> None:
        """Block until the writer has opened the store; raise if it dies or hangs first."""
        fd = self._stdout_fd()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._out:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the writer was not ready within {timeout} s")
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self._collect()
                    raise RuntimeError(f"the writer died before it was ready:\n{self.stderr}")
                self._out += chunk
        if not self._out.startswith(b"ready\n"):
            raise RuntimeError(f"the writer said {self._out[:80]!r} instead of ready")

    def go(self) -> None:
        """Release a writer started with ``wait=True``."""
        stdin = self._proc.stdin
        assert stdin is not None
        stdin.write(b"go\n")
        stdin.flush()

    def kill(self) -> None:
        """SIGKILL the writer: no clean-up, no flush, like a crash or a pulled plug."""
        self._proc.send_signal(signal.SIGKILL)
        self._collect()

    def finish(self, timeout: float = REAP_TIMEOUT) -> None:
        """Wait for a writer with a COUNT to finish; raise if it failed."""
        self._collect(timeout)
        if self._proc.returncode != 0:
            raise RuntimeError(f"the writer exited with {self._proc.returncode}:\n{self.stderr}")

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    @property
    def stderr(self) -> str:
        return self._err.decode(errors="replace")

    def acknowledged(self) -> list[int]:
        """The sequence numbers acknowledged so far, in order (complete lines only)."""
        return [int(line) for line in self._lines() if line not in (b"ready", b"busy")]

    def busy(self) -> int:
        """How often the writer was told the ledger was busy (and tried again)."""
        return self._lines().count(b"busy")

    def _lines(self) -> list[bytes]:
        return self._out.split(b"\n")[:-1]  # a cut-off last line was never acknowledged

    def _stdout_fd(self) -> int:
        stdout = self._proc.stdout
        assert stdout is not None
        return stdout.fileno()

    def _collect(self, timeout: float = REAP_TIMEOUT) -> None:
        """Reap the process and read everything it wrote (closes the pipes)."""
        if self._proc.stdout is None or self._proc.stdout.closed:
            return
        try:
            out, err = self._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            out, err = self._proc.communicate(timeout=REAP_TIMEOUT)
            self._out, self._err = self._out + out, self._err + err
            raise
        self._out, self._err = self._out + out, self._err + err


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    db, production, store, count = argv[0], argv[1], argv[2], int(argv[3])
    pause = "--pause" in argv
    app = bootstrap(Settings.load(db, env={"COLDCHECK_INSECURE_TEST_KDF": "1"}))
    try:
        app.state(production)  # read the ledger before saying ready: appending starts at once
        _say("ready")
        if "--wait" in argv:
            sys.stdin.readline()
        locked = app.state(production).stores[store].locked
        done = 0
        while count == 0 or done < count:
            try:
                appended = handlers.set_lock(app, production, "P01", store, not locked)
            except Conflict as refusal:
                if not refusal.message.startswith(BUSY):
                    raise
                _say("busy")  # nothing was written; try again, as the refusal says
                continue
            locked = not locked
            _say(str(appended.last_seq))
            done += 1
            if pause:
                time.sleep(random.uniform(0, 0.002))
    finally:
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
