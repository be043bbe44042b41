"""Routes of conversation events: the chat client reports the conversation, sidebars follow it over SSE;
the response watch: waiting buyers, the team's wall, take-over, presence, emergency switch."""

from __future__ import annotations

from assistant.api import watch, watch_emergency, watch_models, watch_roster, watch_wall
from assistant.api.event_stream import event_stream
from assistant.api.events import EventAccepted, parse_event, post_event
from assistant.endpoint import PUBLIC, Endpoint
from assistant.events import EventIn
from knowledge.models import Role

ENDPOINTS: list[Endpoint] = [
    # ---- conversation events: the chat client reports the conversation, sidebars follow it over SSE ----
    Endpoint(
        "POST",
        "/api/events",
        post_event,
        "events_post",
        "Report what the agent is looking at: conversation.opened/changed, message.received/sent",
        body=EventIn,
        parse_body=parse_event,
        response=EventAccepted,
        tag="events",
    ),
    Endpoint(
        "GET",
        "/api/events/stream",
        event_stream,
        "events_stream",
        "Server-Sent Events for the sidebar: `state` on connect, then each accepted event; "
        "token as Bearer header or ?token= (EventSource cannot send headers)",
        role=PUBLIC,
        tag="events",
        produces=("text/event-stream",),
        errors=(401,),
    ),
    # ---- the response watch: waiting buyers, the team's wall, take-over, presence, emergency switch ----
    Endpoint(
        "GET",
        "/api/watch",
        watch.my_watch,
        "watch",
        "The caller's waiting buyers (longest first, with the mark passed), today's 3-minute rate, "
        "any emergency on",
        query=watch.ShopQuery,
        response=watch_models.WatchOut,
        tag="watch",
    ),
    Endpoint(
        "GET",
        "/api/watch/team",
        watch_wall.team_watch,
        "watch_team",
        "The supervisor's wall: per agent presence, open and waiting conversations, oldest wait, today's "
        "figures; per shop totals and the buyers past the escalation mark",
        role=Role.SUPERVISOR,
        query=watch.ShopQuery,
        response=watch_models.TeamOut,
        tag="watch",
    ),
    Endpoint(
        "GET",
        "/api/watch/team/stream",
        watch_wall.team_stream,
        "watch_team_stream",
        "The wall over Server-Sent Events (token as ?token=): a `team` snapshot at once and after every change",
        role=PUBLIC,
        tag="watch",
        produces=("text/event-stream",),
        errors=(401,),
    ),
    Endpoint(
        "POST",
        "/api/watch/claims",
        watch_roster.claim,
        "watch_claim",
        "我来接: take a waiting conversation (409 naming the holder when someone has it)",
        body=watch_models.ClaimIn,
        response=watch_models.ClaimOut,
        tag="watch",
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/api/presence",
        watch_roster.set_presence,
        "presence",
        "Report or set online / busy / away",
        body=watch_models.PresenceIn,
        response=watch_models.PresenceOut,
        tag="watch",
    ),
    Endpoint(
        "GET",
        "/api/emergency",
        watch_emergency.emergency_state,
        "emergency",
        "Whether the shop's emergency switch is on, with its timeline",
        query=watch.ShopQuery,
        response=watch_models.EmergencyState,
        tag="watch",
    ),
    Endpoint(
        "POST",
        "/api/emergency",
        watch_emergency.switch_emergency,
        "emergency_switch",
        "Switch the shop's emergency on (every auto-reply swapped, the script pinned in every sidebar) or off",
        role=Role.SUPERVISOR,
        body=watch_models.EmergencyIn,
        response=watch_models.EmergencyState,
        tag="watch",
    ),
    Endpoint(
        "GET",
        "/api/roster",
        watch_roster.roster_view,
        "roster",
        "Every agent of the caller's shops with their rotation group and shift that day",
        query=watch_models.RosterQuery,
        response=watch_models.RosterOut,
        tag="watch",
    ),
    Endpoint(
        "PUT",
        "/api/roster/{agent_id}",
        watch_roster.set_rotation,
        "roster_set",
        "Put an agent in rotation group A or B (audited)",
        role=Role.SUPERVISOR,
        query=watch_models.RosterQuery,  # the answer is the roster of ?day, as GET /api/roster's
        body=watch_models.RotationIn,
        response=watch_models.RosterOut,
        tag="watch",
    ),
    Endpoint(
        "GET",
        "/api/auto-reply",
        watch_emergency.auto_reply,
        "auto_reply",
        "The auto-reply to propose on a buyer's first message: the emergency's, else the campaign's",
        query=watch_models.AutoReplyQuery,
        response=watch_models.AutoReplyOut,
        tag="watch",
    ),
]
