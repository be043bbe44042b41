"""Every route of the service, named, in one place.

Each endpoint says who may call it (``role``: ``None`` for public) and which pydantic
models describe its query, body and response; the auth middleware and the OpenAPI
document both read this table.
"""

from __future__ import annotations

from aiohttp import web

from assistant.api import commerce, commerce_edits, item_answers, quick_replies, system, usage
from assistant.api import kb_campaigns as kbc
from assistant.api import kb_edit as kbe
from assistant.api import kb_editor_support as kbs
from assistant.api import knowledge as kb
from assistant.api import qr_transfer as qrt
from assistant.api import shop_import as shi
from assistant.api.events import EventAccepted, event_stream, post_event
from assistant.api.kb_related import ItemKnowledgeIn, KnowledgeOut
from assistant.api.pages import demo_page, editor_page, lookup_page, sidebar_page
from assistant.commerce.views import EditOutcome
from assistant.endpoint import Endpoint
from assistant.events import EventIn
from knowledge.models import Campaign, Intent, Role, SynonymGroup

PUBLIC = None

ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/healthz", system.healthz, "healthz", "Liveness and database check",
             role=PUBLIC, response=system.Health),
    Endpoint("GET", "/plugin_manifest.json", system.manifest, "manifest",
             "The plugin manifest the chat client mounts", role=PUBLIC),
    Endpoint("GET", "/api/openapi.json", system.openapi, "openapi", "This API's OpenAPI document",
             role=PUBLIC),
    Endpoint("GET", "/api/me", system.me, "me", "The calling agent and their shops",
             response=system.Me),
    Endpoint("GET", "/api/shops/{shop_id}", system.shop, "shop", "One shop the agent works in",
             response=system.ShopOut),
    Endpoint("POST", "/api/usage", usage.record_usage, "usage", "Record that a phrase, answer or script was used",
             body=usage.UsageIn, response=usage.UsageOut, tag="usage"),
    # ---- quick replies: hotkey lookup, editors' CRUD, revisions, groups, the lookup popup ----
    Endpoint("GET", "/api/quick-replies/search", quick_replies.search, "qr_search",
             "Ranked phrases for what the agent typed (code, pinyin, Chinese, typos)",
             query=quick_replies.SearchQuery, response=quick_replies.SearchOut, tag="quick_replies"),
    Endpoint("GET", "/api/quick-replies", quick_replies.list_quick_replies, "qr_list",
             "Phrases of a shop the agent may see (for editors)",
             query=quick_replies.ListQuery, response=quick_replies.QuickReplyList, tag="quick_replies"),
    # (editor: spreadsheets in and out, usage report; before /{phrase_id} so the words are not ids)
    Endpoint("GET", "/api/quick-replies/export", qrt.export_quick_replies, "qr_export",
             "The shop-wide phrases as CSV (UTF-8 with BOM) or Excel (.xlsx)", role=Role.EDITOR,
             query=qrt.ExportQuery, tag="quick_replies"),
    Endpoint("POST", "/api/quick-replies/import", qrt.import_quick_replies, "qr_import",
             "Import a CSV/.xlsx file (multipart field `file`): dry run lists added/changed/skipped rows; "
             "dry_run=false writes them in one transaction", role=Role.EDITOR,
             query=qrt.ImportQuery, response=qrt.ImportOut, tag="quick_replies"),
    Endpoint("GET", "/api/quick-replies/usage-report", qrt.usage_report, "qr_usage_report",
             "Most used and never used phrases over the last days", role=Role.EDITOR,
             query=qrt.UsageQuery, response=qrt.UsageReport, tag="quick_replies"),
    Endpoint("POST", "/api/quick-replies", quick_replies.create_quick_reply, "qr_create",
             "Create a phrase (shop/team scope: editor; personal: its owner)",
             body=quick_replies.QuickReplyIn, response=quick_replies.QuickReplyOut, tag="quick_replies"),
    Endpoint("GET", "/api/quick-replies/{phrase_id}", quick_replies.get_quick_reply, "qr_get",
             "One phrase", response=quick_replies.QuickReplyOut, tag="quick_replies"),
    Endpoint("PUT", "/api/quick-replies/{phrase_id}", quick_replies.update_quick_reply, "qr_update",
             "Save a phrase (carries the version read; 409 when stale or when the code is taken)",
             body=quick_replies.QuickReplyUpdate, response=quick_replies.QuickReplyOut, tag="quick_replies"),
    Endpoint("DELETE", "/api/quick-replies/{phrase_id}", quick_replies.delete_quick_reply, "qr_delete",
             "Delete a phrase (kept in its history; can be restored by rollback)",
             query=quick_replies.VersionQuery, response=quick_replies.DeletedOut, tag="quick_replies"),
    Endpoint("GET", "/api/quick-replies/{phrase_id}/revisions", quick_replies.list_revisions, "qr_revisions",
             "Every saved state of a phrase, newest first", response=quick_replies.RevisionsOut,
             tag="quick_replies"),
    Endpoint("POST", "/api/quick-replies/{phrase_id}/rollback", quick_replies.rollback, "qr_rollback",
             "Bring a phrase back to a saved state (restores a deleted one)",
             body=quick_replies.RollbackIn, response=quick_replies.QuickReplyOut, tag="quick_replies"),
    Endpoint("GET", "/api/quick-reply-groups", quick_replies.list_groups, "qr_groups", "Groups of a shop",
             query=quick_replies.ShopQuery, response=quick_replies.GroupList, tag="quick_replies"),
    Endpoint("POST", "/api/quick-reply-groups", quick_replies.create_group, "qr_group_create", "Create a group",
             role=Role.EDITOR, body=quick_replies.GroupIn, response=quick_replies.GroupOut, tag="quick_replies"),
    Endpoint("PUT", "/api/quick-reply-groups/{group_id}/order", quick_replies.reorder_group, "qr_group_order",
             "Put a group's phrases in a new order, all or nothing (versions checked; 409 when one is stale)",
             body=quick_replies.GroupOrderIn, response=quick_replies.QuickReplyList, tag="quick_replies"),
    # ---- commerce: buyer card, orders, logistics, one-click edits, approvals, related items ----
    Endpoint("GET", "/api/buyers/{nick}", commerce.buyer_card, "buyer_card",
             "The buyer card: new/returning, tiers, spend, open orders, refunds, RFM, notes, risk flag",
             query=commerce.ShopQuery, response=commerce.CardOut, tag="commerce"),
    Endpoint("POST", "/api/buyers/{nick}/notes", commerce.add_note, "buyer_note_add", "Add a note on a buyer",
             query=commerce.ShopQuery, body=commerce.NoteIn, response=commerce.NoteCreated, tag="commerce"),
    Endpoint("POST", "/api/buyers/{nick}/tags", commerce.change_tags, "buyer_tags",
             "Add and remove a buyer's tags (carries the buyer's version)",
             query=commerce.ShopQuery, body=commerce.TagsIn, response=commerce.CardOut, tag="commerce"),
    Endpoint("POST", "/api/buyers/{nick}/risk", commerce.set_risk, "buyer_risk",
             "Set or clear a malicious-buyer flag with an evidence note", role=Role.SUPERVISOR,
             query=commerce.ShopQuery, body=commerce.RiskIn, response=commerce.CardOut, tag="commerce"),
    Endpoint("GET", "/api/buyers/{nick}/orders", commerce.buyer_orders, "buyer_orders",
             "A buyer's orders, newest first, paginated", query=commerce.OrdersQuery,
             response=commerce.OrdersOut, tag="commerce"),
    Endpoint("GET", "/api/orders/{order_id}", commerce.order_detail, "order_detail",
             "One order: lines, money, address, remark, logistics timeline, allowed edits, approvals, history",
             response=commerce.OrderOut, tag="commerce"),
    Endpoint("GET", "/api/orders/{order_id}/tracking", commerce.tracking, "order_tracking",
             "The tracking summary as a message to forward, and any logistics exception",
             response=commerce.TrackingOut, tag="commerce"),
    Endpoint("POST", "/api/orders/{order_id}/price", commerce_edits.edit_price, "order_price",
             "改价: change the price (awaiting payment only; above the role's cap it waits for approval)",
             body=commerce_edits.PriceIn, response=EditOutcome, tag="commerce"),
    Endpoint("POST", "/api/orders/{order_id}/postage", commerce_edits.edit_postage, "order_postage",
             "改邮: change the postage (awaiting payment only)", body=commerce_edits.PostageIn,
             response=EditOutcome, tag="commerce"),
    Endpoint("POST", "/api/orders/{order_id}/address", commerce_edits.edit_address, "order_address",
             "改地址: change the receiver's address (before shipment)", body=commerce_edits.AddressEditIn,
             response=EditOutcome, tag="commerce"),
    Endpoint("POST", "/api/orders/{order_id}/remark", commerce_edits.edit_remark, "order_remark",
             "改备注: replace or append the seller remark, set the flag colour", body=commerce_edits.RemarkIn,
             response=EditOutcome, tag="commerce"),
    Endpoint("POST", "/api/orders/{order_id}/undo", commerce_edits.undo, "order_undo",
             "Undo the order's last edit when its status still allows it", body=commerce_edits.UndoIn,
             response=EditOutcome, tag="commerce"),
    Endpoint("GET", "/api/approvals", commerce_edits.list_approvals, "approvals",
             "Price approvals: an agent's own, or all of a supervisor's shops",
             query=commerce_edits.ApprovalsQuery, response=commerce_edits.ApprovalsOut, tag="commerce"),
    Endpoint("POST", "/api/approvals/{approval_id}/grant", commerce_edits.grant_approval, "approval_grant",
             "Grant a price approval: re-checks the order and applies the edit", role=Role.SUPERVISOR,
             body=commerce_edits.DecisionIn, response=commerce_edits.DecisionOut, tag="commerce"),
    Endpoint("POST", "/api/approvals/{approval_id}/refuse", commerce_edits.refuse_approval, "approval_refuse",
             "Refuse a price approval", role=Role.SUPERVISOR, body=commerce_edits.DecisionIn,
             response=commerce_edits.DecisionOut, tag="commerce"),
    Endpoint("GET", "/api/items/{item_id}/related", commerce.related_items, "item_related",
             "Items to recommend with this one: editor pairings and bought-together, in stock, with a message",
             query=commerce.RelatedQuery, response=commerce.RelatedItemsOut, tag="commerce"),
    Endpoint("POST", "/api/address/parse", commerce.parse_address_text, "address_parse",
             "Turn a pasted address into name, phone, province, city, district and detail",
             body=commerce.AddressIn, response=commerce.AddressOut, tag="commerce"),
    # ---- conversation events: the chat client reports the conversation, sidebars follow it over SSE ----
    Endpoint("POST", "/api/events", post_event, "events_post",
             "Report what the agent is looking at: conversation.opened/changed, message.received/sent",
             body=EventIn, response=EventAccepted, tag="events"),
    Endpoint("GET", "/api/events/stream", event_stream, "events_stream",
             "Server-Sent Events for the sidebar: `state` on connect, then each accepted event; "
             "token as Bearer header or ?token= (EventSource cannot send headers)",
             role=PUBLIC, tag="events"),
    Endpoint("GET", "/sidebar", sidebar_page, "sidebar_page",
             "The sidebar beside the conversation (HTML; token passed as ?token=)", role=PUBLIC, tag="pages"),
    Endpoint("GET", "/lookup", lookup_page, "lookup_page",
             "The hotkey quick-reply popup (HTML; token passed as ?token=, the conversation as "
             "?conversation=&shop=&buyer=&item=&order=)", role=PUBLIC, tag="pages"),
    Endpoint("GET", "/editor", editor_page, "editor_page",
             "The editor for quick replies, intents, hot-item answers, knowledge, campaigns and synonyms "
             "(HTML; token passed as ?token=)", role=PUBLIC, tag="pages"),
    Endpoint("GET", "/demo", demo_page, "demo_page",
             "Demo console playing the chat client (HTML; local requests only, demo agent's token built in)",
             role=PUBLIC, tag="pages"),
    # ---- knowledge base: suggestions, template preview, product knowledge, scripts, editing, history ----
    Endpoint("POST", "/api/suggest", kb.suggest, "kb_suggest", "Ranked, explained answers for a buyer's message",
             body=kb.SuggestIn, response=kb.SuggestOut, tag="knowledge"),
    Endpoint("POST", "/api/kb/preview", kb.preview, "kb_preview", "Render a template against a sample context, or lint it",
             role=Role.EDITOR, body=kb.PreviewIn, response=kb.PreviewOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/items/{item_id}/knowledge", kb.item_knowledge, "kb_item_knowledge",
             "Product knowledge and related items of one item", response=kb.ItemKnowledgeOut, tag="knowledge"),
    Endpoint("PUT", "/api/kb/items/{item_id}/knowledge", kbe.save_item_knowledge, "kb_item_knowledge_save",
             "Write an item's product knowledge and, with `related`, its whole related-items list (one version)",
             role=Role.EDITOR, body=ItemKnowledgeIn,
             response=KnowledgeOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/scripts", kb.active_scripts, "kb_scripts",
             "Scripts of the shop's active campaigns, rendered for the conversation", query=kb.ScriptsQuery,
             response=kb.ScriptsOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/intents", kbe.list_intents, "kb_intents", "A shop's intents: search and filters",
             role=Role.EDITOR, query=kbe.ListQuery, response=kbe.IntentsOut, tag="knowledge"),
    Endpoint("POST", "/api/kb/intents", kbe.create_intent, "kb_intent_create",
             "Create an intent (a hot-item answer when item_id is set)", role=Role.EDITOR, body=Intent,
             response=kbe.IntentOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/intents/{intent_id}", kbe.get_intent, "kb_intent", "One intent",
             role=Role.EDITOR, response=kbe.IntentOut, tag="knowledge"),
    Endpoint("PUT", "/api/kb/intents/{intent_id}", kbe.update_intent, "kb_intent_update",
             "Update an intent (version must be the one you saw)", role=Role.EDITOR, body=Intent,
             response=kbe.IntentOut, tag="knowledge"),
    Endpoint("DELETE", "/api/kb/intents/{intent_id}", kbe.delete_intent, "kb_intent_delete",
             "Delete an intent (kept in its history)", role=Role.EDITOR, query=kbe.DeleteQuery,
             response=kbe.DeletedOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/campaigns", kbc.list_campaigns, "kb_campaigns",
             "A shop's campaigns and scripts: search and filters (state, script kind)",
             role=Role.EDITOR, query=kbc.CampaignsQuery, response=kbe.CampaignsOut, tag="knowledge"),
    Endpoint("POST", "/api/kb/campaigns", kbc.save_campaign, "kb_campaign_create",
             "Create a campaign with its scripts", role=Role.EDITOR, body=Campaign, response=kbe.CampaignOut,
             tag="knowledge"),
    Endpoint("PUT", "/api/kb/campaigns/{campaign_id}", kbc.save_campaign, "kb_campaign_update",
             "Update a campaign and its scripts", role=Role.EDITOR, body=Campaign, response=kbe.CampaignOut,
             tag="knowledge"),
    Endpoint("DELETE", "/api/kb/campaigns/{campaign_id}", kbc.delete_campaign, "kb_campaign_delete",
             "Delete a campaign and its scripts (kept in its history)", role=Role.EDITOR, query=kbe.DeleteQuery,
             response=kbe.DeletedOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/synonyms", kbc.list_synonyms, "kb_synonyms", "A shop's synonym groups: search",
             role=Role.EDITOR, query=kbc.SynonymsQuery, response=kbe.SynonymsOut, tag="knowledge"),
    Endpoint("POST", "/api/kb/synonyms", kbc.save_synonyms, "kb_synonym_create", "Create a synonym group",
             role=Role.EDITOR, body=SynonymGroup, response=kbe.SynonymOut, tag="knowledge"),
    Endpoint("PUT", "/api/kb/synonyms/{synonym_id}", kbc.save_synonyms, "kb_synonym_update",
             "Replace a synonym group's words", role=Role.EDITOR, body=SynonymGroup, response=kbe.SynonymOut,
             tag="knowledge"),
    Endpoint("DELETE", "/api/kb/synonyms/{synonym_id}", kbc.delete_synonyms, "kb_synonym_delete",
             "Delete a synonym group (kept in its history)", role=Role.EDITOR, query=kbe.DeleteQuery,
             response=kbe.DeletedOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/unmatched", kbe.unmatched, "kb_unmatched",
             "Buyer questions without a confident answer, for editors", role=Role.EDITOR,
             query=kbe.UnmatchedQuery, response=kbe.UnmatchedOut, tag="knowledge"),
    # ---- knowledge editor support: item picker, unmatched question handled ----
    Endpoint("GET", "/api/kb/items", kbs.list_items, "kb_items",
             "A shop's items for the editor's item picker (title/SKU search, hot-item answer counts)",
             role=Role.EDITOR, query=kbs.ItemsQuery, response=kbs.ItemsOut, tag="knowledge"),
    Endpoint("DELETE", "/api/kb/unmatched/{message_id}", kbs.handle_unmatched, "kb_unmatched_handled",
             "Mark an unmatched buyer question as handled (it is forgotten until a buyer asks it again)",
             role=Role.EDITOR, response=kbs.HandledOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/samples/{name}", kbs.sample, "kb_sample",
             "One sample context of the template preview (to preview with a campaign's own variables)",
             role=Role.EDITOR, response=kbs.SampleOut, tag="knowledge"),
    Endpoint("GET", "/api/kb/{entity}/{entity_id}/revisions", kbe.revisions, "kb_revisions",
             "History of an intent, campaign, synonym group or item's knowledge", role=Role.EDITOR,
             response=kbe.RevisionsOut, tag="knowledge"),
    Endpoint("POST", "/api/kb/{entity}/{entity_id}/rollback", kbe.rollback, "kb_rollback",
             "Restore a revision as the next version", role=Role.EDITOR, body=kbe.RollbackIn, tag="knowledge"),
    # ---- sidebar: hot-item answers of the item in focus (the order panel uses the commerce routes) ----
    Endpoint("GET", "/api/kb/items/{item_id}/answers", item_answers.item_answers, "kb_item_answers",
             "Hot-item answers bound to one item, rendered for the conversation (one-click in the sidebar)",
             query=item_answers.ItemAnswersQuery, response=item_answers.ItemAnswersOut, tag="knowledge"),
    # ---- shop import: the seller center's order / order-line / item exports, as background jobs ----
    Endpoint("POST", "/api/shop-import/jobs/{job_id}/apply", shi.apply, "shop_import_apply",
             "Write what the dry run showed, in one transaction (202; poll the job)", role=Role.EDITOR,
             query=shi.ApplyQuery, response=shi.JobOut, tag="shop_import"),
    Endpoint("GET", "/api/shop-import/jobs/{job_id}", shi.job_status, "shop_import_job",
             "An import job: state, progress (0..1) and, when done, its report", role=Role.EDITOR,
             response=shi.JobOut, tag="shop_import"),
    Endpoint("POST", "/api/shop-import/{kind}", shi.upload, "shop_import_upload",
             "Upload an orders (multipart `file`, optional `lines`) or items export; its dry run starts as a job "
             "(202)", role=Role.EDITOR, query=shi.UploadQuery, response=shi.JobOut, tag="shop_import"),
]


def setup_routes(app: web.Application, endpoints: list[Endpoint]) -> dict[str, Endpoint]:
    """Register every endpoint under its name and return the table keyed by name."""
    table: dict[str, Endpoint] = {}
    for endpoint in endpoints:
        if endpoint.name in table:
            raise ValueError(f"route name {endpoint.name!r} is used twice")
        app.router.add_route(endpoint.method, endpoint.path, endpoint.handler, name=endpoint.name)
        table[endpoint.name] = endpoint
    return table
