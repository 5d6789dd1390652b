"""An automation that notifies a webhook when an OCOP flow run fails or crashes.

State hooks (``on_failure``) run inside the flow process, so they never fire when the process
is killed; an automation is evaluated by the Prefect server and catches ``Crashed`` too.
"""

from __future__ import annotations

from uuid import UUID

from ocop_etl.errors import ConfigError

AUTOMATION_NAME = "ocop-run-failed"
BLOCK_NAME = "ocop-ops-webhook"
# The flows this automation watches: other flows on the same Prefect server are not ours.
FLOW_NAMES = ["ocop-nightly", "ocop-reload", "ocop-ingest", "ocop-validate"]


def create_failure_automation(webhook_url: str, *, name: str = AUTOMATION_NAME) -> UUID:
    """Create (or replace) the webhook block and the automation; returns the automation id.

    The webhook receives JSON ``{"text": "<subject>\\n<body>"}`` — the shape Slack, Google
    Chat and Mattermost incoming webhooks accept.
    """
    if not webhook_url.startswith(("http://", "https://")):
        raise ConfigError("The webhook URL must start with http:// or https://")
    from prefect.automations import Automation, EventTrigger, SendNotification
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.events.schemas.automations import Posture

    # save()/create() are sync here (no event loop); typing sees their async twins too.
    block = CustomWebhookNotificationBlock(  # type: ignore[call-arg]  # headers/cookies optional
        name=BLOCK_NAME, url=webhook_url, json_data={"text": "{{subject}}\n{{body}}"}
    )
    block_id: UUID = block.save(BLOCK_NAME, overwrite=True)  # type: ignore[assignment]
    _delete_named(name)  # re-running the command replaces, never duplicates, the alert
    automation: Automation = Automation(  # type: ignore[assignment]
        name=name,
        description="Notify the operators' webhook when an OCOP flow run fails or crashes.",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAMES},
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[
            SendNotification(
                block_document_id=block_id,
                subject="OCOP flow run {{ flow_run.name }} ended {{ flow_run.state.name }}",
                body=(
                    "{{ flow.name }}: {{ flow_run.state.message }}\n"
                    "Open the run in the Prefect UI; after fixing the cause press Retry."
                ),
            )
        ],
    ).create()
    assert automation.id is not None, "the server assigns the id"
    return automation.id


def _delete_named(name: str) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        for existing in client.read_automations_by_name(name=name):
            client.delete_automation(existing.id)


__all__ = ["AUTOMATION_NAME", "BLOCK_NAME", "create_failure_automation"]
