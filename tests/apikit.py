"""Helpers for the API spider tests: find recorded wire files, build responses from them and
drive spider callbacks (plain or async generators) without a crawler."""

from __future__ import annotations

import asyncio
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import TextResponse

from radar.spiders.items import MentionItem

ROOT = Path(__file__).resolve().parents[1]
SHARED_WIRE = ROOT.parent / "shared" / "data" / "wire"
FIXTURE_WIRE = Path(__file__).parent / "fixtures" / "wire"


def fixture(rel: str) -> bytes:
    """A wire file copied into the project (licence allows it, see fixtures/wire/README.md)."""
    return (FIXTURE_WIRE / rel).read_bytes()


def shared(rel: str) -> bytes:
    """A wire file that may not be copied: read from ../shared/data/wire, skip when absent."""
    path = SHARED_WIRE / rel
    if not path.exists():
        pytest.skip(f"{path} is absent (recorded data that may not be shipped; see ../shared/data/README.md)")
    return path.read_bytes()


def response(url: str, body: bytes | str | Any, status: int = 200, headers: dict[str, Any] | None = None,
             request: scrapy.Request | None = None) -> TextResponse:
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return TextResponse(url=url, body=body, status=status, headers=hdrs, encoding="utf-8",
                        request=request or scrapy.Request(url))


def run(output: Any) -> list[Any]:
    """Everything a callback yields, whether it is a plain or an async generator."""
    if output is None:
        return []
    if inspect.isasyncgen(output):
        async def drain() -> list[Any]:
            return [x async for x in output]
        return asyncio.run(drain())
    return list(output)


def items(out: list[Any]) -> list[MentionItem]:
    return [x for x in out if isinstance(x, MentionItem)]


def requests(out: list[Any]) -> list[scrapy.Request]:
    return [x for x in out if isinstance(x, scrapy.Request)]


def start_requests(spider: scrapy.Spider) -> list[scrapy.Request]:
    return run(spider.start())


def check_contracts(spider: scrapy.Spider, callback_name: str, response_: TextResponse, **cb_kwargs: Any) -> list[Any]:
    """Run a callback's docstring contracts on its output for a recorded response, so that the
    contracts document real behaviour. ``@returns`` uses Scrapy's own check; ``@scrapes`` is
    checked strictly here (every listed field non-empty in every item), because Scrapy's
    version only asks whether a dataclass *has* the field, which is always true."""
    from scrapy.contracts import ContractsManager
    from scrapy.contracts.default import (
        CallbackKeywordArgumentsContract,
        ReturnsContract,
        ScrapesContract,
        UrlContract,
    )

    manager = ContractsManager([UrlContract, CallbackKeywordArgumentsContract, ReturnsContract, ScrapesContract])
    method = getattr(spider, callback_name)
    contracts = manager.extract_contracts(method)
    assert any(isinstance(c, UrlContract) for c in contracts), f"{callback_name} has no @url contract"
    out = run(method(response_, **cb_kwargs))
    checked = 0
    for contract in contracts:
        if isinstance(contract, ReturnsContract):
            contract.post_process(out)
            checked += 1
        elif isinstance(contract, ScrapesContract):
            found = items(out)
            assert found, f"{callback_name}: @scrapes but no item for this response"
            for item in found:
                empty = [f for f in contract.args if not getattr(item, f)]
                assert not empty, f"{callback_name}: item {item.external_id} has empty {empty}"
            checked += 1
    assert checked, f"{callback_name} has no @returns/@scrapes contract"
    return out
