"""Plan against actual: import real bills (FOCUS, OpenAI, Anthropic), map them to plan lines, variance, re-forecast."""
