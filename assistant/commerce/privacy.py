"""Receivers' phones and addresses are personal data: lists show them masked (no SQL here).

``138****5276`` for a mobile, ``0571-****6666`` for a landline; a street address keeps its first
characters (enough to recognise it) and hides the rest. The full values are shown only where an agent
edits the address (``GET /api/orders/{order_id}/address``) and in a supervisor's export.
"""

from __future__ import annotations

from typing import Any

DETAIL_KEEP = 3
MASK = "****"
#: order columns holding a receiver's personal data, and the value an anonymised one gets
PERSONAL_COLUMNS: dict[str, str] = {
    "receiver_name": "已清除",
    "receiver_phone": "",
    "address_detail": "已清除",
}


def mask_phone(phone: str) -> str:
    """``13812345276`` → ``138****5276``; ``0571-88886666`` → ``0571-****6666``; short values all hidden."""
    if not phone:
        return ""
    if "-" in phone:
        area, _, rest = phone.partition("-")
        number, dash, extension = rest.partition("-")
        return f"{area}-{MASK}{number[-4:]}{dash}{extension}" if len(number) > 4 else f"{area}-{MASK}"
    if len(phone) >= 7:
        return f"{phone[:3]}{MASK}{phone[-4:]}"
    return MASK


def mask_detail(detail: str) -> str:
    """``文一西路969号3号楼201室`` → ``文一西****``."""
    if len(detail) <= DETAIL_KEEP:
        return MASK
    return detail[:DETAIL_KEEP] + MASK


def mask_columns(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """An audit ``before``/``after`` (order columns) with the phone and street address masked."""
    if values is None:
        return None
    masked = dict(values)
    if isinstance(masked.get("receiver_phone"), str):
        masked["receiver_phone"] = mask_phone(masked["receiver_phone"])
    if isinstance(masked.get("address_detail"), str):
        masked["address_detail"] = mask_detail(masked["address_detail"])
    return masked


def anonymise_columns(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same with the receiver's name, phone and street address removed for good (``kefu purge``)."""
    if values is None:
        return None
    return {k: (PERSONAL_COLUMNS.get(k, v)) for k, v in values.items()}
