"""Pure Mark Six logic: no I/O, no globals beyond constants."""
