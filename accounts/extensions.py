"""Where the apps above accounts add to its pages, so that accounts never names them.

The People section's menu holds the organisation's settings (the security policy, ...); an
app above that keeps an organisation-wide setting of its own (kpis: the webhooks) registers a
link here from its `AppConfig.ready()`, shown to whoever the function returns it for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import User


@dataclass(frozen=True)
class Link:
    label: str
    url: str


# A link in the People section's menu, for the person reading it (None: nothing for them).
PeopleSectionLink = Callable[[User], Link | None]

people_section_links: list[PeopleSectionLink] = []


def links_for_people_section(user: User) -> list[Link]:
    return [link for make in people_section_links if (link := make(user)) is not None]
