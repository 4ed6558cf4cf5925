// An account: PT, FT, KYC tier, jurisdiction, roles, frozen; its history a page at a time.

import {batch, live} from "./rpc.js";
import {accountLink, badge, blockLink, codeBadge, errorBox, ft, h, kv, link, pt, purchaseLink, row, table, txLink} from "./dom.js";

const PER_PAGE = 20;

// What a tx did to this address, from its transfer events.
function effect(receipt, address) {
  const parts = [];
  for (const e of receipt.events) {
    if (e.type !== "transfer") continue;
    const a = e.attributes;
    if (a.sender === address && a.recipient !== address) parts.push(h("div", null, `sent ${pt(a.amount)} to `, accountLink(a.recipient)));
    else if (a.recipient === address && a.sender !== address) parts.push(h("div", null, `received ${pt(a.amount)} from `, accountLink(a.sender)));
  }
  return parts.length ? parts : h("span", {class: "muted"}, receipt.signer === address ? "signed" : "named");
}

function historyParams(address, cursor) {
  // The first page by number (any gateway); then by the cursor the answer gives (a gateway
  // with the analytics index: no depth limit), else by number.
  if (cursor && cursor.before !== undefined) return {address, before: cursor.before, limit: PER_PAGE};
  return {address, page: (cursor && cursor.page) || 1, per_page: PER_PAGE};
}

function nextCursor(res) {
  if (res.next_before) return {before: res.next_before};
  return res.next_page ? {page: res.next_page} : null;
}

export async function account(ctx, address) {
  const before = ctx.args.get("before"), page = ctx.args.get("page");
  const cursor = before ? {before} : page ? {page: Number(page)} : null;
  const [acc, ftb, hist, asBuyer, asSeller] = await batch([
    ["fictra_getAccount", {address}], ["fictra_getFT", {address}],
    ["fictra_getAccountHistory", historyParams(address, cursor)],
    ["fictra_listPurchases", {address, role: "buyer", page: {limit: 50}}],
    ["fictra_listPurchases", {address, role: "seller", page: {limit: 50}}],
  ]);
  if (!ctx.alive) return;
  if (acc instanceof Error) throw acc;
  const v = ctx.view;
  const frozen = acc.frozen ? badge("frozen", "bad") : badge("no", "ok");
  v.append(h("h1", null, "Account"),
    kv([["address", h("span", {class: "mono"}, address), "account-address"],
        ["PT balance", pt(acc.balance), "account-pt"],
        ["FT balance", ftb instanceof Error ? "-" : ft(ftb.balance), "account-ft"],
        ftb && !(ftb instanceof Error) && ftb.sovereign
          ? ["FT issued / converted", `${ft(ftb.issued)} / ${ft(ftb.converted)}`] : null,
        ["KYC tier", acc.tier, "account-tier"], ["jurisdiction", acc.jurisdiction || "-", "account-jurisdiction"],
        ["roles", acc.roles.length ? acc.roles.join(", ") : "-", "account-roles"],
        ["frozen", frozen, "account-frozen"], ["next nonce", acc.nonce], ["at height", blockLink(acc.height)]]));

  const purchases = [...(asBuyer instanceof Error ? [] : asBuyer.purchases.map((p) => ["buyer", p])),
                     ...(asSeller instanceof Error ? [] : asSeller.purchases.map((p) => ["seller", p]))];
  if (purchases.length) {
    v.append(h("h2", null, "Purchases"), table(["id", "as", "commodity", "value", "status"],
      purchases.map(([role, p]) => row([purchaseLink(p.id), role, p.commodity, pt(p.value), badge(p.status)])),
      {id: "account-purchases"}));
  }

  v.append(h("h2", null, "History"));
  if (hist instanceof Error) {
    v.append(errorBox(hist));
    return;
  }
  v.append(hist.txs.length
    ? table(["block", "tx", "result", "what", "fee"], hist.txs.map((r) => row([
      blockLink(r.height), txLink(r.hash), codeBadge(r.code, r.code ? "failed" : ""),
      effect(r, address), r.signer === address ? pt(r.fee) : "-"], {numeric: [4]})),
    {id: "history", numeric: ["fee"]})
    : h("p", {class: "muted", id: "history-empty"}, "no transactions"));
  const next = nextCursor(hist);
  const qs = next ? (next.before !== undefined ? `before=${next.before}` : `page=${next.page}`) : null;
  v.append(h("div", {class: "pager"}, cursor ? link(`#/account/${address}`, "newest") : null,
             qs ? link(`#/account/${address}?${qs}`, "older txs →", "older") : null));
  if (!cursor) {
    ctx.onLeave(live.subscribe("account", address, () => {
      // A block named this account: show it as it is now (same route, fresh page).
      if (ctx.alive) window.dispatchEvent(new HashChangeEvent("hashchange"));
    }));
  }
}
