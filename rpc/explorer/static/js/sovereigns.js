// Sovereigns: FT issued by settlements and converted into PT.

import {batch, call} from "./rpc.js";
import {barChart} from "./chart.js";
import {accountLink, ft, h, row, table} from "./dom.js";

export async function sovereigns(ctx) {
  const trade = await call("fictra_getTradeStats", {days: 366});
  if (!ctx.alive) return;
  const list = trade.ft_by_sovereign;
  const more = await batch(list.flatMap((s) => [["fictra_getFT", {address: s.sovereign}],
                                                 ["fictra_getAccount", {address: s.sovereign}]]));
  if (!ctx.alive) return;
  let issued = 0n, converted = 0n;
  for (const s of list) {
    issued += BigInt(s.issued);
    converted += BigInt(s.converted);
  }
  const v = ctx.view;
  v.append(h("h1", null, "Sovereigns"),
    h("p", {class: "muted"}, `FT issued ${ft(issued.toString())}, converted ${ft(converted.toString())}, outstanding ${ft((issued - converted).toString())}`));
  if (!list.length) {
    v.append(h("p", {class: "muted", id: "sovereigns-none"}, "no FT issued yet"));
    return;
  }
  v.append(table(["sovereign", "jurisdiction", "FT issued", "FT converted", "FT balance"],
    list.map((s, i) => {
      const bal = more[2 * i], acc = more[2 * i + 1];
      return row([accountLink(s.sovereign, 40), acc instanceof Error ? "-" : acc.jurisdiction,
                  ft(s.issued), ft(s.converted), bal instanceof Error ? "-" : ft(bal.balance)],
                 {numeric: [2, 3, 4], key: s.sovereign});
    }), {id: "sovereigns", numeric: ["FT issued", "FT converted", "FT balance"]}),
    h("div", {class: "charts"}, h("div", {class: "card"}, h("div", {class: "chart-title"}, "FT issued and converted"),
      barChart(list.flatMap((s, i) => {
        const acc = more[2 * i + 1];
        const name = acc instanceof Error || !acc.jurisdiction ? s.sovereign.slice(0, 8) : acc.jurisdiction;
        return [[`${name} issued`, Number(BigInt(s.issued)) / 1e6],
                [`${name} converted`, Number(BigInt(s.converted)) / 1e6]];
      })))));
}
