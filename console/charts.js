/** Small SVG line charts for the monitoring tab: one chart, several series, a time axis and a legend with totals. */
const SVG = "http://www.w3.org/2000/svg";
const W = 460;
const H = 170;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const niceMax = (value) => {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * step).find((m) => m >= value) ?? value;
};

/**
 * `series`: [{ name, color, values: (number|undefined)[], summary }] over `times` (bucket starts, ms).
 * The legend shows each series' `summary` (e.g. its total), so a reader needs no hovering.
 */
export function lineChart({ title, unit, times, series }) {
  const all = series.flatMap((x) => x.values.filter((v) => v !== undefined && v !== null));
  const max = niceMax(Math.max(0, ...all));
  const x = (i) => PAD.left + (times.length <= 1 ? 0 : (i / (times.length - 1)) * (W - PAD.left - PAD.right));
  const y = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title });
  for (const f of [0, 0.5, 1]) {
    svg.append(s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(max * f), y2: y(max * f), class: "grid" }));
    svg.append(s("text", { x: PAD.left - 4, y: y(max * f) + 4, class: "axis", "text-anchor": "end" }, formatValue(max * f)));
  }
  if (times.length > 0) {
    const label = (t) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    svg.append(s("text", { x: PAD.left, y: H - 6, class: "axis" }, label(times[0])));
    svg.append(s("text", { x: W - PAD.right, y: H - 6, class: "axis", "text-anchor": "end" }, label(times[times.length - 1])));
  }
  for (const line of series) {
    let d = "";
    line.values.forEach((v, i) => {
      if (v === undefined || v === null) return;
      d += `${d && line.values[i - 1] !== undefined && line.values[i - 1] !== null ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      if (v > 0) {
        const dot = s("circle", { cx: x(i), cy: y(v), r: 2.5, fill: line.color, "data-series": line.name, "data-value": v });
        dot.append(s("title", {}, `${line.name}: ${formatValue(v)}${unit ? ` ${unit}` : ""} at ${new Date(times[i]).toLocaleTimeString()}`));
        svg.append(dot);
      }
    });
    if (d) svg.append(s("path", { d, fill: "none", stroke: line.color, "stroke-width": 1.5 }));
  }
  const figure = document.createElement("figure");
  figure.className = "chart-card";
  figure.dataset.chart = title;
  const caption = document.createElement("figcaption");
  caption.textContent = unit ? `${title} (${unit})` : title;
  const legend = document.createElement("div");
  legend.className = "legend";
  for (const line of series) {
    const item = document.createElement("span");
    item.className = "legend-item";
    item.dataset.series = line.name;
    item.style.setProperty("--swatch", line.color);
    item.textContent = `${line.name}: ${line.summary}`;
    legend.append(item);
  }
  figure.append(caption, svg, legend);
  return figure;
}

function formatValue(v) {
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
