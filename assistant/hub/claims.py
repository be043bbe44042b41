"""Claims as database facts: at most one live owner per (kind, resource), enforced by the partial unique
index ``idx_claims_one_owner`` (released rows stay as history). However many processes claim at once,
PostgreSQL lets exactly one insert win; the others are told who holds it. Each claim and release is a
hub write, so it is also in the change feed."""

from __future__ import annotations

import asyncpg

from assistant.hub import feed

ENTITY = "claim"


async def claim(pool: asyncpg.Pool, kind: str, resource: str, owner: str) -> str:
    """Take ``resource`` for ``owner`` unless somebody holds it; return who holds it now."""
    while True:
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "INSERT INTO claims (kind, resource, owner) VALUES ($1, $2, $3)"
                " ON CONFLICT (kind, resource) WHERE released_at IS NULL DO NOTHING RETURNING id",
                kind, resource, owner,
            )  # fmt: skip
            if row is not None:
                await feed.append(conn, ENTITY, row["id"], "upsert", 1,
                                  {"kind": kind, "resource": resource, "owner": owner})  # fmt: skip
                return owner
            holder: str | None = await conn.fetchval(
                "SELECT owner FROM claims WHERE kind = $1 AND resource = $2 AND released_at IS NULL",
                kind,
                resource,
            )
            if holder is not None:
                return holder
        # released between our insert and our read: try again


async def release(pool: asyncpg.Pool, kind: str, resource: str, owner: str) -> bool:
    """Give the resource up if ``owner`` holds it; whether it did."""
    async with pool.acquire() as conn, conn.transaction():
        claim_id = await conn.fetchval(
            "UPDATE claims SET released_at = clock_timestamp() WHERE kind = $1 AND resource = $2 AND owner = $3"
            " AND released_at IS NULL RETURNING id",
            kind, resource, owner,
        )  # fmt: skip
        if claim_id is None:
            return False
        await feed.append(
            conn, ENTITY, claim_id, "delete", 2, {"kind": kind, "resource": resource, "owner": owner}
        )
        return True


async def holder(pool: asyncpg.Pool, kind: str, resource: str) -> str | None:
    owner: str | None = await pool.fetchval(
        "SELECT owner FROM claims WHERE kind = $1 AND resource = $2 AND released_at IS NULL", kind, resource
    )
    return owner
