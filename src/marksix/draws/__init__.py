"""Where the draws come from, and the one archive that merges them.

- archive.py: `DrawArchive`, the history, prize figures and next draw a user
  sees (the bundled draws plus those imported or fetched into the database);
- sqlite_reader.py: its standard-library read of a SQLite file (the fast path);
- bundled.py: the official history that ships in marksix/data/;
- files.py: CSV and JSON files of draws, for `marksix draws import`;
- hkjc.py: HKJC's results service, for `marksix draws update`;
- popularity_model.py: the popularity model's parameter files.
"""
