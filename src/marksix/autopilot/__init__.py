"""The draw-day autopilot: the public record of every line the bot gave.

    ledger.py        pure: which draw a line belongs to, the canonical
                     serialisation and its SHA-256 commitment, settlement
                     against the exact expectation under random play
    record_store.py  the frozen ledgers in the database, read from the
                     replies the worker stored
    record_chart.py  the per-draw SVG of our lines against chance
    record_page.py   the public, read-only /record page

The store is reached through `collect_lines` and `draw_lookup`, two narrow
functions, so the worker and archive wiring can change underneath.
"""
