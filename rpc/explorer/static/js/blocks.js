// Blocks, newest first (the first page grows live), and one block with its txs.

import {call, live} from "./rpc.js";
import {accountLink, blockLink, codeBadge, h, kv, link, num, pt, row, short, table, txLink, when} from "./dom.js";

const LIMIT = 25;
const interval = (ms) => (ms === null || ms === undefined ? "-" : (ms / 1000).toFixed(2) + " s");

function blockRow(b, fresh) {
  const r = row([blockLink(b.height), when(b.time), h("span", {class: "mono"}, short(b.hash, 8)),
              h("span", {class: "mono"}, short(b.proposer, 8)), num(b.num_txs), interval(b.interval_ms)],
             {numeric: [4, 5], key: b.height, class: fresh ? "new" : null});
  r.dataset.time = b.time;
  return r;
}

const ms = (t) => new Date(String(t).replace(/\.(\d{3})\d*Z$/, ".$1Z")).getTime();

export async function blocks(ctx) {
  const before = ctx.args.get("before");
  const params = before ? {before: Number(before), limit: LIMIT} : {limit: LIMIT};
  const res = await call("fictra_getBlocks", params);
  if (!ctx.alive) return;
  const t = table(["height", "time", "hash", "proposer", "txs", "interval"],
                  res.blocks.map((b) => blockRow(b)), {id: "blocks", numeric: ["txs", "interval"]});
  const body = t.querySelector("tbody");
  const pager = h("div", {class: "pager"},
    before ? link("#/blocks", "newest") : null,
    res.next_before ? link(`#/blocks?before=${res.next_before}`, "older blocks →", "older") : null);
  ctx.view.append(h("h1", null, "Blocks"),
                  h("p", {class: "muted"}, `latest indexed height ${num(res.latest_height)}`),
                  t, pager);
  if (before) return;
  const top = () => {
    const first = body.querySelector("tr");
    return first ? {height: Number(first.dataset.key), time: first.dataset.time} : null;
  };
  const add = (b) => {
    const prev = top();
    if (prev && b.height <= prev.height) return;
    const gap = b.interval_ms ?? (prev && prev.height === b.height - 1
      ? ms(b.time) - ms(prev.time) : null);
    body.prepend(blockRow({...b, interval_ms: gap}, true));
    while (body.children.length > LIMIT) body.lastElementChild.remove();
  };
  // Heads are taken in order; one that skips heights (a block came between the page's fetch
  // and its subscription) first brings the missing blocks from the index.
  let queue = Promise.resolve();
  ctx.onLeave(live.subscribe("newHeads", undefined, (head) => {
    queue = queue.then(async () => {
      const prev = top();
      if (prev && head.height > prev.height + 1) {
        const missing = Math.min(head.height - prev.height - 1, LIMIT);
        const res = await call("fictra_getBlocks", {before: head.height, limit: missing});
        if (!ctx.alive) return;
        for (const b of [...res.blocks].reverse()) add(b);
      }
      add(head);
    }).catch(() => add(head));
  }));
}

export async function block(ctx, heightText) {
  const height = Number(heightText);
  const b = await call("fictra_getBlock", {height});
  if (!ctx.alive) return;
  const v = ctx.view;
  if (!b) {
    v.append(h("h1", null, `Block ${num(height)}`),
             h("p", {class: "muted", id: "block-missing"}, "not indexed (yet): a block still to come, or past the index"));
    return;
  }
  v.append(
    h("h1", null, `Block ${num(b.height)}`),
    h("div", {class: "pager"}, b.height > 1 ? link(`#/block/${b.height - 1}`, "← previous") : null,
      link(`#/block/${b.height + 1}`, "next →")),
    kv([["height", String(b.height), "block-height"], ["time", when(b.time)],
        ["hash", h("span", {class: "mono"}, b.hash), "block-hash"],
        ["app hash", h("span", {class: "mono"}, b.app_hash)],
        ["proposer", h("span", {class: "mono"}, b.proposer)],
        ["txs", num(b.num_txs), "block-num-txs"], ["interval", interval(b.interval_ms)]]),
    h("h2", null, "Transactions"),
    b.txs.length
      ? table(["#", "hash", "type", "signer", "result", "fee"], b.txs.map((t) => row([
        String(t.index), txLink(t.hash), t.msg_types && t.msg_types.length > 1
          ? `${t.type} +${t.msg_types.length - 1}` : t.type,
        accountLink(t.signer), codeBadge(t.code, t.code_name), pt(t.fee)], {numeric: [5]})),
      {id: "block-txs", numeric: ["fee"]})
      : h("p", {class: "muted"}, "no transactions"));
  if (b.validator_updates && b.validator_updates.length) {
    v.append(h("h2", null, "Validator updates"),
             table(["public key", "power"], b.validator_updates.map((u) =>
               row([h("span", {class: "mono"}, u.pub_key), num(u.power)], {numeric: [1]}))));
  }
}
