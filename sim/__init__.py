"""Lean Library Trainer: the simulation core (no user interface code here).

The modules: `scenario` (schema and loading), `model` (SimPy), `metrics`, `experiment`
(replications and comparisons), `lean` (tools), `score`, `cli`. Import what you need from them;
this package imports nothing eagerly, so that worker processes start fast.
"""
