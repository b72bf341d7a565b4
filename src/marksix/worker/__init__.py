"""The reply worker: Huey tasks around a database-backed state machine.

queue.py      make_huey(settings), register_tasks(...) -> Tasks, run_worker_in_thread
service.py    ReplyService.handle(key): one comment, exactly one reply
limits.py     cooldowns, caps, private-reply window, usage slowdown, back-off
sweeper.py    takes back comments a dead worker left in progress
reconcile.py  polls recent media for comments whose webhook never came
runtime.py    builds the pieces from Settings (engine, repositories, Graph, language)
metrics.py    prometheus-client counters, histogram and the queue-depth gauge
"""
