// SVG charts drawn in the page (no library): loss curves and metric bars.
const NS = "http://www.w3.org/2000/svg";
const COLOURS = ["#2f5fb3", "#c4622d", "#1e7b34", "#8a3ab9"];

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// series: [{label, points: [{x, y}]}]
export function lineChart(series, { title = "", xLabel = "step", yLabel = "loss", width = 520, height = 240 } = {}) {
  const pad = { l: 48, r: 12, t: 24, b: 34 };
  const all = series.flatMap((s) => s.points);
  const root = svg("svg", { class: "chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": title || "chart" });
  root.append(svg("text", { x: pad.l, y: 16, "font-size": 13 }, title));
  if (!all.length) {
    root.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", fill: "#5b6475" }, "no points yet"));
    return root;
  }
  const xs = all.map((p) => p.x), ys = all.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x) => pad.l + ((x - x0) / (x1 - x0 || 1)) * (width - pad.l - pad.r);
  const sy = (y) => height - pad.b - ((y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  root.append(svg("line", { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, stroke: "#999" }));
  root.append(svg("line", { x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b, stroke: "#999" }));
  for (const y of [y0, (y0 + y1) / 2, y1]) {
    root.append(svg("text", { x: pad.l - 4, y: sy(y) + 4, "text-anchor": "end", "font-size": 10 }, y.toPrecision(3)));
  }
  root.append(svg("text", { x: sx(x0), y: height - pad.b + 14, "font-size": 10 }, String(x0)));
  root.append(svg("text", { x: sx(x1), y: height - pad.b + 14, "font-size": 10, "text-anchor": "end" }, String(x1)));
  root.append(svg("text", { x: (pad.l + width) / 2, y: height - 4, "text-anchor": "middle", "font-size": 11 }, xLabel));
  root.append(svg("text", { x: 12, y: height / 2, "font-size": 11, transform: `rotate(-90 12 ${height / 2})`,
    "text-anchor": "middle" }, yLabel));
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const d = s.points.map((p, j) => `${j ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
    root.append(svg("path", { d, fill: "none", stroke: colour, "stroke-width": 2, "data-series": s.label }));
    for (const p of s.points) root.append(svg("circle", { cx: sx(p.x), cy: sy(p.y), r: 2.5, fill: colour }));
    root.append(svg("text", { x: width - pad.r - 4, y: pad.t + 12 + 14 * i, "text-anchor": "end", "font-size": 11,
      fill: colour }, s.label));
  });
  return root;
}

// rows: [{label, values: [a, b]}] on a 0..1 axis (shares: accuracy, F1, recall).
export function barChart(rows, names, { title = "", width = 560 } = {}) {
  const barH = 12, gap = 10, pad = { l: 170, r: 50, t: 26 };
  const height = pad.t + rows.length * (names.length * barH + gap) + 8 + 16 * names.length;
  const root = svg("svg", { class: "chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": title || "comparison chart" });
  root.append(svg("text", { x: 8, y: 16, "font-size": 13 }, title));
  const scale = (v) => Math.max(0, Math.min(1, v)) * (width - pad.l - pad.r);
  rows.forEach((row, i) => {
    const top = pad.t + i * (names.length * barH + gap);
    root.append(svg("text", { x: pad.l - 6, y: top + barH, "text-anchor": "end", "font-size": 11 }, row.label));
    row.values.forEach((v, j) => {
      const y = top + j * barH;
      root.append(svg("rect", { x: pad.l, y, width: scale(v ?? 0), height: barH - 2, fill: COLOURS[j] }));
      root.append(svg("text", { x: pad.l + scale(v ?? 0) + 4, y: y + barH - 3, "font-size": 10 },
        v === null || v === undefined ? "–" : v.toFixed(3)));
    });
  });
  names.forEach((name, j) => {
    const y = height - 16 * (names.length - j);
    root.append(svg("rect", { x: 8, y, width: 10, height: 10, fill: COLOURS[j] }));
    root.append(svg("text", { x: 22, y: y + 9, "font-size": 11 }, name));
  });
  return root;
}
