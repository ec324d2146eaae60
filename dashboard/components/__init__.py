"""Reusable pieces of the dashboard: the shell's filter bar and navbar, KPI and chart cards,
cross-filter chips, error and empty states. See dashboard/pages/README.md for how a page uses them."""
