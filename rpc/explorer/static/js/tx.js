// One transaction: result code and its name, decoded messages, events.

import {call} from "./rpc.js";
import {accountLink, badge, blockLink, codeBadge, h, kv, pt, purchaseLink, table, row} from "./dom.js";

const AMOUNT_FIELDS = new Set(["amount", "input", "unit_price", "fee", "pt_amount", "value", "price"]);

// A field's value, linked when it names an address, a tx, a purchase or a block.
function value(key, v) {
  if (Array.isArray(v)) return h("div", null, v.map((x) => h("div", null, value(key, x))));
  if (v && typeof v === "object") {
    return h("dl", {class: "kv"}, Object.entries(v).flatMap(([k, x]) => [h("dt", null, k), h("dd", null, value(k, x))]));
  }
  const s = String(v);
  if (/^fic1[0-9a-z]{38}$/.test(s)) return accountLink(s, 40);
  if ((key === "id" || key === "purchase") && /^[0-9a-fA-F]{32}$/.test(s)) return purchaseLink(s.toLowerCase());
  if (AMOUNT_FIELDS.has(key) && /^\d+$/.test(s)) return `${pt(s)} (${s})`;
  return h("span", {class: /^[0-9A-F]{16,}$/.test(s) ? "mono" : null}, s);
}

function messageCard(m, i) {
  const fields = Object.entries(m).filter(([k]) => k !== "type");
  return h("div", {class: "card message"},
    h("div", {class: "chart-title"}, `message ${i}: `, h("span", {class: "msg-type"}, m.type)),
    fields.length ? h("dl", {class: "kv"}, fields.flatMap(([k, v]) => [h("dt", null, k), h("dd", null, value(k, v))]))
      : h("p", {class: "muted"}, "no fields"));
}

export async function tx(ctx, hash) {
  hash = hash.toUpperCase();
  const d = await call("fictra_getTransactionDetail", {hash});
  if (!ctx.alive) return;
  const v = ctx.view;
  v.append(h("h1", null, "Transaction"));
  if (!d) {
    const st = await call("fictra_getTransaction", {hash});
    if (!ctx.alive) return;
    v.append(kv([["hash", h("span", {class: "mono"}, hash)],
                 ["status", st ? badge(st.status, "warn") : "unknown to this gateway", "tx-status"],
                 st && st.reason ? ["reason", st.reason] : null]));
    return;
  }
  const r = d.receipt, t = d.tx || {};
  v.append(
    kv([["hash", h("span", {class: "mono"}, r.hash), "tx-hash"],
        ["result", codeBadge(r.code, d.code_name), "tx-code"],
        ["code", `${r.code} ${d.code_name}`, "tx-code-name"],
        r.log ? ["log", r.log] : null,
        ["block", blockLink(r.height), "tx-height"], ["index in block", String(r.index)],
        ["signer", accountLink(r.signer, 40), "tx-signer"], ["fee", pt(r.fee)],
        ["nonce", t.nonce ?? "-"], ["size", t.size ? `${t.size} bytes` : "-"],
        t.memo ? ["memo", t.memo] : null,
        t.timeout_height ? ["timeout height", String(t.timeout_height)] : null]),
    h("h2", null, "Messages"),
    h("div", {class: "grid", id: "messages"}, (t.messages || []).map(messageCard)),
    h("h2", null, "Events"),
    table(["type", "attributes"], r.events.map((e) => row([
      h("span", {class: "badge"}, e.type),
      h("div", null, Object.entries(e.attributes).map(([k, x]) =>
        h("div", null, h("span", {class: "muted"}, k + " "), value(k, x)))),
    ])), {id: "events"}));
}
