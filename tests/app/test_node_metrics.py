"""The node's app metrics: the metered app answers exactly as the plain one, and what it
records (txs by type and code, CheckTx answers, block stages, the store, the signature cache)
is what happened, as a Prometheus scrape reads it."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from app.errors import Code
from app.node.metered import MeteredApp
from app.node.metrics import CHECK_BUCKETS, Collector, Hist
from app.params import UNIT
from app.tx.builder import multi_send, send
from tests.app.chain import ALICE, BOB, CAROL, Chain


def _scrape(app: MeteredApp) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Collector(app, app.metrics))
    text = generate_latest(registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def _value(samples: dict, metric: str, **labels: str) -> float:
    return samples[(metric, tuple(sorted(labels.items())))]


def _drive(chain: Chain) -> list[object]:
    """The same txs through CheckTx and blocks; every answer the app gave."""
    answers: list[object] = []
    ok = chain.tx(ALICE, send(BOB.address, 5 * UNIT))
    multi = chain.tx(ALICE, multi_send([(BOB.address, UNIT), (CAROL.address, UNIT)]))
    too_much = chain.tx(CAROL, send(BOB.address, 1_000 * UNIT))  # fails: code 20, fee paid
    replay = chain.tx(BOB, send(ALICE.address, UNIT), nonce=0)
    for raw in (ok, multi, too_much, replay):  # too_much is refused: it would fail
        answers.append(chain.check(raw))
    included, res = chain.propose([ok, multi, too_much])  # the proposer leaves it out
    answers += [included, res]
    answers.append(chain.finalize([replay, too_much]))  # another proposer's block: in, fails
    answers.append(chain.check(replay))  # the same bytes again: NONCE_TOO_LOW now
    answers.append(chain.finalize([]))
    answers.append(chain.store.app_hash)
    return answers


def test_metered_app_answers_as_the_plain_app(tmp_path: Path) -> None:
    plain = Chain(tmp_path / "plain")
    metered = Chain(tmp_path / "metered", app_class=MeteredApp)
    assert _drive(plain) == _drive(metered)


def test_metrics_count_what_the_app_did(tmp_path: Path) -> None:
    chain = Chain(tmp_path / "m", app_class=MeteredApp)
    assert isinstance(chain.app, MeteredApp)
    _drive(chain)
    s = _scrape(chain.app)
    # txs in blocks by message kind and result code
    assert _value(s, "fictra_app_txs_total", type="send", code="0", name="OK") == 2
    assert _value(s, "fictra_app_txs_total", type="multi_send", code="0", name="OK") == 1
    failed = Code.INSUFFICIENT_FUNDS
    assert _value(s, "fictra_app_txs_total", type="send", code=str(int(failed)),
                  name=failed.name) == 1
    # CheckTx: four txs seen, one of them twice (refused the 2nd time: its nonce is used)
    assert _value(s, "fictra_app_check_tx_total", check="new", code="0", name="OK") == 3
    assert _value(s, "fictra_app_check_tx_total", check="new", code=str(int(failed)),
                  name=failed.name) == 1
    assert _value(s, "fictra_app_check_tx_total", check="new", code=str(int(Code.NONCE_TOO_LOW)),
                  name="NONCE_TOO_LOW") == 1
    assert _value(s, "fictra_app_check_tx_seconds_count", check="new") == 5
    assert _value(s, "fictra_app_check_tx_seconds_count", check="recheck") == 0
    # blocks: three committed, one proposal prepared and accepted, 2 + 2 + 0 txs
    assert _value(s, "fictra_app_blocks_total") == 3
    assert _value(s, "fictra_app_commit_seconds_count") == 3
    assert _value(s, "fictra_app_finalize_block_seconds_count") == 3
    assert _value(s, "fictra_app_prepare_proposal_seconds_count") == 1
    assert _value(s, "fictra_app_proposals_total", result="accept") == 1
    assert _value(s, "fictra_app_block_txs_sum") == 4
    assert _value(s, "fictra_app_block_txs_bucket", le="0.0") == 1  # the empty block
    assert _value(s, "fictra_app_height") == chain.height == 3
    assert _value(s, "fictra_app_last_block_time_seconds") == chain.time_s
    # the store: every shard's key count as the store keeps it
    for shard in chain.store.shards:
        assert _value(s, "fictra_app_store_keys", shard=shard) == chain.store.key_count(shard)
    assert _value(s, "fictra_app_store_keys", shard="pt") > 0
    assert _value(s, "fictra_app_store_bytes", shard="pt") > 0
    # the signature cache: 4 distinct txs; the one CheckTx refused first was dropped and
    # verified again in the block that held it; the replay is dropped when refused
    assert _value(s, "fictra_app_sigcache_verifications_total") == 5
    assert _value(s, "fictra_app_sigcache_entries") == 3
    assert _value(s, "fictra_app_sigcache_hits_total") > 4


def test_a_histogram_counts_each_value_in_its_le_bucket() -> None:
    h = Hist(CHECK_BUCKETS)
    for v in (1e-5, 3e-5, 0.2, 1e-4):  # on a bound, between, above every bound, on a bound
        h.observe(v)
    buckets, total = h.buckets()
    got = dict(buckets)
    assert got["1e-05"] == 1 and got["5e-05"] == 2 and got["0.0001"] == 3
    assert got["0.1"] == 3 and got["+Inf"] == 4
    assert abs(total - (1e-5 + 3e-5 + 0.2 + 1e-4)) < 1e-12
