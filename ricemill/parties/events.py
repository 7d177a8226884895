"""The party events: their payload contracts and the one place that publishes them (docs/realtime.md).

Only a party added or changed on its own (POST/PATCH /parties) publishes: a party found or created
from a document's names travels in that document's own event.
"""

from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish

_PARTY = "the party, as GET .../parties/{id} returns it (balance null: the pages read it over REST)"


@server_event(E["PARTY_CREATED"])
class PartyCreatedPayload(MillEventPayload):
    party = document_field(_PARTY)
    by = actor_field()


@server_event(E["PARTY_UPDATED"])
class PartyUpdatedPayload(MillEventPayload):
    party = document_field(_PARTY)
    by = actor_field()


def publish_party(name: str, party_dict: dict, mill_id, actor, summary: str) -> None:
    """`name` is E["PARTY_CREATED"] or E["PARTY_UPDATED"]."""
    publish(
        name,
        mill_id,
        {"party": party_dict, "by": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity={"type": "party", "id": party_dict["id"]},
    )
