// Small SVG charts of our own: a line over x (e.g. height) and a bar chart by label.

const NS = "http://www.w3.org/2000/svg";
const W = 560, H = 200, L = 52, R = 12, T = 10, B = 26;

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function label(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(1) + "G";
  if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
  return Number.isInteger(v) ? String(v) : v.toFixed(a < 10 ? 2 : 1);
}

function frame(svg, yMax) {
  for (let i = 0; i <= 4; i++) {
    const y = T + (H - T - B) * (1 - i / 4);
    svg.append(s("line", {class: i ? "grid" : "axis", x1: L, x2: W - R, y1: y, y2: y}));
    svg.append(s("text", {x: L - 6, y: y + 4, "text-anchor": "end"}, label(yMax * i / 4)));
  }
}

// points: [[x, y], ...] with x ascending. Empty data draws an empty frame.
export function lineChart(points, opts = {}) {
  const svg = s("svg", {class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img",
                        "aria-label": opts.title || "chart"});
  const ys = points.map((p) => p[1]);
  const yMax = niceMax(Math.max(0, ...ys));
  frame(svg, yMax);
  if (!points.length) return svg;
  const x0 = points[0][0], x1 = points[points.length - 1][0];
  const X = (x) => L + (x1 === x0 ? (W - L - R) / 2 : (x - x0) / (x1 - x0) * (W - L - R));
  const Y = (y) => T + (H - T - B) * (1 - y / yMax);
  const d = points.map((p, i) => `${i ? "L" : "M"}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`)
    .join("");
  svg.append(s("path", {class: "area", d: `${d}L${X(x1).toFixed(1)},${Y(0)}L${X(x0).toFixed(1)},${Y(0)}Z`}));
  svg.append(s("path", {class: "line", d}));
  if (points.length === 1) svg.append(s("circle", {cx: X(x0), cy: Y(points[0][1]), r: 3, fill: "currentColor"}));
  svg.append(s("text", {x: L, y: H - 8}, String(opts.xFormat ? opts.xFormat(x0) : x0)));
  svg.append(s("text", {x: W - R, y: H - 8, "text-anchor": "end"},
               String(opts.xFormat ? opts.xFormat(x1) : x1)));
  return svg;
}

// bars: [[label, value], ...]
export function barChart(bars, opts = {}) {
  const svg = s("svg", {class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img",
                        "aria-label": opts.title || "chart"});
  const yMax = niceMax(Math.max(0, ...bars.map((b) => b[1])));
  frame(svg, yMax);
  const n = Math.max(1, bars.length), slot = (W - L - R) / n, bw = Math.min(48, slot * 0.7);
  bars.forEach(([name, v], i) => {
    const x = L + slot * i + (slot - bw) / 2, y = T + (H - T - B) * (1 - v / yMax);
    const rect = s("rect", {class: "barv", x, y, width: bw, height: Math.max(0, H - B - y)});
    rect.append(s("title", {}, `${name}: ${v}`));
    svg.append(rect);
    svg.append(s("text", {x: x + bw / 2, y: H - 8, "text-anchor": "middle"}, String(name).slice(0, 16)));
  });
  return svg;
}
