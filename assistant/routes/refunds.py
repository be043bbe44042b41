"""Routes of the refund review (退款审核): the reviewer's queue and decisions, the supervisor's
误退/误拒 mark and the reviewer grant."""

from __future__ import annotations

from assistant.api import refunds, refunds_models
from assistant.endpoint import Endpoint
from knowledge.models import Role

ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/refunds",
        refunds.queue,
        "refunds",
        "The shop's refund requests with what to check: open ones longest wait first, or the decisions",
        role=Role.REFUND_REVIEWER,
        query=refunds_models.RefundsQuery,
        response=refunds_models.RefundsOut,
        tag="refunds",
    ),
    Endpoint(
        "POST",
        "/api/refunds/{request_id}/decision",
        refunds.decide,
        "refund_decision",
        "Approve or reject an open refund request at the version seen (409 when decided or changed since)",
        role=Role.REFUND_REVIEWER,
        body=refunds_models.DecisionIn,
        response=refunds_models.RefundOut,
        tag="refunds",
    ),
    Endpoint(
        "POST",
        "/api/refunds/{request_id}/wrong",
        refunds.mark_wrong,
        "refund_wrong",
        "Mark a reviewer's decision wrong (误退/误拒, the reviewer's quality) or take the mark back",
        role=Role.SUPERVISOR,
        body=refunds_models.WrongIn,
        response=refunds_models.RefundOut,
        tag="refunds",
    ),
    Endpoint(
        "PUT",
        "/api/refunds/reviewers/{agent_id}",
        refunds.set_refund_reviewer,
        "refund_reviewer",
        "Grant or take back the refund-review role of an agent",
        role=Role.SUPERVISOR,
        body=refunds_models.RefundReviewerIn,
        response=refunds_models.RefundReviewerOut,
        tag="refunds",
    ),
]
