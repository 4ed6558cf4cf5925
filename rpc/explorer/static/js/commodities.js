// The catalogue with each commodity's price history, and trade volume over the last days.

import {batch, call} from "./rpc.js";
import {barChart, lineChart} from "./chart.js";
import {badge, errorBox, h, num, pt, row, table, units} from "./dom.js";

const DAYS = 30;
const ROUNDS = 200;  // price points per chart, at most

export async function commodities(ctx) {
  const [cat, params, st, trade] = await batch([
    ["fictra_listCommodities", {}], ["fictra_getParams", {}], ["fictra_status", {}],
    ["fictra_getTradeStats", {days: DAYS}]]);
  if (!ctx.alive) return;
  if (cat instanceof Error) throw cat;
  const round = Number((params && params.oracle_round_blocks) || 30);
  const from = Math.max(1, st.height - ROUNDS * round);
  const list = cat.commodities;

  const volume = {};
  if (!(trade instanceof Error)) {
    for (const d of trade.volume) {
      const v = volume[d.commodity] || (volume[d.commodity] = {count: 0, value: 0n, quantity: 0n});
      v.count += d.count;
      v.value += BigInt(d.value_pt);
      v.quantity += BigInt(d.quantity);
    }
  }
  const lastPrice = {};
  const v = ctx.view;
  v.append(h("h1", null, "Commodities"),
    table(["code", "name", "unit", "FT rate", "verification quorum", "last price",
           `purchases (${DAYS} d)`, `quantity (${DAYS} d)`, `value (${DAYS} d)`],
    list.map((c) => {
      const vol = volume[c.code];
      lastPrice[c.code] = h("span", {class: "price"}, "…");
      return row([h("a", {href: `#/commodities`, id: `c-${c.code}`}, c.code), c.name, c.unit,
                  `${(c.ft_rate_bps / 100).toFixed(2)} %`,
                  Object.entries(c.requirements).map(([k, q]) => `${k} ${q}`).join(", "),
                  lastPrice[c.code], vol ? num(vol.count) : "0",
                  vol ? `${units(vol.quantity.toString(), c.decimals)} ${c.unit}` : "-",
                  vol ? pt(vol.value.toString()) : "-"], {key: c.code});
    }), {id: "commodities"}));
  if (trade instanceof Error) v.append(errorBox(trade));
  else {
    const statuses = Object.entries(trade.purchases_by_status);
    v.append(h("div", {class: "charts"},
      h("div", {class: "card", id: "chart-status"}, h("div", {class: "chart-title"}, "Purchases by status"),
        statuses.length ? barChart(statuses, {title: "purchases by status"}) : h("p", {class: "muted"}, "no purchases")),
      h("div", {class: "card", id: "chart-volume"}, h("div", {class: "chart-title"}, `Purchase value per day, PT (last ${DAYS} days)`),
        volumeChart(trade.volume))));
  }
  // One chart per commodity, each filled when its history arrives (a visitor under the
  // gateway's rate limit sees the first ones at once and the rest as its calls are let in).
  const cards = list.map((c) => h("div", {class: "card", id: `price-${c.code}`},
    h("div", {class: "chart-title"}, `${c.code}: PT per ${c.unit} `, c.active ? null : badge("inactive", "bad")),
    h("p", {class: "muted"}, "loading…")));
  v.append(h("h2", null, "Price history"), h("div", {class: "charts"}, cards));
  await Promise.all(list.map(async (c, i) => {
    let hist;
    try {
      hist = await call("fictra_getPriceHistory", {commodity: c.code, page: {from, limit: 500}});
    } catch (err) {
      hist = err;
    }
    if (!ctx.alive) return;
    const card = cards[i];
    card.lastChild.remove();
    if (hist instanceof Error) {
      card.append(errorBox(hist));
      return;
    }
    const points = hist ? hist.points : [];
    const pts = points.map((p) => [p.height, Number(BigInt(p.price)) / 1e6]);
    card.dataset.points = String(pts.length);
    lastPrice[c.code].textContent = points.length ? `${pt(points[points.length - 1].price)}/${c.unit}` : "-";
    if (!pts.length) {
      card.append(h("p", {class: "muted"}, "no published price"));
      return;
    }
    card.append(lineChart(pts, {title: `${c.code} price`}),
                h("div", {class: "muted"}, `${pts.length} published prices since block ${num(from)}`));
  }));
}

function volumeChart(volume) {
  const byDay = {};
  for (const d of volume) byDay[d.day] = (byDay[d.day] || 0n) + BigInt(d.value_pt);
  const days = Object.keys(byDay).sort();
  if (!days.length) return h("p", {class: "muted"}, "no purchases");
  return barChart(days.map((d) => [d.slice(5), Number(byDay[d]) / 1e6]), {title: "value per day"});
}
