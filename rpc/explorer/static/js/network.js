// The network page: height, block interval and tx/s (live), txs by type, validators, mempool.

import {batch, call, live} from "./rpc.js";
import {lineChart} from "./chart.js";
import {errorBox, h, num, row, stat, table, when} from "./dom.js";

const BLOCKS = 100;

function seriesCharts(series) {
  const pts = series.filter((b) => b.interval_ms !== null && b.interval_ms !== undefined);
  const interval = pts.map((b) => [b.height, b.interval_ms / 1000]);
  const tps = pts.map((b) => [b.height, b.interval_ms > 0 ? b.num_txs / (b.interval_ms / 1000) : 0]);
  return [
    h("div", {class: "card", id: "chart-interval"},
      h("div", {class: "chart-title"}, `Block interval (s), last ${series.length} blocks`),
      lineChart(interval, {title: "block interval"})),
    h("div", {class: "card", id: "chart-tps"},
      h("div", {class: "chart-title"}, `Transactions per second, last ${series.length} blocks`),
      lineChart(tps, {title: "tx/s"})),
  ];
}

function validatorsTable(validators) {
  const total = validators.reduce((a, v) => a + Number(v.power), 0) || 1;
  return table(["address", "power", "share"], validators.map((v) =>
    row([h("span", {class: "mono"}, v.address), num(v.power),
         (100 * Number(v.power) / total).toFixed(1) + " %"], {numeric: [1, 2]})),
  {id: "validators", numeric: ["power", "share"]});
}

function typesTable(byType) {
  const entries = Object.entries(byType || {}).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return h("p", {class: "muted"}, "no txs in these blocks");
  return table(["type", "txs"], entries.map(([t, n]) => row([t, num(n)], {numeric: [1]})),
               {id: "tx-types", numeric: ["txs"]});
}

export async function network(ctx) {
  const v = ctx.view;
  const height = h("span", null, "…");
  const cards = {
    interval: h("span", null, "…"), tps: h("span", null, "…"), mempool: h("span", null, "…"),
    validators: h("span", null, "…"), chain: h("span", null, "…"),
  };
  const charts = h("div", {class: "charts"});
  const lower = h("div");
  v.append(
    h("h1", null, "Network"),
    h("div", {class: "grid"},
      stat("height", height, "height"), stat("block interval", cards.interval, "interval"),
      stat("tx/s", cards.tps, "tps"), stat("mempool", cards.mempool, "mempool"),
      stat("validators", cards.validators, "validator-count"), stat("chain", cards.chain, "chain")),
    h("p", {class: "muted", id: "last-block"}),
    charts, lower);

  let shown = false;
  const showHeight = (hgt, time) => {
    height.textContent = num(hgt);
    height.dataset.height = String(hgt);
    if (time) v.querySelector("#last-block").textContent = `block ${hgt} at ${when(time)}`;
    if (!shown) {
      shown = true;
      performance.mark("height-shown");
    }
  };

  const fill = (stats) => {
    if (!ctx.alive) return;
    if (stats.height > Number(height.dataset.height || 0)) showHeight(stats.height);
    cards.interval.textContent = `${stats.block_interval_s} s`;
    cards.tps.textContent = stats.tx_per_s;
    cards.mempool.textContent = `${num(stats.mempool_size)} txs`;
    cards.validators.textContent = num(stats.validators.length);
    charts.replaceChildren(...seriesCharts(stats.series || []));
    if (!performance.getEntriesByName("stats-shown").length) performance.mark("stats-shown");
    lower.replaceChildren(
      h("h2", null, `Txs by type, last ${stats.blocks} blocks`), typesTable(stats.txs_by_type),
      h("h2", null, "Validators and voting power"), validatorsTable(stats.validators));
  };

  const statusCall = call("fictra_status").then((st) => {
    if (!ctx.alive) return;
    cards.chain.textContent = st.chain_id;
    if (st.height > Number(height.dataset.height || 0)) showHeight(st.height, st.block_time);
  });
  let refreshing = false;
  const refresh = async () => {
    if (refreshing) return;
    refreshing = true;
    try {
      const [stats] = await batch([["fictra_getNetworkStats", {blocks: BLOCKS}]]);
      if (stats instanceof Error) throw stats;
      fill(stats);
    } finally {
      refreshing = false;
    }
  };
  ctx.onLeave(live.subscribe("newHeads", undefined, (head) => {
    if (!ctx.alive) return;
    if (head.height > Number(height.dataset.height || 0)) showHeight(head.height, head.time);
    setTimeout(() => refresh().catch(() => {}), 300);  // the index follows the block shortly
  }));
  try {
    await Promise.all([statusCall, refresh()]);
  } catch (err) {
    if (ctx.alive) lower.replaceChildren(errorBox(err));
  }
}
