"""The strategy map's layout: rows per perspective, boxes that never overlap, an arrow per link."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, pairwise

from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from strategy.strategy_map import BOX_MIN_WIDTH, Box, StrategyMap, layout, wrap


@dataclass
class P:
    pk: int
    name: str


@dataclass
class Obj:
    pk: int
    code: str
    name: str
    perspective_id: int


@dataclass
class L:
    cause_id: int
    effect_id: int


FOUR = [
    P(1, "Financial"),
    P(2, "Customer"),
    P(3, "Internal processes"),
    P(4, "Learning & growth"),
]
LONG_NAME = "Improve the onboarding of new enterprise customers in every region we serve"


def objectives(counts: list[int], name: str = "Grow revenue") -> list[Obj]:
    """counts[i] objectives in the i-th of the four perspectives, numbered 1, 2, …"""
    result = []
    for perspective, count in zip(FOUR, counts, strict=False):
        for _ in range(count):
            pk = len(result) + 1
            result.append(Obj(pk, f"X{pk}", name, perspective.pk))
    return result


def overlap(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def assert_well_formed(strategy_map: StrategyMap) -> None:
    for a, b in combinations(strategy_map.boxes, 2):
        assert not overlap(a, b), (a.code, b.code)
    for box in strategy_map.boxes:
        assert box.x >= 0
        assert box.right <= strategy_map.width
        assert box.y >= 0
        assert box.bottom <= strategy_map.height


def chain_links(items: list[Obj]) -> list[L]:
    return [L(a.pk, b.pk) for a, b in pairwise(items)]


def test_each_perspective_is_a_row_in_the_order_given_top_first():
    strategy_map = layout(FOUR, objectives([1, 1, 1, 1]), [])

    assert [row.name for row in strategy_map.rows] == [p.name for p in FOUR]
    tops = [row.y for row in strategy_map.rows]
    assert tops == sorted(tops)


def test_every_box_lies_within_its_perspectives_row():
    items = objectives([3, 5, 2, 4])
    strategy_map = layout(FOUR, items, [])

    rows = {row.perspective_id: row for row in strategy_map.rows}
    by_id = {o.pk: o for o in items}
    for box in strategy_map.boxes:
        row = rows[by_id[box.objective_id].perspective_id]
        assert row.y <= box.y
        assert box.bottom <= row.y + row.height


def test_twenty_objectives_fit_one_line_per_row_in_readable_boxes():
    strategy_map = layout(FOUR, objectives([5, 5, 5, 5], LONG_NAME), [])

    assert_well_formed(strategy_map)
    assert len({box.y for box in strategy_map.boxes}) == 4  # one line of boxes per row
    assert all(box.width >= 140 for box in strategy_map.boxes)
    assert all(box.font_size >= 12 for box in strategy_map.boxes)


def test_sixty_objectives_are_laid_out_without_overlapping_and_every_link_has_an_arrow():
    items = objectives([15, 15, 15, 15], LONG_NAME)
    links = chain_links(items)

    strategy_map = layout(FOUR, items, links)

    assert len(strategy_map.boxes) == 60
    assert_well_formed(strategy_map)
    assert all(box.width >= BOX_MIN_WIDTH for box in strategy_map.boxes)
    assert [(a.cause_id, a.effect_id) for a in strategy_map.arrows] == [
        (link.cause_id, link.effect_id) for link in links
    ]
    assert all(arrow.path.startswith("M ") and " C " in arrow.path for arrow in strategy_map.arrows)


def test_a_crowded_row_wraps_onto_further_lines_instead_of_shrinking_boxes_away():
    strategy_map = layout(FOUR, objectives([24, 1, 1, 1]), [])

    assert_well_formed(strategy_map)
    first_row = [box for box in strategy_map.boxes if box.objective_id <= 24]
    assert len({box.y for box in first_row}) > 1
    assert min(box.width for box in first_row) >= BOX_MIN_WIDTH


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=25), min_size=4, max_size=4))
def test_no_two_boxes_ever_overlap(counts):
    items = objectives(counts)

    strategy_map = layout(FOUR, items, chain_links(items))

    assert len(strategy_map.boxes) == sum(counts)
    assert_well_formed(strategy_map)
    assert len(strategy_map.arrows) == max(0, sum(counts) - 1)


def test_an_arrow_from_a_lower_row_runs_from_the_causes_top_to_the_effects_bottom():
    financial = Obj(1, "F1", "Grow revenue", 1)
    learning = Obj(2, "L1", "Build skills", 4)

    strategy_map = layout(FOUR, [financial, learning], [L(2, 1)])

    boxes = {box.objective_id: box for box in strategy_map.boxes}
    [arrow] = strategy_map.arrows
    start, end = arrow.path.split(" C ")[0], arrow.path.split(", ")[-1]
    assert start == f"M {boxes[2].cx} {boxes[2].y}"
    assert end == f"{boxes[1].cx} {boxes[1].bottom}"
    assert arrow.title == "L1 → F1"


def test_links_to_objectives_not_on_the_map_are_left_out():
    strategy_map = layout(FOUR, objectives([1, 1, 0, 0]), [L(1, 2), L(1, 99)])

    assert [(a.cause_id, a.effect_id) for a in strategy_map.arrows] == [(1, 2)]


def test_statuses_colour_the_boxes_and_name_themselves_in_the_title_and_key():
    strategy_map = layout(
        FOUR, objectives([2, 0, 0, 0]), [], status_by_objective={1: "on_track", 2: "off_track"}
    )

    assert [box.status for box in strategy_map.boxes] == ["on_track", "off_track"]
    assert strategy_map.boxes[1].title == "X2 Grow revenue — off track"
    assert strategy_map.legend == (("off_track", "off track"), ("on_track", "on track"))


def test_long_names_wrap_into_at_most_three_lines_ending_in_an_ellipsis():
    lines = wrap(LONG_NAME, 18, 3)

    assert len(lines) == 3
    assert all(len(line) <= 18 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap("Grow revenue", 18, 3) == ["Grow revenue"]


def test_the_summary_counts_what_the_map_shows():
    strategy_map = layout(FOUR, objectives([1, 1, 0, 0]), [L(2, 1)])

    assert strategy_map.summary == (
        "Strategy map: 2 objectives in 4 perspectives, 1 cause-effect link."
    )


def test_an_empty_plan_gives_an_empty_map():
    assert layout(FOUR, [], []).is_empty


def test_the_map_template_draws_the_boxes_codes_and_arrows_as_svg():
    strategy_map = layout(
        FOUR,
        [Obj(1, "F1", "Grow revenue", 1), Obj(2, "C1", "Delight customers", 2)],
        [L(2, 1)],
        status_by_objective={1: "at_risk"},
    )

    html = render_to_string(
        "strategy/_strategy_map.html", {"map": strategy_map, "map_id": "test-map"}
    )

    assert html.count('class="map-link"') == 1
    assert 'marker-end="url(#test-map-arrow)"' in html
    assert ">F1</tspan>" in html
    assert ">C1</tspan>" in html
    assert 'class="map-objective status-at_risk"' in html
    assert "style=" not in html  # the Content-Security-Policy allows no inline style
