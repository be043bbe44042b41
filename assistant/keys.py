"""Every piece of application state, as a typed ``web.AppKey`` (no string keys)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from assistant.commerce.backend import CommerceBackend
from assistant.conversations.log import ConversationLog
from assistant.directory import Directory
from assistant.endpoint import Endpoint
from assistant.events import EventHub
from assistant.hub.state import Hub
from assistant.import_jobs import ImportJobs
from assistant.manifest import PluginManifest
from assistant.privacy.service import PersonalData
from assistant.scheduler import Scheduler
from assistant.semantic_state import SemanticState
from assistant.settings import Settings
from assistant.sync.service import SyncService
from assistant.team.board import Board
from assistant.team.qc import Config as QcConfig
from assistant.team.store import Switches
from assistant.team.training import TrainingGate
from assistant.team.watch_claims import WatchClaims
from assistant.ttl_cache import TtlCache
from assistant.usage import UsageRecorder
from knowledge.database import AsyncDatabase
from knowledge.matcher import Matcher
from knowledge.render_pool import RenderPool
from quick_replies.lookup import QuickReplyLibrary
from quick_replies.store_interface import QuickReplyStore

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", AsyncDatabase)
DIRECTORY = web.AppKey("directory", Directory)
ENDPOINTS = web.AppKey("endpoints", dict[str, Endpoint])
MANIFEST = web.AppKey("manifest", PluginManifest)
USAGE = web.AppKey("usage", UsageRecorder)
QUICK_REPLIES = web.AppKey("quick_replies", QuickReplyLibrary)
COMMERCE = web.AppKey("commerce", CommerceBackend)
EVENTS = web.AppKey("events", EventHub)
MATCHER = web.AppKey("matcher", Matcher)
#: conversation contexts the quick-reply search rendered with, for a moment (see api/quick_replies.search)
SEARCH_CONTEXTS = web.AppKey("search_contexts", TtlCache[tuple[object, ...], dict[str, object]])
#: the conversation log (messages reported through events; read it through ConversationLog)
CONVERSATIONS = web.AppKey("conversations", ConversationLog)
#: the periodic jobs (assistant/jobs.py)
SCHEDULER = web.AppKey("scheduler", Scheduler)
#: the response watch's live clocks (assistant/team/board.py)
WATCH = web.AppKey("watch", Board)
#: emergency switches that are on, per shop (kept current by the switch's handler)
EMERGENCIES = web.AppKey("emergencies", Switches)
#: snapshots from the host and the edit outbox (assistant/sync)
SYNC = web.AppKey("sync", SyncService)
#: full receiver addresses for editing, supervisors' exports (assistant/privacy)
PERSONAL_DATA = web.AppKey("personal_data", PersonalData)
#: the matcher's semantic stage: encoder status, backfill progress (assistant/api/semantic.py)
SEMANTIC = web.AppKey("semantic", SemanticState)
#: the thread pool every stored template is rendered and linted in (never on the event loop)
TEMPLATES = web.AppKey("templates", RenderPool)
#: one quick-reply import at a time (see api/qr_transfer.import_quick_replies)
IMPORTS = web.AppKey("imports", asyncio.Semaphore)
#: shop imports (seller-center exports) running or finished in this process, polled for progress
IMPORT_JOBS = web.AppKey("import_jobs", ImportJobs)
#: the team's QC scorecard and forbidden-word list (read at start-up, replaced on each edit)
QC_CONFIG = web.AppKey("qc_config", QcConfig)
#: the quick-reply store: SQLite, or PostgreSQL on the team hub (quick_replies/store_interface.QuickReplyStore)
QR_STORE = web.AppKey("qr_store", QuickReplyStore)
#: the team hub (KEFU_DATABASE_URL): pool and change feed; absent in SQLite mode (assistant/hub)
HUB = web.AppKey("hub", Hub)
#: the watch's take-over claims: SQLite, or PostgreSQL on the team hub (assistant/team/watch_claims.py)
WATCH_CLAIMS = web.AppKey("watch_claims", WatchClaims)
#: each agent's score per past month and shops, for their level (assistant/api/kpi_scores.py)
KPI_HISTORY = web.AppKey("kpi_history", TtlCache[tuple[object, ...], dict[int, float | None]])
#: trainees without a pass: with ``training_pass_required`` their token opens only the training routes
TRAINING = web.AppKey("training", TrainingGate)
