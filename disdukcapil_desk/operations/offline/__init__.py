"""Working offline and coming back (operations layer; ``docs/offline.md``).

- ``numbers``: blocks of request numbers reserved on the server per workstation and day, and
  the offline walk-in's number drawn from them.
- ``copy``: the local copy (a SQLite desk database of the same schema plus
  ``db/offline_models.py``): reference data, the office's users and open requests it holds or
  may claim, with attachments; refreshed while online.
- ``journal``: every change made on the copy is recorded, in order, in the transaction of the
  change (``DeskContext.before_commit``), with the server version it was made against.
- ``desk``: the officer's actions on the copy (the same signatures as online), each journaled.
- ``sync``: the journal replayed under the server's rules, each entry settled once
  (``offline_applied``), conflicts kept for the officer to resolve.
"""
