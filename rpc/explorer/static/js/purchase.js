// A purchase: its state machine with the current step, parties, attestations per kind against
// the quorum, deadlines. It follows new blocks until it reaches a terminal status.

import {batch, live} from "./rpc.js";
import {accountLink, badge, blockLink, errorBox, h, kv, num, pt, row, table, txLink, units} from "./dom.js";

const MAIN = ["open", "shipped", "verified", "settled"];
const SIDE = ["disputed", "refunded", "rejected", "expired"];
const TERMINAL = new Set(["settled", "refunded", "rejected", "expired"]);

function machine(p) {
  const reached = {
    open: true, shipped: p.shipped_height > 0, verified: p.verified_height > 0,
    settled: p.status === "settled", disputed: p.status === "disputed" || p.status === "refunded" ||
      (p.status === "settled" && !p.verified_height && !!p.dispute_reason),
  };
  const step = (name) => h("span", {
    class: "step" + (name === p.status ? " current" : reached[name] ? " done" : ""),
    "data-step": name}, name.toUpperCase());
  const arrow = () => h("span", {class: "arrow"}, "→");
  const main = MAIN.flatMap((s, i) => (i ? [arrow(), step(s)] : [step(s)]));
  const side = SIDE.map((s) => {
    const el = step(s);
    if (s !== p.status && !reached[s]) el.classList.add("off");
    return el;
  });
  return h("div", {id: "machine"}, h("div", {class: "machine"}, main),
           h("div", {class: "machine"}, h("span", {class: "muted"}, "other ends: "), side));
}

function deadline(label, at, height, passed) {
  const left = at - height;
  const note = passed ? "" : left >= 0 ? ` (${num(left)} blocks left)` : ` (passed ${num(-left)} blocks ago)`;
  return [label, `block ${num(at)}${note}`];
}

function attestations(ver) {
  if (!ver) return h("p", {class: "muted", id: "attestations-none"}, "no verification requests yet (opened at shipment)");
  return h("div", {id: "attestations"}, ver.requests.map((r) => {
    const bar = (n, cls) => {
      const span = h("span", {class: cls});
      span.style.width = `${Math.min(100, (100 * n) / Math.max(1, r.quorum))}%`;
      return h("div", {class: "bar"}, span);
    };
    return h("div", {class: "card", "data-kind": r.kind},
      h("div", {class: "chart-title"}, `${r.kind}: `, badge(r.status, r.status === "approved" ? "ok" : r.status === "rejected" ? "bad" : "warn")),
      h("div", {class: "kind-count"}, `${r.approvals} of ${r.quorum} approvals, ${r.rejections} of ${r.quorum} rejections`),
      bar(r.approvals, ""), bar(r.rejections, "bad"),
      r.attestations.length ? table(["verifier", "verdict", "block"], r.attestations.map((a) =>
        row([accountLink(a.verifier), badge(a.verdict, a.verdict === "approve" ? "ok" : "bad"), blockLink(a.height)])))
        : h("p", {class: "muted"}, "no attestations"));
  }));
}

export async function purchase(ctx, id) {
  id = id.toLowerCase();
  const load = () => batch([["fictra_getPurchase", {id}], ["fictra_getVerification", {id}],
                            ["fictra_listCommodities", {}]]);
  const render = (p, ver, cat) => {
    const v = ctx.view;
    if (p instanceof Error) throw p;
    if (!p) {
      v.replaceChildren(h("h1", null, "Purchase"), h("p", {class: "muted"}, `no purchase ${id}`));
      return null;
    }
    const com = cat && !(cat instanceof Error) ? cat.commodities.find((c) => c.code === p.commodity) : null;
    const qty = com ? `${units(p.quantity, com.decimals)} ${com.unit}` : p.quantity;
    const closed = TERMINAL.has(p.status);
    v.replaceChildren(
      h("h1", null, "Purchase ", h("span", {class: "mono"}, id)),
      machine(p),
      kv([["status", badge(p.status, p.status === "settled" ? "ok" : closed ? "bad" : "warn"), "purchase-status"],
          ["buyer", accountLink(p.buyer, 40), "purchase-buyer"], ["seller", accountLink(p.seller, 40), "purchase-seller"],
          ["origin sovereign", accountLink(p.origin_sovereign, 40), "purchase-sovereign"],
          ["commodity", com ? `${p.commodity} (${com.name})` : p.commodity],
          ["quantity", qty], ["unit price", pt(p.unit_price) + (com ? ` per ${com.unit}` : "")],
          ["value (escrowed)", pt(p.value), "purchase-value"],
          ["FT issued", `${units(p.ft_issued)} FT (rate ${(p.ft_rate_bps / 100).toFixed(2)} %)`, "purchase-ft"],
          ["created", blockLink(p.created_height)], ["created by", txLink(p.create_tx)],
          p.shipped_height ? ["shipped", blockLink(p.shipped_height)] : null,
          p.verified_height ? ["verified", blockLink(p.verified_height)] : null,
          p.closed_height ? ["closed", blockLink(p.closed_height)] : null,
          deadline("ship by", p.ship_by, p.height, p.shipped_height || closed),
          deadline("verify by", p.verify_by, p.height, p.verified_height || closed),
          p.dispute_reason ? ["dispute reason", p.dispute_reason] : null,
          p.outcome ? ["outcome", p.outcome] : null,
          ["documents", p.document_hashes.length ? h("div", null, p.document_hashes.map((d) => h("div", {class: "mono"}, d))) : "-"],
          ["as of block", blockLink(p.height)]]),
      h("h2", null, "Attestations per kind against the quorum"),
      ver instanceof Error ? errorBox(ver) : attestations(ver));
    return closed;
  };
  const [p, ver, cat] = await load();
  if (!ctx.alive) return;
  if (render(p, ver, cat) === false) {
    let busy = false;
    const stop = live.subscribe("newHeads", undefined, async () => {
      if (busy || !ctx.alive) return;
      busy = true;
      try {
        const [p2, v2, c2] = await load();
        if (ctx.alive && render(p2, v2, c2)) stop();
      } finally {
        busy = false;
      }
    });
    ctx.onLeave(stop);
  }
}
