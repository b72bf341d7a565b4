"""The simulator's memory across restarts: its state as one JSON file in the data folder.

Instagram does not forget a comment because our server restarted, so the
simulator must not either: a reply queued before a restart still finds its
comment after it. One `StateFile` keeps any number of tracked objects:

    state_file = StateFile(home / "sandbox-state.json")
    state_file.track("state", simulator_state, lock=simulator_state._lock)
    state_file.track("oauth", oauth_codes)        # any object holding plain dataclasses
    state_file.start()                            # saves every `every` seconds when changed
    ...
    state_file.close()                            # and once more at shutdown

What is kept, generically, so new simulator state needs no code here: every
attribute of a tracked object that is a dict, list, set or dataclass
instance, with whatever they hold (dataclasses of `marksix.sandbox`
modules, numbers, text, tuples, sets, nested containers), plus the scalar
attributes named in the object's `PERSISTED_EXTRA`. Scalars are
configuration (limits, timings) and come from the new start, not the file.
Callables, locks and clients are never kept. A field added to a dataclass
later gets its default when an older file is read; a field removed is
dropped. The file is replaced atomically (write, fsync, rename), so a kill
mid-save leaves the previous one; a SIGKILL loses at most `every` seconds.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger("marksix.sandbox.persist")

#: Dataclasses are rebuilt only from these modules: the file names classes, and a
#: hand-edited one must not be able to make us import anything else.
ALLOWED_MODULES = ("marksix.sandbox.",)
FORMAT = 1


class Unencodable(TypeError):
    """A value the state file does not keep (a callable, a lock, a client)."""


def encode(value: Any) -> Any:
    """JSON-ready data; dataclasses, tuples, sets and non-text keys are tagged."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        fields = {item.name: encode(getattr(value, item.name)) for item in dataclasses.fields(value)}
        return {"~dataclass": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {"~tuple": [encode(item) for item in value]}
    if isinstance(value, set | frozenset):
        return {"~set": [encode(item) for item in value], "frozen": isinstance(value, frozenset)}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {"~dict": {key: encode(item) for key, item in value.items()}}
        return {"~items": [[encode(key), encode(item)] for key, item in value.items()]}
    raise Unencodable(f"cannot keep a {type(value).__name__}")


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "~dict" in data:
        return {key: decode(item) for key, item in data["~dict"].items()}
    if "~items" in data:
        return {_hashable(decode(key)): decode(item) for key, item in data["~items"]}
    if "~tuple" in data:
        return tuple(decode(item) for item in data["~tuple"])
    if "~set" in data:
        items = {_hashable(decode(item)) for item in data["~set"]}
        return frozenset(items) if data.get("frozen") else items
    if "~dataclass" in data:
        return _rebuild(str(data["~dataclass"]), data.get("fields", {}))
    raise ValueError(f"unknown entry in the state file: {sorted(data)[:3]}")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _rebuild(name: str, fields: dict[str, Any]) -> Any:
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(ALLOWED_MODULES):
        raise ValueError(f"the state file names {name!r}, outside the simulator")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    if not (isinstance(target, type) and dataclasses.is_dataclass(target)):
        raise ValueError(f"{name!r} is not a dataclass")
    known = {item.name: item for item in dataclasses.fields(target)}
    values = {key: decode(value) for key, value in fields.items() if key in known}
    built = target(**{key: value for key, value in values.items() if known[key].init})
    for key, value in values.items():
        if not known[key].init:
            object.__setattr__(built, key, value)
    return built


def snapshot(holder: object) -> dict[str, Any]:
    """The kept attributes of one object (see the module docstring)."""
    extra = set(getattr(type(holder), "PERSISTED_EXTRA", ()))
    kept: dict[str, Any] = {}
    for name, value in vars(holder).items():
        container = isinstance(value, dict | list | set | frozenset) or (
            dataclasses.is_dataclass(value) and not isinstance(value, type)
        )
        if not (container or name in extra):
            continue
        try:
            kept[name] = encode(value)
        except Unencodable:
            continue  # e.g. a dict of callbacks: not state
    return kept


def restore(holder: object, kept: dict[str, Any]) -> list[str]:
    """Put kept attributes back on `holder`; only names it has now, so a renamed one is dropped."""
    restored = []
    for name, data in kept.items():
        if name in vars(holder):
            setattr(holder, name, decode(data))
            restored.append(name)
    return restored


class StateFile:
    """Tracked objects saved to `path` every `every` seconds (when changed) and at `close()`."""

    def __init__(self, path: Path, *, every: float = 2.0) -> None:
        self.path = path
        self.every = every
        self._tracked: dict[str, tuple[object, Callable[[], AbstractContextManager[Any]]]] = {}
        self._saved: dict[str, Any] = self._read()
        self._last_written: bytes | None = None
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def track(self, name: str, holder: object, *, lock: AbstractContextManager[Any] | None = None) -> bool:
        """Keep `holder` under `name`, restoring it now from the file; True if it was restored."""
        self._tracked[name] = (holder, (lambda: lock) if lock is not None else nullcontext)
        kept = self._saved.get(name)
        if not isinstance(kept, dict):
            return False
        try:
            with self._tracked[name][1]():
                restored = restore(holder, kept)
        except (ValueError, TypeError, KeyError, AttributeError, ImportError) as problem:
            log.warning("simulator_state_unreadable", part=name, error=f"{type(problem).__name__}: {problem}")
            return False
        log.info("simulator_state_restored", part=name, path=str(self.path), attributes=len(restored))
        return bool(restored)

    def save(self) -> bool:
        """Write the file if anything changed since the last write; True when written."""
        parts: dict[str, Any] = {}
        for name, (holder, lock) in list(self._tracked.items()):
            with lock():
                parts[name] = snapshot(holder)
        data = json.dumps({"format": FORMAT, "parts": parts}, ensure_ascii=False, separators=(",", ":"))
        encoded = data.encode()
        with self._write_lock:
            if encoded == self._last_written:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                handle.write(encoded)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            self._last_written = encoded
        return True

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="simulator-state", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._save_logged()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._save_logged()

    def _save_logged(self) -> None:
        try:
            self.save()
        except OSError as problem:  # a full disk must not stop the simulator; the next save retries
            log.warning("simulator_state_not_saved", path=str(self.path), error=str(problem))

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as problem:
            log.warning("simulator_state_unreadable", path=str(self.path), error=str(problem))
            return {}
        try:
            data = json.loads(raw)
        except ValueError as problem:
            # Kept aside for a look, not overwritten: the next save starts a fresh file.
            aside = self.path.with_name(self.path.name + ".bad")
            os.replace(self.path, aside)
            log.warning(
                "simulator_state_unreadable", path=str(self.path), moved_to=str(aside), error=str(problem)
            )
            return {}
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or not isinstance(data.get("parts"), dict)
        ):
            log.warning("simulator_state_unreadable", path=str(self.path), error="not a simulator state file")
            return {}
        parts: dict[str, Any] = data["parts"]
        return parts
