"""A page's filters read from its address: a value the page cannot use is named in words and
dropped, so a misspelt filter shows more rows and says why instead of none or an error."""

from __future__ import annotations

from collections.abc import Collection, Mapping


def chosen_id(
    params: Mapping[str, str],
    name: str,
    allowed: Collection[int],
    *,
    label: str,
    among: str,
    problems: list[str],
) -> int | None:
    """The id the address gives as `name` when it is one of `allowed`; None when it gives none,
    or, with a sentence added to `problems`, when it gives one the page cannot use (not a
    number, or not among `allowed`: the same words whether it does not exist or the person
    may not see it). `among` says where it was looked for ("among your KPIs")."""
    text = params.get(name, "").strip()
    if not text:
        return None
    if text.isdigit() and int(text) in allowed:
        return int(text)
    problems.append(f"There is no {label} “{text}” {among}; showing every {label}.")
    return None
