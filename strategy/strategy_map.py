"""The strategy map's layout: objectives as boxes in perspective rows, links as arrows.

Pure and without Django: it takes anything shaped like perspectives, objectives and links
(models or plain objects) and returns coordinates for `templates/strategy/_strategy_map.html`
to draw as SVG. Every box on a map has the same size, so the map reads as one picture; the
size shrinks as the busiest row fills up, and below a minimum width a row wraps onto further
lines instead, so 60 objectives stay legible. Boxes never overlap; every link between two
laid-out objectives gets an arrow.

Callers colour the map by passing `status_by_objective` (objective id → a status such as
"on_track"); each box then carries that status for a CSS class and its title.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

WIDTH = 1040
MARGIN = 12
LABEL_WIDTH = 132
GAP_X = 16
GAP_Y = 14
ROW_PADDING = 16
ROW_GAP = 10
BOX_WIDTH = 176
BOX_MIN_WIDTH = 104
BOX_PADDING = 8
NAME_LINES = 3
# An average glyph is about this fraction of the font size wide (system sans-serif).
GLYPH_WIDTH = 0.56
LINE_HEIGHT = 1.3


class MapPerspective(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def name(self) -> str: ...


class MapObjective(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def perspective_id(self) -> int: ...


class MapLink(Protocol):
    @property
    def cause_id(self) -> int: ...
    @property
    def effect_id(self) -> int: ...


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Box:
    objective_id: int
    code: str
    name: str
    x: float
    y: float
    width: float
    height: float
    font_size: float
    lines: tuple[TextLine, ...]
    status: str | None = None
    href: str | None = None

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def status_label(self) -> str:
        return (self.status or "").replace("_", " ")

    @property
    def title(self) -> str:
        label = f"{self.code} {self.name}"
        return f"{label} — {self.status_label}" if self.status else label


@dataclass(frozen=True)
class Row:
    perspective_id: int
    name: str
    x: float
    y: float
    width: float
    height: float
    label_lines: tuple[TextLine, ...]
    is_empty: bool


@dataclass(frozen=True)
class Arrow:
    cause_id: int
    effect_id: int
    path: str
    title: str


@dataclass(frozen=True)
class StrategyMap:
    width: float
    height: float
    rows: tuple[Row, ...]
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    statuses: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.boxes

    @property
    def has_hrefs(self) -> bool:
        return any(box.href for box in self.boxes)

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """(status, label) of each status shown, for the map's key."""
        return tuple((status, status.replace("_", " ")) for status in self.statuses)

    @property
    def summary(self) -> str:
        """One sentence for screen readers: what the map shows."""
        objectives = _plural(len(self.boxes), "objective")
        perspectives = _plural(len(self.rows), "perspective")
        links = _plural(len(self.arrows), "cause-effect link")
        return f"Strategy map: {objectives} in {perspectives}, {links}."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Words of `text` in lines of at most `width` characters, at most `max_lines` of them;
    a word longer than a line is cut, and text that does not fit ends with "…"."""
    width = max(width, 2)
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        kept[-1] = (last if len(last) < width else last[: width - 1]).rstrip("-") + "…"
        return kept
    return lines


def _box_width(largest_row: int, area: float) -> tuple[float, int]:
    """The common box width and how many boxes fit on one line of a row."""

    def fitting(width: float) -> int:
        return max(1, math.floor((area + GAP_X) / (width + GAP_X)))

    if largest_row <= fitting(BOX_WIDTH):
        return BOX_WIDTH, fitting(BOX_WIDTH)
    shrunk = (area - (largest_row - 1) * GAP_X) / largest_row
    if shrunk >= BOX_MIN_WIDTH:
        return shrunk, largest_row
    per_line = fitting(BOX_MIN_WIDTH)
    # Wrap: as many lines as needed, the boxes widened again to fill each line.
    return (area - (per_line - 1) * GAP_X) / per_line, per_line


def _arrow_path(cause: Box, effect: Box) -> str:
    """A cubic curve from the cause's edge to the effect's, ending where the arrowhead sits."""
    if effect.bottom <= cause.y:  # effect above: from the cause's top to the effect's bottom
        x1, y1, x2, y2 = cause.cx, cause.y, effect.cx, effect.bottom
        bend = max((y1 - y2) / 2, 12)
        c1, c2 = (x1, y1 - bend), (x2, y2 + bend)
    elif effect.y >= cause.bottom:  # effect below
        x1, y1, x2, y2 = cause.cx, cause.bottom, effect.cx, effect.y
        bend = max((y2 - y1) / 2, 12)
        c1, c2 = (x1, y1 + bend), (x2, y2 - bend)
    else:  # side by side on one line: arc over the boxes between them
        quarter = cause.width / 4
        direction = 1 if effect.cx > cause.cx else -1
        x1, y1 = cause.cx + direction * quarter, cause.y
        x2, y2 = effect.cx - direction * quarter, effect.y
        lift = min(ROW_PADDING + GAP_Y, 12 + abs(x2 - x1) / 8)
        c1, c2 = (x1, y1 - lift), (x2, y2 - lift)
    points = [(x1, y1), c1, c2, (x2, y2)]
    (a, b), (c, d), (e, f), (g, h) = ((round(x, 1), round(y, 1)) for x, y in points)
    return f"M {a} {b} C {c} {d}, {e} {f}, {g} {h}"


def layout(
    perspectives: Sequence[MapPerspective],
    objectives: Iterable[MapObjective],
    links: Iterable[MapLink],
    status_by_objective: Mapping[int, str] | None = None,
    *,
    href_by_objective: Mapping[int, str] | None = None,
    width: float = WIDTH,
) -> StrategyMap:
    """Lay out the map: one row per perspective, in the order given (top first).

    Objectives are placed in the order given within their perspective's row; objectives of a
    perspective not given, and links to objectives not laid out, are left out.
    """
    statuses = status_by_objective or {}
    hrefs = href_by_objective or {}
    by_row: dict[int, list[MapObjective]] = {perspective.pk: [] for perspective in perspectives}
    for objective in objectives:
        if objective.perspective_id in by_row:
            by_row[objective.perspective_id].append(objective)

    area_x = MARGIN + LABEL_WIDTH
    area = width - area_x - MARGIN
    largest = max((len(row) for row in by_row.values()), default=0)
    box_width, per_line = _box_width(largest, area)
    font_size = 13.0 if box_width >= 150 else 12.0 if box_width >= 124 else 11.0
    line_height = font_size * LINE_HEIGHT
    chars = int((box_width - 2 * BOX_PADDING) / (font_size * GLYPH_WIDTH))
    box_height = 2 * BOX_PADDING + (1 + NAME_LINES) * line_height

    rows: list[Row] = []
    boxes: list[Box] = []
    y = float(MARGIN)
    for perspective in perspectives:
        members = by_row[perspective.pk]
        lines_needed = max(1, math.ceil(len(members) / per_line))
        height = 2 * ROW_PADDING + lines_needed * box_height + (lines_needed - 1) * GAP_Y
        for index, objective in enumerate(members):
            line, column = divmod(index, per_line)
            on_line = min(per_line, len(members) - line * per_line)
            used = on_line * box_width + (on_line - 1) * GAP_X
            x = area_x + (area - used) / 2 + column * (box_width + GAP_X)
            top = y + ROW_PADDING + line * (box_height + GAP_Y)
            text_x = x + BOX_PADDING
            first = top + BOX_PADDING + font_size
            name_lines = wrap(objective.name, chars, NAME_LINES)
            boxes.append(
                Box(
                    objective_id=objective.pk,
                    code=objective.code,
                    name=objective.name,
                    x=round(x, 1),
                    y=round(top, 1),
                    width=round(box_width, 1),
                    height=round(box_height, 1),
                    font_size=font_size,
                    lines=(
                        TextLine(objective.code, round(text_x, 1), round(first, 1)),
                        *(
                            TextLine(text, round(text_x, 1), round(first + n * line_height, 1))
                            for n, text in enumerate(name_lines, start=1)
                        ),
                    ),
                    status=statuses.get(objective.pk),
                    href=hrefs.get(objective.pk),
                )
            )
        label = wrap(perspective.name, int((LABEL_WIDTH - 12) / (13 * GLYPH_WIDTH)), 3)
        label_top = y + height / 2 - (len(label) - 1) * 13 * LINE_HEIGHT / 2 + 4
        rows.append(
            Row(
                perspective_id=perspective.pk,
                name=perspective.name,
                x=MARGIN,
                y=round(y, 1),
                width=round(width - 2 * MARGIN, 1),
                height=round(height, 1),
                label_lines=tuple(
                    TextLine(text, MARGIN + 8, round(label_top + n * 13 * LINE_HEIGHT, 1))
                    for n, text in enumerate(label)
                ),
                is_empty=not members,
            )
        )
        y += height + ROW_GAP

    placed = {box.objective_id: box for box in boxes}
    arrows = tuple(
        Arrow(
            cause_id=link.cause_id,
            effect_id=link.effect_id,
            path=_arrow_path(placed[link.cause_id], placed[link.effect_id]),
            title=f"{placed[link.cause_id].code} → {placed[link.effect_id].code}",
        )
        for link in links
        if link.cause_id in placed and link.effect_id in placed
    )
    shown = tuple(sorted({box.status for box in boxes if box.status}))
    return StrategyMap(
        width=width,
        height=round(y - ROW_GAP + MARGIN, 1),
        rows=tuple(rows),
        boxes=tuple(boxes),
        arrows=arrows,
        statuses=shown,
    )
