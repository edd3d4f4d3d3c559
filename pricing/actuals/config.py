"""The ``actuals:`` section, as seen from the analyses: re-exported from ``pricing.actuals_config`` (the model layer).

``Plan.actuals`` holds the section; the plan-file reader and writer read and write it.
"""
from pricing.actuals_config import (DEFAULT_WINDOW, MATCH_KEYS, TOP_KEYS, ActualsConfig, CostColumn,
                                    ForecastMethod, LineOf, Rate, Rule, actuals_from_data, actuals_to_data,
                                    parse_date)

__all__ = ["DEFAULT_WINDOW", "MATCH_KEYS", "TOP_KEYS", "ActualsConfig", "CostColumn", "ForecastMethod", "LineOf",
           "Rate", "Rule", "actuals_from_data", "actuals_to_data", "parse_date"]
