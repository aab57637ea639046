"""The demo organisation "Northwind Group", as plain data for `manage.py seed_demo`.

Everything here is declarative: who works where, the plan, its objectives and KPIs, and the
action plans. How the history is generated from it lives in the command. Dates are given as
offsets from the day the seed runs, so the demo always looks current.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Role
from actionplans.models import ActionPlan, Task
from kpis.models import Aggregation, Direction, Frequency
from strategy.models import Perspective

# The random generator's seed: the same seed gives the same history on every run.
SEED = 20240101
HISTORY_MONTHS = 24
PLAN_YEARS = 4
DEFAULT_PASSWORD = "demo"  # noqa: S105 - published in the README; the demo is for trying out
EMAIL_DOMAIN = "northwind.example"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    role: Role
    unit: str
    is_superuser: bool = False


@dataclass(frozen=True)
class PerspectiveSpec:
    kind: Perspective.Kind
    name: str
    order: int
    weight: Decimal


@dataclass(frozen=True)
class ObjectiveSpec:
    code: str
    perspective: Perspective.Kind
    name: str
    description: str
    owner: str
    unit: str
    weight: Decimal = Decimal(1)
    # In a department's plan: the code of the group objective this one supports (cascading).
    supports: str | None = None


@dataclass(frozen=True)
class KpiSpec:
    """A KPI and the shape of its history.

    `goal` and `red_flag` (and the band's upper edges for range KPIs) are the targets of the
    plan's first fiscal year; `growth` moves them by that fraction every fiscal year and
    `seasonal` swings monthly targets by that fraction over the year. A red flag of None is
    derived from `tolerance`, as the scoring does.

    `performance` places the actuals, in steps of the goal-to-red-flag distance: 0 lands on
    the goal, -1 on the red flag, +1 as far beyond the goal as the red flag is short of it.
    For range KPIs, 0 is the middle of the band and ±1 the red flags. `noise` is the spread.
    """

    code: str
    objective: str
    name: str
    measure_unit: str
    decimals: int
    direction: Direction
    frequency: Frequency
    aggregation: Aggregation
    goal: Decimal
    red_flag: Decimal | None
    goal_high: Decimal | None = None
    red_flag_high: Decimal | None = None
    tolerance: Decimal = Decimal("0.1")
    growth: float = 0.0
    seasonal: float = 0.0
    performance: float = 0.0
    noise: float = 0.6
    floor: Decimal | None = Decimal(0)
    ceiling: Decimal | None = None
    formula: str = ""
    updaters: tuple[str, ...] = ()
    # Leaves the latest month's actual missing, so the dashboard shows "no data" somewhere.
    reports_late: bool = False
    description: str = ""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    due: int  # days from today
    status: Task.Status
    percent_complete: int = 0
    is_milestone: bool = False
    owner: str | None = None  # None: the action plan's owner


@dataclass(frozen=True)
class ActionPlanSpec:
    objective: str
    name: str
    success_measure: str
    description: str
    start: int  # days from today
    due: int  # days from today
    status: ActionPlan.Status
    tasks: tuple[TaskSpec, ...]
    # Achievable and relevant: a draft leaves them out, so its SMART check shows what is missing.
    resources: str = "The owner's team, one day a week, and the unit's budget line."
    budget: Decimal | None = Decimal(25000)
    why: str = "It moves the objective's KPIs back to their goals."


ROOT_UNIT = UnitSpec("northwind", "Northwind Group")
UNITS = (
    ROOT_UNIT,
    UnitSpec("finance", "Finance", parent="northwind"),
    UnitSpec("sales", "Sales", parent="northwind"),
    UnitSpec("operations", "Operations", parent="northwind"),
    UnitSpec("people", "People", parent="northwind"),
)

PEOPLE = (
    PersonSpec("admin", "Morgan", "Reyes", Role.ADMIN, "northwind", is_superuser=True),
    PersonSpec("ceo", "Catherine", "Lindqvist", Role.EXECUTIVE, "northwind"),
    PersonSpec("head.finance", "Daniel", "Okafor", Role.MANAGER, "finance"),
    PersonSpec("head.sales", "Sofia", "Marin", Role.MANAGER, "sales"),
    PersonSpec("head.operations", "Raj", "Patel", Role.MANAGER, "operations"),
    PersonSpec("head.people", "Hannah", "Becker", Role.MANAGER, "people"),
    PersonSpec("analyst", "Leo", "Brandt", Role.CONTRIBUTOR, "sales"),
    PersonSpec("viewer", "Vera", "Novak", Role.VIEWER, "northwind"),
)

PLAN_NAME = "Northwind Group strategy"
VISION = "To be Northern Europe's most trusted partner for sustainable industrial supplies."
MISSION = (
    "We keep our customers' production running with the right parts, delivered on time, "
    "at a fair price, and with a smaller footprint every year."
)
VALUES = (
    "Customers first",
    "Own the result",
    "Keep it simple",
    "Safety always",
    "Learn every day",
)

PERSPECTIVES = (
    PerspectiveSpec(Perspective.Kind.FINANCIAL, "Financial", 1, Decimal("0.3")),
    PerspectiveSpec(Perspective.Kind.CUSTOMER, "Customer", 2, Decimal("0.3")),
    PerspectiveSpec(Perspective.Kind.INTERNAL, "Internal processes", 3, Decimal("0.2")),
    PerspectiveSpec(Perspective.Kind.LEARNING, "Learning & growth", 4, Decimal("0.2")),
)

_FIN = Perspective.Kind.FINANCIAL
_CUS = Perspective.Kind.CUSTOMER
_INT = Perspective.Kind.INTERNAL
_LRN = Perspective.Kind.LEARNING

OBJECTIVES = (
    ObjectiveSpec(
        "F1", _FIN, "Grow revenue",
        "Grow sales faster than the market, half of it from new products.",
        "head.sales", "sales", Decimal("1.5"),
    ),
    ObjectiveSpec(
        "F2", _FIN, "Improve profitability",
        "Lift the gross and operating margins through mix and pricing discipline.",
        "head.finance", "finance",
    ),
    ObjectiveSpec(
        "F3", _FIN, "Strengthen cash flow",
        "Turn profit into cash sooner so that growth finances itself.",
        "head.finance", "finance",
    ),
    ObjectiveSpec(
        "F4", _FIN, "Control operating costs",
        "Keep overheads flat while the business grows.",
        "head.finance", "finance",
    ),
    ObjectiveSpec(
        "C1", _CUS, "Win new customers",
        "Win mid-sized manufacturers in our three core regions.",
        "head.sales", "sales",
    ),
    ObjectiveSpec(
        "C2", _CUS, "Delight our customers",
        "Be easy to do business with, from quote to invoice.",
        "head.sales", "sales",
    ),
    ObjectiveSpec(
        "C3", _CUS, "Keep our customers",
        "Grow with the customers we have instead of replacing them.",
        "head.sales", "sales",
    ),
    ObjectiveSpec(
        "C4", _CUS, "Deliver on time, every time",
        "Customers plan their production around our delivery promise.",
        "head.operations", "operations",
    ),
    ObjectiveSpec(
        "P1", _INT, "Streamline order fulfilment",
        "Fewer hand-offs and less waiting between order and delivery.",
        "head.operations", "operations",
    ),
    ObjectiveSpec(
        "P2", _INT, "Build quality in",
        "Catch defects at the source instead of at the customer.",
        "head.operations", "operations",
    ),
    ObjectiveSpec(
        "P3", _INT, "Sharpen the sales pipeline",
        "A healthy, qualified pipeline that converts faster.",
        "head.sales", "sales",
    ),
    ObjectiveSpec(
        "P4", _INT, "Close the books faster",
        "Reliable numbers within a week of month end.",
        "head.finance", "finance",
    ),
    ObjectiveSpec(
        "L1", _LRN, "Develop our people's skills",
        "Everyone learns something that makes their work better, every month.",
        "head.people", "people",
    ),
    ObjectiveSpec(
        "L2", _LRN, "Keep engaged talent",
        "People who want to stay, and who recommend Northwind to their friends.",
        "head.people", "people",
    ),
    ObjectiveSpec(
        "L3", _LRN, "Create a safe workplace",
        "Everyone goes home healthy, every day.",
        "head.people", "people",
    ),
    ObjectiveSpec(
        "L4", _LRN, "Digitise the way we work",
        "Paper and spreadsheets give way to shared systems.",
        "head.operations", "operations",
    ),
)  # fmt: skip

# Cause → effect: the arrows of the strategy map, always pointing up a perspective or more.
OBJECTIVE_LINKS = (
    ("L1", "P1"),
    ("L1", "P2"),
    ("L1", "P3"),
    ("L2", "P1"),
    ("L2", "P3"),
    ("L3", "P2"),
    ("L4", "P1"),
    ("L4", "P4"),
    ("P1", "C4"),
    ("P1", "C2"),
    ("P1", "F4"),
    ("P2", "C2"),
    ("P2", "C3"),
    ("P3", "C1"),
    ("P4", "F3"),
    ("C1", "F1"),
    ("C2", "F1"),
    ("C3", "F1"),
    ("C3", "F2"),
    ("C4", "F3"),
)

_M = Frequency.MONTHLY
_Q = Frequency.QUARTERLY
_Y = Frequency.YEARLY
_UP = Direction.INCREASE
_DOWN = Direction.DECREASE
_BAND = Direction.RANGE
_SUM = Aggregation.SUM
_AVG = Aggregation.AVERAGE
_LAST = Aggregation.LAST
_MIN = Aggregation.MIN
_MAX = Aggregation.MAX
_D = Decimal
_PERCENT = _D(100)

KPIS = (
    # --- Financial ---------------------------------------------------------------------------
    KpiSpec(
        "REV", "F1", "Revenue", "kEUR", 0, _UP, _M, _SUM, _D(1250), None,
        tolerance=_D("0.08"), growth=0.08, seasonal=0.12, performance=0.1,
        description="Invoiced revenue, net of credit notes.",
    ),
    KpiSpec(
        "NEWREV", "F1", "Revenue from new products", "%", 1, _UP, _M, _AVG, _D(15), _D(11),
        growth=0.1, performance=-0.4, ceiling=_PERCENT, reports_late=True,
        description="Share of revenue from products launched in the last two years.",
    ),
    KpiSpec(
        "RECUR", "F1", "Recurring revenue share", "%", 1, _UP, _Q, _LAST, _D(38), _D(33),
        growth=0.05, performance=-0.2, ceiling=_PERCENT,
        description="Revenue under framework agreements and subscriptions.",
    ),
    KpiSpec(
        "GP", "F2", "Gross profit", "kEUR", 0, _UP, _M, _SUM, _D(440), None,
        tolerance=_D("0.08"), growth=0.08, seasonal=0.12, performance=-0.1,
    ),
    KpiSpec(
        "GM", "F2", "Gross margin", "%", 1, _UP, _M, _AVG, _D(35), _D(32),
        formula="100 * GP / REV", description="Calculated from gross profit and revenue.",
    ),
    KpiSpec(
        "EBITDA", "F2", "EBITDA margin", "%", 1, _UP, _Q, _AVG, _D(12), _D(9),
        growth=0.05, performance=-0.3, floor=None,
    ),
    KpiSpec(
        "ROCE", "F2", "Return on capital employed", "%", 1, _UP, _Y, _LAST, _D(14), _D(10),
        performance=0.2, floor=None,
    ),
    KpiSpec(
        "DSO", "F3", "Days sales outstanding", "days", 0, _DOWN, _M, _AVG, _D(45), _D(55),
        growth=-0.05, performance=-0.5,
    ),
    KpiSpec(
        "CASHMIN", "F3", "Lowest daily cash balance", "kEUR", 0, _UP, _M, _MIN, _D(800), _D(550),
        performance=0.3, floor=None,
    ),
    KpiSpec(
        "FCF", "F3", "Free cash flow", "kEUR", 0, _UP, _Q, _SUM, _D(600), _D(350),
        growth=0.1, performance=-0.2, floor=None,
    ),
    KpiSpec(
        "OPEX", "F4", "Operating expenses", "kEUR", 0, _DOWN, _M, _SUM, _D(310), None,
        tolerance=_D("0.05"), growth=0.03,
    ),
    KpiSpec(
        "BUDGETVAR", "F4", "Deviation from the cost budget", "%", 1, _BAND, _M, _AVG,
        _D(-2), _D(-5), goal_high=_D(2), red_flag_high=_D(5), performance=0.2, noise=0.5,
        floor=None, description="Both over- and under-spending point to poor planning.",
    ),
    # --- Customer ----------------------------------------------------------------------------
    KpiSpec(
        "LEADS", "C1", "Qualified leads", "leads", 0, _UP, _M, _SUM, _D(400), _D(340),
        growth=0.1, seasonal=0.1, performance=0.2, updaters=("analyst",),
    ),
    KpiSpec(
        "WON", "C1", "Deals won", "deals", 0, _UP, _M, _SUM, _D(90), _D(75),
        growth=0.1, seasonal=0.1, performance=-0.2, updaters=("analyst",),
    ),
    KpiSpec(
        "WINRATE", "C1", "Win rate", "%", 1, _UP, _M, _AVG, _D("22.5"), _D(19),
        formula="100 * WON / LEADS", description="Deals won per hundred qualified leads.",
    ),
    KpiSpec(
        "NEWCUST", "C1", "New customers", "customers", 0, _UP, _Q, _SUM, _D(45), _D(35),
        growth=0.1,
    ),
    KpiSpec(
        "NPS", "C2", "Net promoter score", "points", 0, _UP, _Q, _AVG, _D(40), _D(30),
        growth=0.05, performance=-0.3, floor=_D(-100), ceiling=_PERCENT,
    ),
    KpiSpec(
        "CSAT", "C2", "Customer satisfaction", "%", 1, _UP, _M, _AVG, _D(90), _D(85),
        performance=0.1, ceiling=_PERCENT, updaters=("analyst",),
    ),
    KpiSpec(
        "COMPL", "C2", "Complaints per 1,000 orders", "per 1,000", 2, _DOWN, _M, _AVG,
        _D(3), _D(5), growth=-0.1, performance=-0.3, reports_late=True,
    ),
    KpiSpec(
        "CHURN", "C3", "Customer churn", "%", 2, _DOWN, _M, _AVG, _D("1.5"), _D("2.5"),
        performance=-0.6,
    ),
    KpiSpec(
        "RETAIN", "C3", "Key-account retention", "%", 1, _UP, _Q, _LAST, _D(92), _D(88),
        performance=0.1, ceiling=_PERCENT,
    ),
    KpiSpec(
        "OTD", "C4", "On-time delivery", "%", 1, _UP, _M, _AVG, _D(95), _D(90),
        performance=-0.4, ceiling=_PERCENT,
    ),
    KpiSpec(
        "LEADTIME", "C4", "Order lead time", "days", 1, _DOWN, _M, _AVG, _D(5), _D(7),
        growth=-0.05, performance=0.2, noise=0.4,
    ),
    # --- Internal processes ------------------------------------------------------------------
    KpiSpec(
        "O2C", "P1", "Order-to-cash cycle", "days", 0, _DOWN, _M, _AVG, _D(32), _D(40),
        growth=-0.05, performance=-0.2,
    ),
    KpiSpec(
        "BACKLOG", "P1", "Peak order backlog", "orders", 0, _DOWN, _M, _MAX, _D(250), _D(320),
    ),
    KpiSpec(
        "INVDAYS", "P1", "Inventory days", "days", 0, _BAND, _M, _LAST, _D(30), _D(24),
        goal_high=_D(40), red_flag_high=_D(48), performance=0.3,
        description="Too little stock stops deliveries; too much ties up cash.",
    ),
    KpiSpec(
        "UTIL", "P1", "Capacity utilisation", "%", 1, _UP, _M, _AVG, _D(85), _D(75),
        performance=0.3, ceiling=_PERCENT, reports_late=True,
    ),
    KpiSpec(
        "DEFECT", "P2", "Defect rate", "ppm", 0, _DOWN, _M, _AVG, _D(500), _D(800),
        growth=-0.15, performance=-0.2,
    ),
    KpiSpec(
        "FPY", "P2", "First-pass yield", "%", 1, _UP, _M, _AVG, _D(97), _D(94),
        ceiling=_PERCENT,
    ),
    KpiSpec(
        "QINC", "P2", "Customer-reported quality incidents", "incidents", 0, _DOWN, _M, _SUM,
        _D(0), _D(3), performance=-0.3,
    ),
    KpiSpec(
        "PIPE", "P3", "Pipeline coverage", "x quota", 1, _UP, _M, _LAST, _D(3), _D("2.5"),
        performance=-0.3, updaters=("analyst",),
    ),
    KpiSpec(
        "SALESCYCLE", "P3", "Sales cycle length", "days", 0, _DOWN, _M, _AVG, _D(45), _D(60),
        performance=0.1, noise=0.4, updaters=("analyst",),
    ),
    KpiSpec(
        "CLOSE", "P4", "Days to close the books", "days", 0, _DOWN, _M, _MAX, _D(5), _D(8),
        noise=0.4,
    ),
    KpiSpec(
        "INVERR", "P4", "Invoice error rate", "%", 2, _DOWN, _M, _AVG, _D(1), _D(2),
        performance=-0.2,
    ),
    # --- Learning & growth -------------------------------------------------------------------
    KpiSpec(
        "TRAIN", "L1", "Training hours per employee", "hours", 1, _UP, _M, _SUM, _D(3), None,
        tolerance=_D("0.25"), performance=-0.1,
    ),
    KpiSpec(
        "CERT", "L1", "Staff with a current certification", "%", 1, _UP, _Q, _LAST,
        _D(60), _D(50), growth=0.08, performance=-0.2, ceiling=_PERCENT,
    ),
    KpiSpec(
        "ENGAGE", "L2", "Employee engagement index", "points", 0, _UP, _Y, _LAST, _D(72), _D(65),
        growth=0.03, ceiling=_PERCENT,
    ),
    KpiSpec(
        "TURNOVER", "L2", "Voluntary turnover (annualised)", "%", 1, _DOWN, _M, _AVG,
        _D(8), _D(12), performance=-0.4,
    ),
    KpiSpec(
        "ABSENT", "L2", "Absence rate", "%", 1, _DOWN, _M, _AVG, _D("3.5"), _D(5),
        performance=-0.1, reports_late=True,
    ),
    KpiSpec(
        "LTI", "L3", "Lost-time injuries", "injuries", 0, _DOWN, _M, _SUM, _D(0), _D(2),
        performance=0.2,
    ),
    KpiSpec(
        "DIGI", "L4", "Core processes digitised", "processes", 0, _UP, _Q, _LAST, _D(6), _D(4),
        growth=0.5, performance=-0.2,
    ),
    KpiSpec(
        "UPTIME", "L4", "Business systems availability", "%", 2, _UP, _M, _MIN,
        _D("99.5"), _D("98.5"), ceiling=_PERCENT,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DepartmentPlanSpec:
    """A department's plan cascaded from the group's: its objectives support the group's."""

    unit: str
    name: str
    vision: str
    objectives: tuple[ObjectiveSpec, ...]
    kpis: tuple[KpiSpec, ...]


# Drill-down on first start: two departments' plans whose objectives support the group's, each
# with one KPI off track.
DEPARTMENT_PLANS = (
    DepartmentPlanSpec(
        "sales", "Sales plan",
        "Every target customer in our regions knows us and buys from us.",
        objectives=(
            ObjectiveSpec(
                "F1-S", _FIN, "Grow revenue in the core regions",
                "North, Baltic and Central each grow faster than their market.",
                "head.sales", "sales", supports="F1",
            ),
            ObjectiveSpec(
                "C1-S", _CUS, "Open new accounts",
                "Mid-sized manufacturers who have never bought from us.",
                "head.sales", "sales", supports="C1",
            ),
        ),
        kpis=(
            KpiSpec(
                "S-REVN", "F1-S", "Revenue, North region", "kEUR", 0, _UP, _M, _SUM, _D(520), None,
                tolerance=_D("0.08"), growth=0.08, seasonal=0.12, performance=0.2,
            ),
            KpiSpec(
                "S-REVB", "F1-S", "Revenue, Baltic region", "kEUR", 0, _UP, _M, _SUM, _D(310),
                None, tolerance=_D("0.08"), growth=0.1, seasonal=0.12, performance=-1.9,
                noise=0.3, description="Behind since a large distributor changed supplier.",
            ),
            KpiSpec(
                "S-ACCT", "C1-S", "New accounts opened", "accounts", 0, _UP, _M, _SUM, _D(6),
                _D(4), performance=0.1, updaters=("analyst",),
            ),
        ),
    ),
    DepartmentPlanSpec(
        "operations", "Operations plan",
        "Every order leaves complete, correct and on the promised day.",
        objectives=(
            ObjectiveSpec(
                "C4-O", _CUS, "Ship complete orders",
                "No customer waits for the last line of an order.",
                "head.operations", "operations", supports="C4",
            ),
            ObjectiveSpec(
                "P2-O", _INT, "Cut defects at the source",
                "Inspections move from the dock to the line.",
                "head.operations", "operations", supports="P2",
            ),
        ),
        kpis=(
            KpiSpec(
                "O-FILL", "C4-O", "Order fill rate", "%", 1, _UP, _M, _AVG, _D(97), _D(94),
                performance=0.1, ceiling=_PERCENT,
            ),
            KpiSpec(
                "O-SCRAP", "P2-O", "Scrap rate", "%", 2, _DOWN, _M, _AVG, _D("1.5"), _D("2.5"),
                performance=-1.9, noise=0.3,
                description="Up since the new coating line started.",
            ),
        ),
    ),
)  # fmt: skip

# Short analyses the owners write, by how the period went.
ANALYSIS_AHEAD = (
    "Ahead of plan; we expect this to hold next month.",
    "Good month: the changes agreed last quarter are paying off.",
    "Above target thanks to a few large orders; not all of it will repeat.",
)
ANALYSIS_BEHIND = (
    "Slightly behind plan; watching it closely.",
    "Short of the goal, mainly timing: two items slipped into next month.",
    "Within tolerance, but the trend needs attention.",
)
ANALYSIS_FAILING = (
    "Well short of the goal; root-cause analysis under way.",
    "Off track: staff shortages in the second half of the month.",
    "A one-off problem with a supplier hit this month hard.",
)
CORRECTIVE_ACTIONS = (
    "Recovery plan agreed with the team; reviewed weekly until back on track.",
    "Escalated to the management meeting; extra capacity approved for next month.",
    "Owner to present a fix at the next monthly review.",
)

_DONE = Task.Status.DONE
_DOING = Task.Status.IN_PROGRESS
_TODO = Task.Status.TODO
_BLOCKED = Task.Status.BLOCKED
_RUNNING = ActionPlan.Status.ACTIVE

# Most objectives have an action plan; a negative due date that is not done is overdue.
ACTION_PLANS = (
    ActionPlanSpec(
        "F1", "Launch the Northwind Select product range",
        "Select range brings in 10 % of revenue within a year of launch",
        "A premium range of certified low-carbon consumables.",
        -240, 120, _RUNNING,
        (
            TaskSpec("Shortlist suppliers", -200, _DONE, 100),
            TaskSpec("Pilot with five key accounts", -90, _DONE, 100, is_milestone=True),
            TaskSpec("Train the sales team on the range", -20, _DOING, 60, owner="analyst"),
            TaskSpec("Full launch", 60, _TODO, is_milestone=True),
        ),
    ),
    ActionPlanSpec(
        "F3", "Tighten collections",
        "DSO at or below 45 days for three months in a row",
        "Chase overdue invoices systematically and agree better terms.",
        -180, 30, _RUNNING,
        (
            TaskSpec("Weekly overdue-invoice review", -150, _DONE, 100),
            TaskSpec("Automate payment reminders", -45, _DOING, 70),
            TaskSpec("Renegotiate terms with the 20 slowest payers", 20, _DOING, 30),
            TaskSpec("DSO review with the board", 30, _TODO, is_milestone=True),
        ),
    ),
    ActionPlanSpec(
        "F4", "Zero-based review of indirect costs",
        "Indirect costs 5 % below last year's budget",
        "Every indirect cost line justified from zero.",
        -300, -30, ActionPlan.Status.DONE,
        (
            TaskSpec("Map indirect spend by category", -270, _DONE, 100),
            TaskSpec("Agree savings with budget holders", -150, _DONE, 100, is_milestone=True),
            TaskSpec("Consolidate software licences", -60, _DONE, 100),
        ),
    ),
    ActionPlanSpec(
        "C1", "Account-based marketing for the top 50 prospects",
        "15 new customers from the target list within nine months",
        "Sales and marketing work the same 50 accounts together.",
        -120, 150, _RUNNING,
        (
            TaskSpec("Select the 50 target accounts", -100, _DONE, 100, owner="analyst"),
            TaskSpec("Write an account plan for each", -40, _DOING, 50, owner="analyst"),
            TaskSpec("First executive round-table", 45, _TODO, is_milestone=True),
        ),
    ),
    ActionPlanSpec(
        "C2", "Close the loop on customer feedback",
        "Every detractor called back within five working days; CSAT at least 90 %",
        "Ask after every delivery, and act on what we hear.",
        -200, 60, _RUNNING,
        (
            TaskSpec("Introduce the post-delivery survey", -170, _DONE, 100),
            TaskSpec("Set up the detractor call-back routine", -100, _DONE, 100),
            TaskSpec("Quarterly feedback review with Operations", -10, _BLOCKED, 40),
            TaskSpec("Publish 'you said, we did'", 40, _TODO),
        ),
    ),
    ActionPlanSpec(
        "C3", "Key-account retention programme",
        "Churn at or below 1.5 % a month",
        "A named account manager and a health score for every key account.",
        -90, 180, _RUNNING,
        (
            TaskSpec("Name an account manager for every key account", -60, _DONE, 100),
            TaskSpec("Key-account health score", 30, _DOING, 40, owner="analyst"),
            TaskSpec("Renewal playbook in use", 90, _TODO, is_milestone=True),
        ),
    ),
    ActionPlanSpec(
        "C4", "On-time delivery recovery",
        "On-time delivery at least 95 % for three months in a row",
        "Find out why deliveries are late and fix the biggest causes first.",
        -150, -5, _RUNNING,
        (
            TaskSpec("Root-cause the late deliveries", -120, _DONE, 100),
            TaskSpec("Daily dispatch stand-up", -90, _DONE, 100),
            TaskSpec("Second carrier for the northern routes", -15, _DOING, 50),
            TaskSpec("On-time delivery back at 95 %", -5, _TODO, is_milestone=True),
        ),
    ),
    ActionPlanSpec(
        "P1", "Lean order fulfilment",
        "Order-to-cash cycle at or below 32 days",
        "Take waiting and rework out of order handling.",
        -210, 120, _RUNNING,
        (
            TaskSpec("Value-stream map of order handling", -180, _DONE, 100, is_milestone=True),
            TaskSpec("5S in the main warehouse", -60, _DOING, 80),
            TaskSpec("Pick-to-light pilot", 50, _TODO),
            TaskSpec("Roll out to the second warehouse", 110, _TODO, is_milestone=True),
            TaskSpec("Retire the paper picking lists", 115, _TODO),
        ),
    ),
    ActionPlanSpec(
        "P2", "Six Sigma on the packaging line",
        "Defect rate below 500 ppm",
        "A structured improvement project on the line with most defects.",
        -160, 100, _RUNNING,
        (
            TaskSpec("Train two green belts", -120, _DONE, 100),
            TaskSpec("Measure the baseline defect rate", -80, _DONE, 100),
            TaskSpec("Fix the top three defect causes", -5, _DOING, 60),
            TaskSpec("Control plan signed off", 100, _TODO, is_milestone=True),
        ),
    ),
    ActionPlanSpec(
        "P4", "Fast close",
        "Books closed within five working days of month end",
        "Fewer manual steps between month end and the management report.",
        -120, 60, _RUNNING,
        (
            TaskSpec("Close calendar with named owners", -100, _DONE, 100),
            TaskSpec("Automate the bank reconciliation", -30, _DOING, 75),
            TaskSpec("First five-day close", 60, _TODO, is_milestone=True),
        ),
    ),
    ActionPlanSpec(
        "L1", "Northwind Academy",
        "Every employee completes 36 training hours a year",
        "One place for every course, with learning paths per role.",
        -270, 90, _RUNNING,
        (
            TaskSpec("Choose the learning platform", -240, _DONE, 100),
            TaskSpec("Publish the course catalogue", -150, _DONE, 100, is_milestone=True),
            TaskSpec("Certification path for operators", 30, _DOING, 20),
            TaskSpec("Coaching programme for managers", 80, _TODO),
        ),
    ),
    ActionPlanSpec(
        "L2", "Act on the engagement survey",
        "Engagement index at least 72 in the next survey",
        "Every team discusses its results and commits to two improvements.",
        -100, 200, ActionPlan.Status.ON_HOLD,
        (
            TaskSpec("Share the survey results with every team", -80, _DONE, 100),
            TaskSpec("Team action plans", -20, _DOING, 50),
            TaskSpec("Flexible-working policy", 60, _TODO),
        ),
    ),
    ActionPlanSpec(
        "L3", "Safety first campaign",
        "Six months without a lost-time injury",
        "Make near misses visible before they become injuries.",
        -60, 120, _RUNNING,
        (
            TaskSpec("Near-miss reporting app", -30, _DOING, 60),
            TaskSpec("A safety walk by every manager", 30, _TODO),
            TaskSpec("Six months without injury", 120, _TODO, is_milestone=True),
        ),
    ),
    # A draft that is not SMART yet: no resources, budget or reason, no linked KPI.
    ActionPlanSpec(
        "P3", "Supplier quality audits",
        "", "Audit the ten largest suppliers against the new quality standard.",
        10, 150, ActionPlan.Status.DRAFT,
        (TaskSpec("Agree the audit checklist", 40, _TODO),),
        resources="", budget=None, why="",
    ),
    ActionPlanSpec(
        "F3", "Factoring of receivables",
        "", "Sell overdue receivables to a factoring company.",
        -100, 60, ActionPlan.Status.CANCELLED, (),
    ),
)  # fmt: skip
