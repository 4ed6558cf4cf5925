"""The per-height read cache: shared in-flight reads, dropped on a new block, errors not kept."""

from __future__ import annotations

import asyncio

import pytest

from rpc.cache import ReadCache


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(coro)


def test_hits_until_the_next_block() -> None:
    async def go() -> None:
        cache = ReadCache()
        cache.enabled = True
        calls = []

        async def read() -> int:
            calls.append(1)
            return len(calls)

        assert await cache.get("k", read) == 1
        assert await cache.get("k", read) == 1
        assert await cache.get("other", read) == 2
        cache.advance(2)
        assert await cache.get("k", read) == 3
        assert cache.hits == 1 and cache.misses == 3

    run(go())


def test_concurrent_reads_share_one_upstream_call() -> None:
    async def go() -> None:
        cache = ReadCache()
        cache.enabled = True
        gate = asyncio.Event()
        calls = 0

        async def read() -> str:
            nonlocal calls
            calls += 1
            await gate.wait()
            return "v"

        tasks = [asyncio.create_task(cache.get("k", read)) for _ in range(20)]
        await asyncio.sleep(0)
        gate.set()
        assert await asyncio.gather(*tasks) == ["v"] * 20
        assert calls == 1

    run(go())


def test_errors_are_not_cached_and_reach_waiters() -> None:
    async def go() -> None:
        cache = ReadCache()
        cache.enabled = True
        gate = asyncio.Event()
        n = 0

        async def read() -> str:
            nonlocal n
            n += 1
            await gate.wait()
            if n == 1:
                raise KeyError("boom")
            return "ok"

        first = asyncio.create_task(cache.get("k", read))
        second = asyncio.create_task(cache.get("k", read))
        await asyncio.sleep(0)
        gate.set()
        for t in (first, second):
            with pytest.raises(KeyError):
                await t
        assert await cache.get("k", read) == "ok"

    run(go())


def test_a_read_finishing_after_a_new_block_is_not_kept() -> None:
    async def go() -> None:
        cache = ReadCache()
        cache.enabled = True
        gate = asyncio.Event()

        async def slow() -> str:
            await gate.wait()
            return "old"

        task = asyncio.create_task(cache.get("k", slow))
        await asyncio.sleep(0)
        cache.advance(5)
        gate.set()
        assert await task == "old"

        async def fresh() -> str:
            return "new"

        assert await cache.get("k", fresh) == "new"

    run(go())


def test_disabled_cache_always_reads() -> None:
    async def go() -> None:
        cache = ReadCache()
        n = 0

        async def read() -> int:
            nonlocal n
            n += 1
            return n

        assert [await cache.get("k", read) for _ in range(3)] == [1, 2, 3]

    run(go())
