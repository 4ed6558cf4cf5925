// Building the page: elements from data (never HTML from strings), and how values read.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const DECIMALS = 6;

// An integer string in base units as a decimal with `decimals` places, grouped by thousands.
export function units(base, decimals = DECIMALS) {
  if (base === null || base === undefined || base === "") return "-";
  let n = BigInt(base);
  const neg = n < 0n;
  if (neg) n = -n;
  const scale = 10n ** BigInt(decimals);
  const whole = (n / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  let frac = decimals ? (n % scale).toString().padStart(decimals, "0").replace(/0+$/, "") : "";
  return (neg ? "-" : "") + whole + (frac ? "." + frac : "");
}

export const pt = (base) => units(base) + " PT";
export const ft = (base) => units(base) + " FT";

export function num(n) {
  return n === null || n === undefined ? "-" : Number(n).toLocaleString("en-US");
}

export function short(s, n = 10) {
  s = String(s || "");
  return s.length > 2 * n + 1 ? s.slice(0, n) + "…" + s.slice(-6) : s;
}

// RFC 3339 (nanoseconds allowed) as "YYYY-MM-DD HH:MM:SS UTC".
export function when(t) {
  if (!t) return "-";
  const d = new Date(String(t).replace(/\.(\d{3})\d*Z$/, ".$1Z"));
  return isNaN(d) ? String(t) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function ago(t) {
  const d = new Date(String(t).replace(/\.(\d{3})\d*Z$/, ".$1Z"));
  const s = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago`
    : `${Math.round(s / 3600)} h ago`;
}

// Module accounts by address (treasury, escrow, reserve), filled once at start.
export const moduleNames = new Map();

export async function loadModuleNames() {
  try {
    const res = await fetch("modules.json");
    for (const [addr, name] of Object.entries(await res.json())) moduleNames.set(addr, name);
  } catch (err) {
    // without names the pages show the addresses
  }
}

export const link = (href, text, cls) => h("a", {href, class: cls}, text);
export const blockLink = (height) => link(`#/block/${height}`, String(height));
export const txLink = (hash, n = 10) => link(`#/tx/${hash}`, short(hash, n), "mono");
export function accountLink(addr, n = 10) {
  if (!addr) return "-";
  const name = moduleNames.get(addr);
  if (name) return h("a", {href: `#/account/${addr}`, title: addr, class: "module"}, name);
  return link(`#/account/${addr}`, short(addr, n), "mono");
}
export const purchaseLink = (id) => link(`#/purchase/${id}`, short(id, 8), "mono");

export function badge(text, kind) {
  return h("span", {class: "badge" + (kind ? " " + kind : "")}, text);
}

export function codeBadge(code, name) {
  return badge(code === 0 ? "OK" : `${code} ${name || ""}`.trim(), code === 0 ? "ok" : "bad");
}

export function table(headers, rows, opts = {}) {
  const head = h("tr", null, headers.map((t) =>
    h("th", {class: opts.numeric && opts.numeric.includes(t) ? "num" : null}, t)));
  const body = h("tbody", null, rows);
  return h("table", {id: opts.id}, h("thead", null, head), body);
}

export function row(cells, opts = {}) {
  return h("tr", {class: opts.class, "data-key": opts.key}, cells.map((c, i) =>
    h("td", {class: opts.numeric && opts.numeric.includes(i) ? "num" : null}, c)));
}

export function kv(pairs) {
  return h("dl", {class: "kv"}, pairs.filter(Boolean).flatMap(([k, v, id]) =>
    [h("dt", null, k), h("dd", {id}, v)]));
}

export function stat(label, value, id) {
  return h("div", {class: "card stat"}, h("div", {class: "label"}, label),
           h("div", {class: "value", id}, value));
}

export function errorBox(err) {
  let text = err && err.message ? err.message : String(err);
  if (err && (err.code === -32601 || err.code === -32002)) text += " (this gateway answers it from the analytics index: is the indexer running?)";
  return h("p", {class: "error"}, text);
}
