"""AI Cost Planner engine: plans, prices and projections; pure Python + numpy, never Qt."""
