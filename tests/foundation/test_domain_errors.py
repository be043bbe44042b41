"""The domain's errors answer in the API's one error shape with their status; a handler's
``except ApiError`` catches them like the HTTP layer's own."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ValidationError

from assistant.errors import ApiError, domain_response
from knowledge import errors as domain


class _Row(BaseModel):
    version: int


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (domain.NotFound("没有这个"), 404),
        (domain.Conflict.field("key", "已被使用"), 409),
        (
            domain.StaleVersion(
                "已被他人修改", [domain.FieldError("version", "应为 2")], current=_Row(version=2)
            ),
            409,
        ),
        (domain.Invalid.field("words", "重复的词"), 400),
        (domain.NotAllowed("个人短语只能由本人创建和修改"), 403),
    ],
)
def test_each_domain_error_has_its_status_and_the_one_shape(error: domain.DomainError, status: int) -> None:
    response = domain_response(error)
    body = json.loads(response.text or "")
    assert response.status == status and body["status"] == status and body["ok"] is False
    assert body["error"] == error.message and body["errors"] == error.errors
    if isinstance(error, domain.StaleVersion):
        assert body["current"] == {"version": 2}
    with pytest.raises(ApiError):
        raise error


def test_a_state_that_no_longer_validates_names_its_fields_under_the_prefix() -> None:
    with pytest.raises(ValidationError) as caught:
        _Row.model_validate({"version": "x"})
    body = json.loads(domain_response(domain.Invalid.wrapping(caught.value, "revision")).text or "")
    assert body["status"] == 400 and body["errors"][0]["field"] == "revision.version"
