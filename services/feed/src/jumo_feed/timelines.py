"""The timeline store (Redis): every key feed keeps there, and the scripts that write them.

Everything here is a cache of MongoDB (``store.py``) and is rebuilt from it when lost:

- ``<p>tl:<user>`` a home timeline: sorted set of members (``model.member``) scored by the
  activity's number, capped, with a sentinel member (score 0) so that an empty timeline still
  exists. It expires after ``active_days`` unread: fan-out writes only timelines that exist,
  which is the "active in the last N days" rule; a returning reader gets theirs rebuilt.
- ``<p>fw:<source>`` a source's followers (those who want it in their feed), scored by follow
  order: fan-out reads them in ranges of that order, so a batch means the same followers when
  it is redelivered, whoever follows meanwhile (a re-follow keeps its first order: ZADD NX).
- ``<p>sa:<source>`` a source's newest activities as the members its followers get (for
  back-fill on follow, removal on unfollow, and the read-time merge of large sources), with
  the sentinel once loaded.
- ``<p>a:<number>`` an activity's rendered JSON (a day; misses are read from MongoDB).
- ``<p>large`` the sources merged at read time; ``<p>graph`` set once the follower sets were
  loaded from MongoDB.

The fan-out script reads the followers and writes their timelines inside Redis: one call per
batch, no follower id crosses the network (measured in bench/feed_fanout.py). It names keys it
was not given, so it needs one Redis, not a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from redis.asyncio import Redis

from jumo_feed.model import SENTINEL

# KEYS[1] followers; ARGV: prefix, after (exclusive), upto, member, score, cap.
FAN_OUT = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], ARGV[3])
local cap = tonumber(ARGV[6])
local written = 0
for _, uid in ipairs(ids) do
  local key = ARGV[1] .. 'tl:' .. uid
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, ARGV[5], ARGV[4])
    local extra = redis.call('ZCARD', key) - cap - 1
    if extra > 0 then redis.call('ZREMRANGEBYRANK', key, 1, extra) end
    written = written + 1
  end
end
return written
"""

# KEYS[1] a sorted set with a sentinel; ARGV: cap, then score/member pairs. Only if it exists.
ADD_CAPPED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1]) - 1
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 1, extra) end
return 1
"""

ACTIVITY_CACHE_S = 86_400


class Timelines:
    """feed's Redis keys (see the module doc)."""

    def __init__(self, redis: Redis, prefix: str, cap: int, ttl_s: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.cap = cap
        self.ttl_s = ttl_s
        self._fan_out = redis.register_script(FAN_OUT)
        self._add_capped = redis.register_script(ADD_CAPPED)

    # -- keys ---------------------------------------------------------------------------------

    def timeline_key(self, user_id: str) -> str:
        """A person's home timeline."""
        return f"{self.prefix}tl:{user_id}"

    def followers_key(self, source: str) -> str:
        """A source's followers."""
        return f"{self.prefix}fw:{source}"

    def source_key(self, source: str) -> str:
        """A source's newest activities."""
        return f"{self.prefix}sa:{source}"

    def _activity_key(self, number: int) -> str:
        return f"{self.prefix}a:{number}"

    # -- fan-out ------------------------------------------------------------------------------

    async def fan_out(
        self, source: str, after: float, upto: float | None, number: int, reason_member: int
    ) -> int:
        """Write one member into the existing timelines of ``source``'s followers in
        ``(after, upto]``; how many timelines were written."""
        limit = "+inf" if upto is None else repr(upto)
        args: list[str | int] = [self.prefix, repr(after), limit, reason_member, number, self.cap]
        written = await self._fan_out(keys=[self.followers_key(source)], args=args)
        return int(written)

    async def follower_count(self, source: str) -> int:
        """How many follow ``source`` in their feed."""
        return int(await self.redis.zcard(self.followers_key(source)))

    async def batch_bounds(self, source: str, size: int) -> list[float]:
        """The follow order of every ``size``-th follower: fan-out batch k is (b[k-1], b[k]]."""
        count = await self.follower_count(source)
        ranks = range(size - 1, count - 1, size)
        if not ranks:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for rank in ranks:
                pipe.zrange(self.followers_key(source), rank, rank, withscores=True)
            answers = await pipe.execute()
        return [float(found[0][1]) for found in answers if found]

    # -- the follow graph ---------------------------------------------------------------------

    async def add_follower(self, source: str, user_id: str, order: float) -> None:
        """``user_id`` wants ``source`` in their feed (a present follower keeps their order)."""
        await self.redis.zadd(self.followers_key(source), {user_id: order}, nx=True)

    async def remove_follower(self, source: str, user_id: str) -> None:
        """``user_id`` no longer gets ``source`` in their feed."""
        await self.redis.zrem(self.followers_key(source), user_id)

    async def load_followers(self, followers: Mapping[str, Sequence[tuple[str, float]]]) -> None:
        """Add followers in bulk (the graph's rebuild after the cache was lost)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for source, pairs in followers.items():
                if pairs:
                    pipe.zadd(self.followers_key(source), dict(pairs), nx=True)
            await pipe.execute()

    async def graph_loaded(self) -> bool:
        """Whether the follower sets were loaded since the cache last started empty."""
        return bool(await self.redis.exists(f"{self.prefix}graph"))

    async def mark_graph_loaded(self) -> None:
        """The follower sets are complete."""
        await self.redis.set(f"{self.prefix}graph", "1")

    async def mark_large(self, source: str) -> None:
        """``source`` is merged at read time from now on."""
        await self.redis.sadd(f"{self.prefix}large", source)

    async def large_sources(self) -> set[str]:
        """Every source merged at read time."""
        found: set[bytes] = await self.redis.smembers(f"{self.prefix}large")  # type: ignore[assignment]
        return {value.decode() for value in found}

    async def followed_among(self, user_id: str, sources: Iterable[str]) -> list[str]:
        """Which of ``sources`` ``user_id`` follows in their feed."""
        candidates = list(sources)
        if not candidates:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for source in candidates:
                pipe.zscore(self.followers_key(source), user_id)
            scores = await pipe.execute()
        return [s for s, score in zip(candidates, scores, strict=True) if score is not None]

    # -- timelines ----------------------------------------------------------------------------

    async def exists(self, user_id: str) -> bool:
        """Whether ``user_id``'s timeline is there (they read it in the last ``active_days``)."""
        return bool(await self.redis.exists(self.timeline_key(user_id)))

    async def open_timeline(self, user_id: str) -> None:
        """Make ``user_id``'s (empty) timeline exist, so that fan-out writes it from now on.
        A rebuild opens it BEFORE reading MongoDB: an activity spread meanwhile lands in it
        either way (fan-out finds the key, or the read finds the activity)."""
        await self._open(self.timeline_key(user_id), ttl_s=self.ttl_s)

    async def deliver(self, user_id: str, members: Mapping[int, int]) -> bool:
        """Add members to ``user_id``'s timeline if it exists (capped); whether it did."""
        return await self._add_to(self.timeline_key(user_id), members)

    async def remove(self, user_id: str, members: Iterable[int]) -> None:
        """Take members out of ``user_id``'s timeline."""
        values = list(members)
        if values:
            await self.redis.zrem(self.timeline_key(user_id), *values)

    async def newest(
        self, user_id: str, *, below: int | None, count: int, above: int = 0
    ) -> list[tuple[int, int]]:
        """(member, number) pairs of ``user_id``'s timeline, newest first, numbers in
        ``(above, below)``; reading keeps the timeline alive for ``active_days`` more."""
        key = self.timeline_key(user_id)
        top = "+inf" if below is None else f"({below}"
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.expire(key, self.ttl_s)
            pipe.zrevrangebyscore(key, top, f"({above}", start=0, num=count, withscores=True)
            _, found = await pipe.execute()
        return [(int(value), int(score)) for value, score in found]

    async def drop_timeline(self, user_id: str) -> None:
        """Forget a person's timeline."""
        await self.redis.delete(self.timeline_key(user_id))

    # -- sources' newest activities -----------------------------------------------------------

    async def source_members(self, source: str) -> list[tuple[int, int]] | None:
        """(member, number) of ``source``'s newest activities, newest first; None when not
        loaded (the cache lost them)."""
        found: list[tuple[bytes, float]] = await self.redis.zrevrange(  # type: ignore[assignment]
            self.source_key(source), 0, -1, withscores=True
        )
        if not found:
            return None
        return [(int(value), int(score)) for value, score in found if score > 0]

    async def source_page(
        self, source: str, *, below: int | None, count: int, above: int = 0
    ) -> list[tuple[int, int]]:
        """(member, number) of ``source``'s activities in ``(above, below)``, newest first."""
        top = "+inf" if below is None else f"({below}"
        found: list[tuple[bytes, float]] = await self.redis.zrevrangebyscore(  # type: ignore[assignment]
            self.source_key(source), top, f"({above}", start=0, num=count, withscores=True
        )
        return [(int(value), int(score)) for value, score in found]

    async def open_source(self, source: str) -> None:
        """Make ``source``'s activity list exist (before it is loaded: see open_timeline)."""
        await self._open(self.source_key(source), ttl_s=None)

    async def add_to_source_list(self, source: str, members: Mapping[int, int]) -> None:
        """Add activities to ``source``'s (open) list, newest kept."""
        await self._add_to(self.source_key(source), members)

    async def add_to_source(self, source: str, member_value: int, number: int) -> bool:
        """Add one activity to ``source``'s list if it is loaded."""
        return await self._add_to(self.source_key(source), {member_value: number})

    async def remove_from_source(self, source: str, members: Iterable[int]) -> None:
        """Take activities out of ``source``'s list."""
        values = list(members)
        if values:
            await self.redis.zrem(self.source_key(source), *values)

    async def drop_source(self, source: str) -> None:
        """Forget a source: its followers, its activities, whether it is merged at read time."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(self.source_key(source), self.followers_key(source))
            pipe.srem(f"{self.prefix}large", source)
            await pipe.execute()

    # -- activities ---------------------------------------------------------------------------

    async def cached(self, numbers: Sequence[int]) -> dict[int, bytes]:
        """The rendered activities the cache has."""
        if not numbers:
            return {}
        found: list[bytes | None] = await self.redis.mget(  # type: ignore[assignment]
            [self._activity_key(n) for n in numbers]
        )
        return {n: value for n, value in zip(numbers, found, strict=True) if value is not None}

    async def cache(self, rendered: Mapping[int, bytes]) -> None:
        """Keep rendered activities for a day."""
        if not rendered:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for number, value in rendered.items():
                pipe.set(self._activity_key(number), value, ex=ACTIVITY_CACHE_S)
            await pipe.execute()

    async def forget(self, numbers: Iterable[int]) -> None:
        """Drop rendered activities (they changed, or went)."""
        keys = [self._activity_key(n) for n in numbers]
        if keys:
            await self.redis.delete(*keys)

    # -- helpers ------------------------------------------------------------------------------

    async def _open(self, key: str, ttl_s: int | None) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {SENTINEL: 0}, nx=True)
            if ttl_s is not None:
                pipe.expire(key, ttl_s)
            await pipe.execute()

    async def _add_to(self, key: str, members: Mapping[int, int]) -> bool:
        if not members:
            return False
        args: list[str | int] = [self.cap]
        for value, number in members.items():
            args += [number, value]
        return bool(await self._add_capped(keys=[key], args=args))
