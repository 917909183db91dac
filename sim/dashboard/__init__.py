"""The what-if dashboard: a Solara app for policy teams (`schoolsim-dashboard`).

One concept per module: `app` (page layout), `controls` (region, scheme and levers, built
from the config), `runner` (a run in a background thread, term by term, stoppable),
`charts` (gap, expertise, network), `compare` (baseline vs current), `exports` (tables and
figures to download), `server` (the console script).
"""
