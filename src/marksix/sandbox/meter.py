"""Call counting per account over a rolling window, reported the way Meta does.

Every Graph answer carries `X-App-Usage` and `X-Business-Use-Case-Usage`;
once an account's share reaches 100 % its calls fail with code 80002 until
enough calls leave the window (estimated_time_to_regain_access, in minutes).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable


class UsageMeter:
    def __init__(
        self,
        *,
        calls_per_window: int = 4800,
        window_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.calls_per_window = calls_per_window
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}
        self._forced: dict[str, tuple[float, float]] = {}  # account -> (percent, regain minutes)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._forced.clear()

    def force(self, account_id: str, percent: float, regain_access_minutes: float = 0.0) -> None:
        """Pretend the account has used `percent` of its budget (0 clears it)."""
        with self._lock:
            if percent <= 0:
                self._forced.pop(account_id, None)
            else:
                self._forced[account_id] = (percent, regain_access_minutes)

    def record(self, account_id: str) -> None:
        with self._lock:
            self._window(account_id).append(self._clock())

    def percent(self, account_id: str) -> float:
        with self._lock:
            return self._percent(account_id)

    def regain_access_minutes(self, account_id: str) -> float:
        """Minutes until the account is below 100 % again; 0 when it is not throttled."""
        with self._lock:
            if self._percent(account_id) < 100:
                return 0.0
            forced = self._forced.get(account_id)
            if forced is not None:
                return max(forced[1], 1.0)
            calls = self._window(account_id)
            overflow = len(calls) - self.calls_per_window
            leaving = calls[max(overflow, 0)] if calls else self._clock()
            seconds = leaving + self.window_seconds - self._clock()
            return float(max(1, math.ceil(seconds / 60)))

    def headers(self, account_id: str, regain_access_minutes: float = 0.0) -> dict[str, str]:
        percent = self.percent(account_id)
        regain = max(regain_access_minutes, self.regain_access_minutes(account_id))
        if regain > 0:
            percent = max(percent, 100.0)
        call_count = min(int(percent), 100)
        # Time shares track the count loosely, as they do on the real platform.
        cputime, total_time = call_count // 4, call_count // 3
        business = {
            account_id: [
                {
                    "type": "instagram",
                    "call_count": call_count,
                    "total_cputime": cputime,
                    "total_time": total_time,
                    "estimated_time_to_regain_access": math.ceil(regain),
                }
            ]
        }
        app = {
            "call_count": min(call_count, 99) // 2,
            "total_time": total_time // 2,
            "total_cputime": cputime // 2,
        }
        return {
            "X-Business-Use-Case-Usage": json.dumps(business, separators=(",", ":")),
            "X-App-Usage": json.dumps(app, separators=(",", ":")),
        }

    def _window(self, account_id: str) -> deque[float]:
        calls = self._calls.setdefault(account_id, deque())
        horizon = self._clock() - self.window_seconds
        while calls and calls[0] <= horizon:
            calls.popleft()
        return calls

    def _percent(self, account_id: str) -> float:
        measured = 100.0 * len(self._window(account_id)) / max(self.calls_per_window, 1)
        forced = self._forced.get(account_id, (0.0, 0.0))[0]
        return max(measured, forced)
