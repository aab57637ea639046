"""What every write reports: where a value comes from (`Source`), what a write did (`Outcome`)."""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    """Who sends a value, which decides whether an off-track one needs a corrective action.

    People (My updates, imports) are asked for it before the value is saved. Integrations
    (the API) cannot answer: their value is saved, and an off-track actual without a corrective
    action shows as awaiting a comment from its owner on My updates.
    """

    PERSON = "person"
    INTEGRATION = "integration"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
