"""Periodic KPI variance reports: stored snapshots of a plan's scorecard for one period.

`selectors.report_snapshot` computes a report's lines and summary through `plan_scorecard`
(the pages' own engine, a fixed number of queries); `services.variance_report_compute` stores
it, replacing the period's earlier snapshot in one transaction; `kpis.tasks` runs it in the
background.
"""
