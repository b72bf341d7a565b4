"""The reply worker: Huey tasks around a database-backed state machine.

build.py      build_worker(settings, options): the one wiring every entry point uses
queue.py      make_huey(settings), register_tasks(...) -> Tasks
consumer.py   the one Huey consumer (threads and scheduler), woken when work arrives
process.py    the server's worker in a child process, woken through a pipe
reuse.py      Graph clients reused across replies (one per account row version)
service.py    ReplyService.handle(key): one comment, exactly one reply
limits.py     cooldowns, caps, private-reply window, usage slowdown, back-off
sweeper.py    takes back comments a dead worker left in progress
reconcile.py  polls recent media for comments whose webhook never came
runtime.py    builds the pieces from Settings (engine, repositories, Graph, language)
metrics.py    prometheus-client counters, histogram and the queue-depth gauge
"""
