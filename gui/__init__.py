"""AI Cost Planner application: the `aicost` command and the Qt desktop app."""
