// The explorer's shell: routes (#/...), the search box, the live indicator.

import {call, live} from "./rpc.js";
import {errorBox, h, loadModuleNames} from "./dom.js";
import {network} from "./network.js";
import {blocks, block} from "./blocks.js";
import {tx} from "./tx.js";
import {account} from "./account.js";
import {purchase} from "./purchase.js";
import {commodities} from "./commodities.js";
import {sovereigns} from "./sovereigns.js";

const ROUTES = [
  [/^$/, network],
  [/^blocks$/, blocks],
  [/^block\/(\d+)$/, block],
  [/^tx\/([0-9A-Fa-f]{64})$/, tx],
  [/^account\/(fic1[0-9a-z]{38})$/, account],
  [/^purchase\/([0-9a-fA-F]{32})$/, purchase],
  [/^commodities$/, commodities],
  [/^sovereigns$/, sovereigns],
  [/^search\/(.*)$/, notFound],
];

const view = document.getElementById("view");
let current = null;  // the page on screen: {alive, cleanups}

async function notFound(ctx, q) {
  let text = q;
  try {
    text = decodeURIComponent(q);
  } catch (err) {
    // typed into the address bar with a stray %: shown as it is
  }
  ctx.view.append(h("h1", null, "Nothing found"),
                  h("p", {id: "search-none"}, `No block, tx, address or purchase matches “${text}”.`));
}

function route() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const args = new URLSearchParams(query || "");
  if (current) {
    current.alive = false;
    for (const fn of current.cleanups) fn();
  }
  const ctx = {view: h("div", {class: "page"}), alive: true, cleanups: [], args};
  ctx.onLeave = (fn) => ctx.cleanups.push(fn);
  current = ctx;
  view.replaceChildren(ctx.view);
  document.title = "FICTRA explorer" + (path ? " · " + path.split("/").map((p, i) => (i ? p.slice(0, 16) : p)).join(" ") : "");
  for (const [re, page] of ROUTES) {
    const m = path.match(re);
    if (m) {
      page(ctx, ...m.slice(1)).then(() => {
        if (ctx.alive) performance.mark("page-shown");
      }, (err) => {
        if (ctx.alive) ctx.view.replaceChildren(errorBox(err));
      });
      return;
    }
  }
  ctx.view.append(h("h1", null, "Unknown page"), h("p", null, h("a", {href: "#/"}, "Network")));
}

// What a query looks like when the gateway has no fictra_search (or no index behind it).
function guess(q) {
  if (/^\d{1,19}$/.test(q)) return {kind: "block", key: q};
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(q)) return {kind: "tx", key: q.replace(/^0x/, "").toUpperCase()};
  if (/^fic1[0-9a-z]{38}$/.test(q)) return {kind: "address", key: q};
  if (/^(0x)?[0-9a-fA-F]{32}$/.test(q)) return {kind: "purchase", key: q.replace(/^0x/, "").toLowerCase()};
  return {kind: "none", key: q};
}

const TARGET = {block: "block", tx: "tx", address: "account", purchase: "purchase"};

async function search(ev) {
  ev.preventDefault();
  const input = document.getElementById("search-input");
  const q = input.value.trim();
  if (!q) return;
  performance.clearMarks("search-start");
  performance.clearMarks("page-shown");
  performance.mark("search-start");
  let found;
  try {
    found = await call("fictra_search", {query: q});
  } catch (err) {
    if (err.code !== -32601 && err.code !== -32002) {  // answered, or no index to ask
      view.replaceChildren(errorBox(err));
      return;
    }
    found = guess(q);
  }
  input.value = "";
  const target = TARGET[found.kind];
  location.hash = target ? `#/${target}/${found.key}` : `#/search/${encodeURIComponent(q)}`;
}

document.getElementById("search").addEventListener("submit", search);
window.addEventListener("hashchange", route);
const badge = document.getElementById("live");
live.onState = (on) => {
  badge.textContent = on ? "live" : "offline";
  badge.className = "live " + (on ? "on" : "off");
};
live.connect();
loadModuleNames().then(route);
