"""Operations: where reports come from, run summaries, task runners, deployments, alerts.

Plain functions the flows in ``flows/`` and the ``ocop-etl serve`` / ``automation`` commands
call; nothing here needs a Prefect run context except ``deployments`` and ``automations``,
which talk to the Prefect API.
"""
