"""Peak memory of a server or worker process and its children, sampled from outside (psutil)."""

from __future__ import annotations

import threading


class RssSampler(threading.Thread):
    """RSS of a process plus its children, sampled every `interval` seconds until `stop()`.

    Sampled from outside because ru_maxrss of a forked child starts at its parent's peak.
    """

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self.halt = threading.Event()

    def measure(self) -> int:
        """One sample now, in bytes (0 when the process is gone); updates the peak."""
        import psutil

        try:
            procs = [self.process, *self.process.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        self.peak = max(self.peak, total)
        self.samples += 1
        return total

    def run(self) -> None:
        while not self.halt.is_set():
            self.measure()
            self.halt.wait(self.interval)

    def stop(self) -> float:
        """Stop sampling; the peak in MiB."""
        self.halt.set()
        self.join(timeout=5)
        return self.peak / 1048576
