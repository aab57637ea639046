"""Shared machinery with no models, below every app: the API's HTTP edges and base classes,
htmx and form helpers, and validation that reports each problem at its field.

Nothing here imports an app of the project (see docs/architecture.md).
"""
