"""Savings scenarios: strategies as pure ``Plan -> Plan`` transforms, their savings and a Shapley attribution.

A scenario is a set of strategies with parameters (``Plan.scenarios``, read raw from the plan
file). Each strategy is a pure function of the plan (``dataclasses.replace``, never mutation)
that changes only the lines it applies to. ``apply`` runs a scenario's strategies in the
canonical order of ``STRATEGIES``; ``evaluate`` projects it against the baseline and splits
the saving between the strategies with Shapley values (exact for up to ``SHAPLEY_MAX``
strategies, a documented sequential split beyond). ``attribution_cents`` rounds that split to
cents so the shown parts add up to the shown total. docs/scenarios.md is the user's guide.

Modules: ``strategies`` (what each strategy takes, for users and forms), ``transforms`` (what
each does to a plan), ``applying`` (reading, checking and running a scenario), ``attribution``
(the saving and its Shapley split), ``presentation`` (the split in cents that add up).
"""
from pricing.scenarios.applying import apply, check_scenarios
from pricing.scenarios.attribution import SHAPLEY_MAX, ScenarioResult, evaluate, evaluate_all
from pricing.scenarios.presentation import RoundedAttribution, attribution_cents, summary_data
from pricing.scenarios.strategies import COMPUTE_SECTIONS, STRATEGIES, ParamInfo, StrategyInfo

__all__ = ["COMPUTE_SECTIONS", "STRATEGIES", "SHAPLEY_MAX", "ParamInfo", "StrategyInfo", "ScenarioResult",
           "RoundedAttribution", "apply", "check_scenarios", "evaluate", "evaluate_all", "attribution_cents",
           "summary_data"]
