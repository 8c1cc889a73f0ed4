"""Long jobs the web app starts (ingest, promotion through the eval gate, training).

Each one is a CLI subprocess, so a job runs exactly what a user would type and a crash in it cannot take the
server down.

A job belongs to the user who started it (others get a 404, as for threads). Its progress is read
from the tqdm bars every CLI already prints (``desc: 40%|...| 4/10 [...]``), and its loss from the
trainer's log lines (``{'loss': '1.23', ...}``, printed right after the bar reached that step), so
there is no second progress protocol to keep in step.
Stopping sends SIGINT first: the trainers and the registry then discard their staging folders and
half-written checkpoints, exactly as for Ctrl-C; a job still alive after the grace period is killed.
Jobs live in this process only; the server stops its jobs when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

BAR = re.compile(r"^(?:(?P<desc>[^:|]{1,60}):\s*)?(?P<pct>\d{1,3})%\|.*?\|\s*(?P<n>\d+)/(?P<total>\d+)")
LOGGED_LOSS = re.compile(r"^\{'loss': '?(?P<loss>-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)'?")
STOP_GRACE_SECONDS = 20.0
LOG_LINES = 400
KEEP_FINISHED = 50


class JobError(ValueError):
    """A job that cannot be started or found; the message says why."""


class LossPoint(TypedDict):
    """One logged training loss and the step it was logged at."""

    step: int
    loss: float


@dataclass
class Job:
    """One job: its command, owner, status, progress, loss curve, log tail and result."""

    kind: str
    owner: str
    argv: list[str]
    title: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = "running"  # running | succeeded | failed | stopped
    created: float = field(default_factory=time.time)
    finished: float | None = None
    returncode: int | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    loss: list[LossPoint] = field(default_factory=list)
    log: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_LINES))
    result: dict[str, Any] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    stop_requested: bool = False

    def read_line(self, line: str) -> None:
        """Take one line (or one carriage-return update of a bar) of the job's output."""
        line = line.strip()
        if not line:
            return
        bar = BAR.match(line)
        if bar is not None:
            self.progress = {
                "stage": (bar["desc"] or "training").strip(),
                "n": int(bar["n"]),
                "total": int(bar["total"]),
                "percent": int(bar["pct"]),
            }
            return
        self.log.append(line)
        loss = LOGGED_LOSS.match(line)
        if loss and self.progress.get("stage") == "training":
            step = int(self.progress["n"])
            if self.loss and self.loss[-1]["step"] >= step:  # a second trainer in one job (SFT then DPO) starts again
                step = self.loss[-1]["step"] + 1
            self.loss.append({"step": step, "loss": float(loss["loss"])})

    def as_dict(self, log_lines: int = 40) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "owner": self.owner,
            "status": self.status,
            "created": self.created,
            "finished": self.finished,
            "returncode": self.returncode,
            "progress": self.progress,
            "loss": self.loss,
            "result": self.result,
            "log": list(self.log)[-log_lines:],
        }


class JobRunner:
    """Starts, lists and stops jobs; ``on_finish`` (per job) turns its log into a result."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    async def start(
        self,
        kind: str,
        owner: str,
        argv: list[str],
        *,
        title: str = "",
        env: dict[str, str] | None = None,
        on_finish: Callable[[Job], dict[str, Any]] | None = None,
    ) -> Job:
        job = Job(kind=kind, owner=owner, argv=argv, title=title)
        job.process = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,
        )
        self._jobs[job.id] = job
        self._forget_old()
        asyncio.get_running_loop().create_task(self._follow(job, on_finish))
        return job

    async def _follow(self, job: Job, on_finish: Callable[[Job], dict[str, Any]] | None) -> None:
        assert job.process is not None and job.process.stdout is not None
        pending = ""
        while chunk := await job.process.stdout.read(4096):
            # tqdm redraws a bar with "\r"; each redraw is a progress update, not a log line.
            pending += chunk.decode("utf-8", errors="replace")
            *lines, pending = re.split(r"[\r\n]", pending)
            for line in lines:
                job.read_line(line)
        job.read_line(pending)
        job.returncode = await job.process.wait()
        job.finished = time.time()
        job.status = "stopped" if job.stop_requested else "succeeded" if job.returncode == 0 else "failed"
        if on_finish is not None:
            try:
                job.result = on_finish(job)
            except Exception as err:  # a result that cannot be read must not hide the job's own status
                job.result = {"error": f"could not read the job's result: {err}"}

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if j.finished), key=lambda j: j.finished or 0)
        for job in finished[:-KEEP_FINISHED]:
            self._jobs.pop(job.id, None)

    def list(self, owner: str) -> list[Job]:
        return sorted((j for j in self._jobs.values() if j.owner == owner), key=lambda j: j.created, reverse=True)

    def get(self, job_id: str, owner: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None or job.owner != owner:  # someone else's job is as absent as a missing one
            raise JobError(f"job {job_id} not found.")
        return job

    def running(self, kind: str, key: str) -> Job | None:
        """A running job of ``kind`` whose title is ``key`` (one ingest per collection, one training per adapter)."""
        return next(
            (j for j in self._jobs.values() if j.kind == kind and j.title == key and j.status == "running"), None
        )

    async def stop(self, job_id: str, owner: str) -> Job:
        job = self.get(job_id, owner)
        if job.status != "running" or job.process is None:
            return job
        job.stop_requested = True
        _signal(job.process, signal.SIGINT)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(job.process.wait(), STOP_GRACE_SECONDS)
        if job.process.returncode is None:
            _signal(job.process, signal.SIGKILL)
        return job

    async def stop_all(self) -> None:
        await asyncio.gather(
            *(self.stop(j.id, j.owner) for j in list(self._jobs.values()) if j.status == "running"),
            return_exceptions=True,
        )


def _signal(process: asyncio.subprocess.Process, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # the job's own session: its children (compilers, workers) stop too


def python_module(module: str, *args: str) -> list[str]:
    """The command line for ``python -m module args`` with this server's interpreter."""
    return [sys.executable, "-m", module, *args]
