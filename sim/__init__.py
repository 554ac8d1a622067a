"""Lean Library Trainer: the simulation core (no user interface code here)."""

from .experiment import Comparison, Results, compare, run_experiment
from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["Comparison", "Results", "Scenario", "ScenarioError", "compare", "load_scenario", "parse_scenario", "run_experiment"]
