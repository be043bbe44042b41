"""Who may call what: the Host check, same-origin writes, agent tokens and roles.

The token secret lives in the data directory (mode 0600); see ``assistant.directory``.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from assistant import keys
from assistant.errors import FieldError, Forbidden, Handler, Unauthorized
from knowledge.models import Agent

SECRET_FILE = "secret.key"
AGENT = web.RequestKey("agent", Agent)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def load_secret(data_dir: Path) -> bytes:
    """Read the token secret, creating it (readable by the owner only) on first use."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


# RFC 3986 host[:port] as a Host header carries it: a bracketed IPv6 literal, or a name/IPv4 of
# letters, digits, '-', '.' and '_'; then an optional port of 1-5 ASCII digits. Nothing else:
# no userinfo ("127.0.0.1:8765@evil.example"), no text after the brackets ("[::1].evil.example").
_HOST_RE = re.compile(
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::(?P<port>[0-9]{1,5}))?", re.ASCII
)


def host_name(host_header: str) -> str | None:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:8765' -> '::1'; None when the header is not host[:port]."""
    match = _HOST_RE.fullmatch(host_header)
    if match is None or (match["port"] is not None and int(match["port"]) > 65535):
        return None
    return (match["ipv6"] or match["name"]).lower()


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse requests whose Host is not a local name: a DNS-rebinding page cannot reach us."""
    settings = request.app[keys.SETTINGS]
    header = request.headers.get("Host", "")
    name = host_name(header)
    if name is None or name not in settings.allowed_hosts:
        shown = name if name is not None else (header[:80] or "（空）")
        raise Forbidden(
            f"不接受主机名 {shown}：请用 http://127.0.0.1 访问，或在 allowed_hosts 设置中加入它",
            [FieldError("Host", "不是允许的本机地址" if name is not None else "不是有效的「主机名[:端口]」")],
        )
    return await handler(request)


def _origin_allowed(request: web.Request, origin: str) -> bool:
    if origin in request.app[keys.SETTINGS].allowed_origins:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:  # "http://[::1" and the like: not an origin we know
        return False
    return parts.scheme == request.scheme and parts.netloc == request.host


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Check the origin of writes, the bearer token and the route's role."""
    route_name = request.match_info.route.name
    endpoint = request.app[keys.ENDPOINTS].get(route_name or "")
    origin = request.headers.get("Origin")
    if request.method in UNSAFE_METHODS and origin and not _origin_allowed(request, origin):
        raise Forbidden(
            f"拒绝来自 {origin} 的跨站写请求：如需允许，请把它加入 allowed_origins 设置",
            [FieldError("Origin", "不在允许列表中")],
        )
    if endpoint is None or endpoint.role is None:
        return await handler(request)
    token = bearer_token(request)
    agent = request.app[keys.DIRECTORY].authenticate(token) if token else None
    if agent is None:
        raise Unauthorized(errors=[FieldError("Authorization", "缺少或无效的 Bearer 令牌")])
    if not agent.role.allows(endpoint.role):
        raise Forbidden(
            f"{agent.name} 的角色是 {agent.role.value}，此操作需要 {endpoint.role.value} 或更高权限",
            [FieldError("Authorization", f"需要 {endpoint.role.value} 角色")],
        )
    if endpoint.tag not in TRAINING_TAGS and _in_training(request, agent):
        raise Forbidden(
            f"{agent.name} 还没有通过培训考核：通过之前只能使用培训页面",
            [FieldError("Authorization", "培训未通过")],
        )
    request[AGENT] = agent
    return await handler(request)


TRAINING_TAGS = frozenset({"training", "system"})


def _in_training(request: web.Request, agent: Agent) -> bool:
    """With ``training_pass_required``, a trainee without a pass may use only the training routes."""
    gate = request.app.get(keys.TRAINING)
    return bool(request.app[keys.SETTINGS].training_pass_required and gate and agent.id in gate.unpassed)


def bearer_token(request: web.Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (None without one)."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def current_agent(request: web.Request) -> Agent:
    """The authenticated agent of this request (routes with a role only)."""
    return request[AGENT]
