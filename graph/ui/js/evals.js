// Evals: every report with its metrics; two experiments compared, metric by metric and example by example.
import { api } from "./api.js";
import { h, field, errorText, fmt } from "./dom.js";
import { barChart } from "./charts.js";

export async function evalsPage(root) {
  const { reports } = await api("/api/evals");
  root.append(h("h1", {}, "Evals"));
  if (!reports.length) {
    root.append(h("p", { class: "card muted" }, "No reports yet: run `python -m evals run --suite all --offline` or `make evals`."));
    return;
  }
  const headline = (m) => Object.entries(m).filter(([k, v]) => typeof v === "number" && v >= 0 && v <= 1 && k !== "errors").slice(0, 4);
  root.append(h("section", { class: "card", "aria-label": "Reports" }, h("h2", {}, "Reports"), h("table", {},
    h("tr", {}, h("th", {}, "Experiment"), h("th", {}, "Suite"), h("th", {}, "Examples"), h("th", {}, "Metrics")),
    reports.map((r) => h("tr", {}, h("td", {}, r.experiment, r.complete ? "" : h("span", { class: "pill worse" }, "incomplete")),
      h("td", {}, r.suite), h("td", { class: "num" }, r.metrics.examples ?? ""),
      h("td", {}, headline(r.metrics).map(([k, v]) => h("span", { class: "pill" }, `${k} ${fmt(v)}`))))))));

  const option = (r) => h("option", { value: r.experiment }, `${r.experiment} (${r.suite})`);
  const a = h("select", {}, reports.map(option));
  const b = h("select", {}, reports.map(option));
  if (reports.length > 1) { a.value = reports[1].experiment; b.value = reports[0].experiment; }
  const out = h("div", {});
  root.append(h("section", { class: "card", "aria-label": "Compare" }, h("h2", {}, "Compare"),
    h("form", { onsubmit: async (event) => {
      event.preventDefault();
      try {
        out.replaceChildren(comparison(await api(`/api/evals/compare?a=${encodeURIComponent(a.value)}&b=${encodeURIComponent(b.value)}`)));
      } catch (err) { out.replaceChildren(errorText(err)); }
    } }, h("div", { class: "row" }, field("Experiment A", a), field("Experiment B", b)),
    h("p", {}, h("button", { type: "submit", class: "primary" }, "Compare"))), out));
}

function comparison(result) {
  const metrics = Object.entries(result.metrics);
  const counts = new Set(["examples", "errors", "questions"]);
  const shares = metrics.filter(([k, m]) => !counts.has(k) && m.a >= 0 && m.a <= 1 && m.b >= 0 && m.b <= 1);
  // Time and error counts are better when lower.
  const lowerIsBetter = (k) => /seconds|errors|latency|_ms$/.test(k);
  const sign = (d, k = "") => { const s = lowerIsBetter(k) ? -d : d; return s > 1e-9 ? "better" : s < -1e-9 ? "worse" : ""; };
  return h("div", {},
    h("table", { "aria-label": "Metrics" }, h("tr", {}, h("th", {}, "Metric"), h("th", { class: "num" }, "A"),
      h("th", { class: "num" }, "B"), h("th", { class: "num" }, "B − A")),
    metrics.map(([k, m]) => h("tr", {}, h("td", {}, k), h("td", { class: "num" }, fmt(m.a)), h("td", { class: "num" }, fmt(m.b)),
      h("td", { class: `num ${sign(m.delta, k)}` }, fmt(m.delta, 4))))),
    barChart(shares.map(([k, m]) => ({ label: k, values: [m.a, m.b] })), [`A ${result.a}`, `B ${result.b}`],
      { title: `${result.suite}: A vs B` }),
    h("h3", {}, "Per example"),
    h("p", { class: "muted" }, Object.entries(result.per_example).map(([k, t]) => `${k}: B better on ${t.better}, worse on ${t.worse}, same on ${t.same}`).join("; ")),
    h("table", { "aria-label": "Examples" }, h("tr", {}, h("th", {}, "Example"), h("th", {}, "Input"), h("th", {}, "Changes")),
      result.examples.map((e) => h("tr", {}, h("td", {}, e.id), h("td", {}, JSON.stringify(e.inputs).slice(0, 120)),
        h("td", {}, Object.entries(e.delta).map(([k, d]) => h("span", { class: `pill ${sign(d)}` }, `${k} ${d > 0 ? "+" : ""}${fmt(d, 3)}`)))))));
}
