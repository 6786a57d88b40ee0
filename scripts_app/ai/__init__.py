"""AI co-writing: the only code that talks to a model (client.py), what goes into a prompt (context.py,
prompts/), the requests and runs per level (generate.py), review of what comes back (review.py, hunks.py),
limits and cost (budget.py), Celery tasks (tasks.py) and live progress (live.py)."""
