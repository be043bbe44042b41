"""The contract every ``CommerceBackend`` must honour. Subclass ``BackendContract`` and provide the
``backend`` and ``data`` fixtures (see test_contract_sqlite.py); a platform backend runs the same tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from assistant.commerce.backend import CommerceBackend, EditRequest, Undo
from assistant.commerce.edits import Change, PostageChange, PriceChange, RemarkChange
from assistant.commerce.models import RiskFlag
from knowledge.errors import Conflict, NotFound
from knowledge.errors import Invalid as BadRequest
from knowledge.models import Agent


@dataclass
class ContractData:
    shop_id: int
    nick: str  # a buyer with at least the two orders below
    unpaid_order_id: str  # awaiting payment, price 10,000 fen, version 1
    shipped_order_id: str  # shipped, version 1
    agent: Agent
    supervisor: Agent


def request(
    order_id: str, agent: Agent, change: Change | Undo, version: int = 1, key: str = ""
) -> EditRequest:
    key = key or uuid.uuid4().hex
    return EditRequest(
        order_id=order_id,
        agent=agent,
        version=version,
        change=change,
        reason="contract",
        idempotency_key=key,
        request_hash=f"{key}:{change.model_dump_json()}:{version}",
    )


class BackendContract:
    async def test_buyer_card_and_unknown_buyer(self, backend: CommerceBackend, data: ContractData) -> None:
        card = await backend.buyer_card(data.shop_id, data.nick)
        assert card.buyer.nick == data.nick and card.spend.orders >= 2
        assert {o.order_id for o in card.open_orders} >= {data.unpaid_order_id, data.shipped_order_id}
        with pytest.raises(NotFound):
            await backend.buyer_card(data.shop_id, "no-such-buyer-" + uuid.uuid4().hex[:8])

    async def test_template_facts(self, backend: CommerceBackend, data: ContractData) -> None:
        facts = await backend.template_facts(data.shop_id, data.nick, data.unpaid_order_id)
        assert (
            facts.buyer is not None and facts.buyer["nick"] == data.nick and facts.buyer["orders_count"] >= 2
        )
        assert facts.order is not None and facts.order["status"] == "awaiting_payment"
        assert facts.order["total_fen"] >= 10_000
        elsewhere = await backend.template_facts(data.shop_id + 1000, "no-such-buyer", data.unpaid_order_id)
        assert elsewhere.buyer is None and elsewhere.order is None  # another shop's order is unknown
        nothing = await backend.template_facts(data.shop_id, None, None)
        assert nothing.buyer is None and nothing.order is None

    async def test_orders_and_detail(self, backend: CommerceBackend, data: ContractData) -> None:
        page = await backend.buyer_orders(data.shop_id, data.nick, None, None, 50)
        assert {data.unpaid_order_id, data.shipped_order_id} <= {o.id for o in page.orders}
        detail = await backend.order(data.unpaid_order_id, [data.shop_id])
        assert detail.version == 1 and detail.edits.price.allowed and not detail.edits.undo.allowed
        with pytest.raises(NotFound):
            await backend.order(data.unpaid_order_id, [data.shop_id + 1000])

    async def test_edit_applies_once_and_undo_reverts(
        self, backend: CommerceBackend, data: ContractData
    ) -> None:
        first = await backend.apply_edit(
            request(data.unpaid_order_id, data.agent, PostageChange(postage_fen=500), key="contract-key-1")
        )
        again = await backend.apply_edit(
            request(data.unpaid_order_id, data.agent, PostageChange(postage_fen=500), key="contract-key-1")
        )
        assert first.status == again.status == 200 and again.outcome.replayed
        assert (
            first.outcome.order.version
            == 2
            == (await backend.order(data.unpaid_order_id, [data.shop_id])).version
        )
        undone = await backend.apply_edit(request(data.unpaid_order_id, data.agent, Undo(), version=2))
        assert undone.outcome.order.postage_fen != 500 and undone.outcome.order.history[0].action == "undo"

    async def test_stale_version_and_forbidden_status(
        self, backend: CommerceBackend, data: ContractData
    ) -> None:
        with pytest.raises(Conflict):
            await backend.apply_edit(
                request(data.unpaid_order_id, data.agent, RemarkChange(text="x"), version=99)
            )
        with pytest.raises(Conflict):
            await backend.apply_edit(request(data.shipped_order_id, data.agent, PriceChange(price_fen=100)))
        assert (await backend.order(data.shipped_order_id, [data.shop_id])).version == 1

    async def test_caps_and_approvals(self, backend: CommerceBackend, data: ContractData) -> None:
        with pytest.raises(BadRequest):
            await backend.apply_edit(
                request(data.unpaid_order_id, data.supervisor, PriceChange(price_fen=1_000))
            )
        pending = await backend.apply_edit(
            request(data.unpaid_order_id, data.agent, PriceChange(price_fen=8_000))
        )
        assert pending.status == 202 and pending.outcome.approval is not None
        listed = await backend.approvals([data.shop_id], data.agent.id, "pending", 10)
        assert pending.outcome.approval.id in {a.id for a in listed}
        approval, outcome = await backend.decide(pending.outcome.approval.id, data.supervisor, True, "ok")
        assert approval.status == "granted" and outcome is not None and outcome.order.price_fen == 8_000

    async def test_notes_tags_and_risk(self, backend: CommerceBackend, data: ContractData) -> None:
        await backend.add_note(data.shop_id, data.nick, data.agent, "contract note")
        card = await backend.buyer_card(data.shop_id, data.nick)
        card = await backend.change_tags(
            data.shop_id, data.nick, data.agent, card.buyer.version, ["合约"], []
        )
        assert "合约" in card.buyer.tags and card.notes[0].text == "contract note"
        with pytest.raises(BadRequest):
            await backend.set_risk(
                data.shop_id, data.nick, data.supervisor, card.buyer.version, RiskFlag.MALICIOUS_COMPLAINT, ""
            )
        card = await backend.set_risk(
            data.shop_id,
            data.nick,
            data.supervisor,
            card.buyer.version,
            RiskFlag.MALICIOUS_COMPLAINT,
            "evidence",
        )
        assert card.risk is not None and card.risk.flagged_by == data.supervisor.id
