"""Every piece of application state, as a typed ``web.AppKey`` (no string keys)."""

from __future__ import annotations

from aiohttp import web

from assistant.commerce.backend import CommerceBackend
from assistant.directory import Directory
from assistant.endpoint import Endpoint
from assistant.events import EventHub
from assistant.import_jobs import ImportJobs
from assistant.manifest import PluginManifest
from assistant.settings import Settings
from assistant.ttl_cache import TtlCache
from assistant.usage import UsageRecorder
from knowledge.database import Database
from knowledge.matcher import Matcher
from quick_replies.lookup import QuickReplyLibrary

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
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
#: shop imports (seller-center exports) running or finished in this process, polled for progress
IMPORT_JOBS = web.AppKey("import_jobs", ImportJobs)
