// Adapters: versions with the current pointer, manifest figures and loss curves; promote through the eval
// gate (both scores shown), roll back; start a feedback refresh and watch its loss live; stop it.
import { api, followJob } from "./api.js";
import { h, field, errorText, fmt } from "./dom.js";
import { lineChart } from "./charts.js";

const FIGURES = [["steps", "Steps"], ["final_train_loss", "Final loss"], ["steps_per_second", "Steps/s"],
  ["tokens_per_second", "Tokens/s"], ["peak_memory_mb", "Peak MB"], ["eval_score", "Eval score"]];

export async function adaptersPage(root, { me }) {
  const list = h("div", {});
  // Outlives the cards, which are drawn again after every change.
  const notice = h("div", { class: "card", role: "status", "aria-label": "Adapter changes", hidden: true });
  // How many of the adapters suite's examples the eval gate runs for a promotion (0: all of them).
  const gateLimit = h("input", { type: "number", min: 0, max: 1000, value: 3 });
  const gate = h("p", {}, field("Gate examples (0: all)", gateLimit));
  const training = h("section", { class: "card", "aria-label": "Training" });
  root.append(h("h1", {}, "Adapters"), gate, notice, list, training);

  async function refresh() {
    const { adapters } = await api("/api/adapters");
    list.replaceChildren(...(adapters.length ? adapters.map((a) => adapterCard(a, me, refresh, notice, () => Number(gateLimit.value || 0)))
      : [h("p", { class: "card muted" }, "No adapters yet: train one below or with `python -m training.sft`.")]));
  }
  await refresh();
  training.append(...trainingForm(me, refresh));
}

function adapterCard(adapter, me, refresh, notice, gateLimit) {
  const chart = h("div", {});
  const current = adapter.versions.find((v) => v.version === adapter.current);
  const showCurve = (v) => chart.replaceChildren(lineChart([
    { label: "train", points: (v.train_loss || []).map((p) => ({ x: p.step, y: p.loss })) },
    ...((v.eval_loss || []).length ? [{ label: "eval", points: v.eval_loss.map((p) => ({ x: p.step, y: p.loss })) }] : []),
  ], { title: `${adapter.name} ${v.version} loss` }));
  const rows = adapter.versions.map((v) => h("tr", { dataset: { version: v.version } },
    h("td", {}, v.version, " ", v.version === adapter.current ? h("span", { class: "pill current" }, "current") : null),
    h("td", {}, v.kind || ""), h("td", {}, (v.created || "").replace("T", " ").slice(0, 16)),
    FIGURES.map(([key]) => h("td", { class: "num" }, fmt((v.figures || {})[key]))),
    h("td", {}, h("button", { type: "button", onclick: () => showCurve(v) }, `Loss curve ${v.version}`), " ",
      me.may_change_shared && v.version !== adapter.current
        ? h("button", { type: "button", onclick: () => promote(adapter.name, v.version, notice, refresh, gateLimit()) }, `Promote ${v.version}`)
        : null)));
  if (current || adapter.versions.length) showCurve(current || adapter.versions[adapter.versions.length - 1]);
  return h("section", { class: "card", "aria-label": `Adapter ${adapter.name}`, dataset: { adapter: adapter.name } },
    h("h2", {}, adapter.name),
    h("p", { class: "muted" }, `Current: ${adapter.current || "none (the base model answers)"}; earlier: ${adapter.history.join(", ") || "none"}`),
    h("table", {}, h("tr", {}, h("th", {}, "Version"), h("th", {}, "Kind"), h("th", {}, "Created"),
      FIGURES.map(([, label]) => h("th", { class: "num" }, label)), h("th", {}, "")), rows),
    me.may_change_shared && adapter.history.length
      ? h("p", {}, h("button", { type: "button", onclick: async () => {
        try {
          const moved = await api(`/api/adapters/${encodeURIComponent(adapter.name)}/rollback`, { method: "POST", body: {} });
          notice.hidden = false;
          notice.replaceChildren(h("p", {}, `Rolled back: ${moved.name} is at ${moved.current} again.`));
          await refresh();
        } catch (err) { notice.hidden = false; notice.replaceChildren(errorText(err)); }
      } }, "Roll back")) : null,
    chart);
}

async function promote(name, version, status, refresh, gateLimit) {
  status.hidden = false;
  status.replaceChildren(h("p", {}, `Promoting ${name} ${version}: running the eval gate…`));
  const progress = h("progress", { max: 100, value: 0, "aria-label": "Gate progress" });
  status.append(progress);
  try {
    const job = await api(`/api/adapters/${encodeURIComponent(name)}/promote`, { method: "POST",
      body: { version, gate_suite: "adapters", gate_limit: gateLimit } });
    const done = await followJob(job.id, (j) => { if (j.progress.total) progress.value = j.progress.percent; });
    const r = done.result || {};
    const scores = r.metric ? `${version} scores ${r.new.toFixed(4)}, ${r.against} scores ${r.baseline.toFixed(4)} on ${r.suite} ${r.metric} (tolerance ${r.tolerance})` : "";
    status.replaceChildren(h("p", { class: r.promoted ? "better" : "worse", dataset: { promoted: String(Boolean(r.promoted)) } },
      r.promoted ? `Promoted ${name} ${version}. ${scores}` : `Not promoted: ${scores || r.error || "the gate refused it"}.`));
    if (r.promoted) await refresh();
  } catch (err) {
    status.replaceChildren(errorText(err));
  }
}

function trainingForm(me, refresh) {
  if (!me.may_change_shared) return [h("h2", {}, "Training"), h("p", { class: "muted" }, "Only the users TAILOR_ADMIN_USERS names may train.")];
  const name = h("input", { value: "tailor", required: true });
  const steps = h("input", { type: "number", min: 1, value: 20 });
  const anchors = h("input", { type: "number", min: 0, value: 24 });
  const method = h("select", {}, ["sft", "dpo", "kto"].map((m) => h("option", { value: m }, m.toUpperCase())));
  const data = h("input", { placeholder: "refresh/sft.jsonl" });
  const start = h("button", { type: "submit", class: "primary" }, "Start feedback refresh");
  const train = h("button", { type: "button" }, "Train on the data file");
  const stop = h("button", { type: "button", hidden: true }, "Stop");
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Training progress" });
  const chart = h("div", {});
  const status = h("p", { role: "status" });
  const log = h("pre", { hidden: true });
  let current = null;
  stop.addEventListener("click", async () => {
    if (current) await api(`/api/jobs/${current}/stop`, { method: "POST", body: {} }).catch(() => {});
  });

  // One job at a time from this form: its progress, live loss and log until it ends.
  async function run(label, body) {
    start.disabled = train.disabled = true;
    try {
      const job = await api("/api/jobs", { method: "POST", body });
      current = job.id;
      stop.hidden = progress.hidden = log.hidden = false;
      const done = await followJob(job.id, (j) => {
        if (j.progress.total) progress.value = j.progress.percent;
        status.textContent = j.progress.stage ? `${j.progress.stage}: ${j.progress.n} of ${j.progress.total}` : "Starting…";
        chart.replaceChildren(lineChart([{ label: "train", points: j.loss.map((p) => ({ x: p.step, y: p.loss })) }],
          { title: `${body.name} ${label}: live loss` }));
        log.textContent = j.log.join("\n");
      });
      const steps = (done.result || {}).steps;
      status.textContent = `${label[0].toUpperCase()}${label.slice(1)} ${done.status}` + (steps
        ? `: ${steps.map((s) => `${s.method} ${s.promoted ? "promoted " + s.current : "not promoted"}`).join(", ")}`
        : done.result && done.result.error ? `: ${done.result.error}` : "");
      await refresh();
    } catch (err) {
      status.textContent = `Could not start: ${err.message}`;
    } finally {
      start.disabled = train.disabled = false;
      stop.hidden = true;
      current = null;
    }
  }

  const gate = { gate_suite: "adapters,feedback", gate_limit: 3 };
  train.addEventListener("click", () => run("training run", { kind: "train", method: method.value, name: name.value.trim(),
    data: data.value.trim(), max_steps: Number(steps.value) }));
  const form = h("form", { onsubmit: (event) => {
    event.preventDefault();
    run("refresh", { kind: "refresh", name: name.value.trim(), max_steps: Number(steps.value),
      anchors: Number(anchors.value || 0), ...gate });
  } }, h("div", { class: "row" }, field("Adapter name", name), field("Max steps", steps),
    field("Anchor requests (0: none)", anchors)), h("p", {}, start, " ", stop),
  h("div", { class: "row" }, field("Method", method), field("Data file (in the data folder)", data)), h("p", {}, train));
  return [h("h2", {}, "Training"), h("p", { class: "muted" },
    "A refresh trains the next version from the feedback store (SFT on corrections, DPO on pairs, KTO on single thumbs) and promotes it through the eval gate. A training run fits one method on a JSONL file."),
  form, progress, status, chart, log];
}
