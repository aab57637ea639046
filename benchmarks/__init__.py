"""`make bench`: Bearing's figures at scale, each a ratio against the database's own limit.

`benchmarks.run` creates a scratch PostgreSQL database, seeds it with `seed_scale` and measures
the figures of `benchmarks.figures`; `benchmarks.baseline` is the hand-written SQL statement
the scorecard is measured against. See benchmarks/README.md for the figures reached.
"""
