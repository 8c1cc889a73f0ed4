// Chat: the user's threads, answers streamed through the standard LangGraph API, what each answer used,
// and the feedback buttons whose rows `make refresh` trains from.
import { api, streamRun } from "./api.js";
import { h, field, errorText, fmt } from "./dom.js";

// Nodes whose model tokens are the answer itself (self-consistency and tree-of-thoughts stream drafts).
const STREAMED_NODES = new Set(["generate", "rag", "few_shot", "cot"]);
const REASONS = ["Wrong facts", "Not helpful", "Off topic", "Unsafe", "Badly written"];

export async function chatPage(root, { me, params }) {
  let threadId = params.get("thread") || "";
  const threadList = h("div", { class: "threads card", role: "navigation", "aria-label": "Threads" });
  const conversation = h("div", { class: "messages", role: "log", "aria-label": "Conversation" });
  const input = h("textarea", { rows: 2, placeholder: "Ask something…" });
  const send = h("button", { class: "primary", type: "submit" }, "Send");
  const status = h("p", { class: "muted", role: "status" });
  const settings = settingsPanel(me);

  const form = h("form", { class: "compose", onsubmit: async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send.disabled = true;
    try {
      await ask(text);
    } catch (err) {
      conversation.append(errorText(err));
    } finally {
      send.disabled = false;
      input.focus();
    }
  } }, field("Message", input), send);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  root.append(h("div", { class: "chat" },
    threadList,
    h("section", { "aria-label": "Chat" }, conversation, form, status),
    settings.panel));

  async function loadThreads() {
    const threads = await api("/threads/search", { method: "POST",
      body: { limit: 50, sort_by: "updated_at", sort_order: "desc" } });
    threadList.replaceChildren(
      h("button", { type: "button", class: "primary", onclick: () => { threadId = ""; select(""); } }, "New thread"),
      ...threads.map((t) => h("button", { type: "button", "aria-current": String(t.thread_id === threadId),
        title: t.thread_id, onclick: () => select(t.thread_id) }, threadTitle(t))));
  }

  async function select(id) {
    threadId = id;
    history.replaceState(null, "", id ? `#/chat?thread=${id}` : "#/chat");
    conversation.replaceChildren();
    await loadThreads();
    if (!id) return;
    const state = await api(`/threads/${id}/state`);
    const values = state.values || {};
    const msgs = values.messages || [];
    const lastAi = msgs.map((m) => m.type).lastIndexOf("ai");
    msgs.forEach((m, i) => {
      if (m.type === "human") conversation.append(h("div", { class: "msg human" }, text(m)));
      else if (m.type === "ai") conversation.append(answerBubble(id, m, i === lastAi ? values : null));
    });
  }

  async function ask(question) {
    if (!threadId) {
      threadId = (await api("/threads", { method: "POST", body: {} })).thread_id;
      history.replaceState(null, "", `#/chat?thread=${threadId}`);
    }
    conversation.append(h("div", { class: "msg human" }, question));
    const bubble = h("div", { class: "msg ai", "aria-busy": "true" });
    const body = h("div", { class: "answer-text" });
    bubble.append(body);
    conversation.append(bubble);
    status.textContent = "Thinking…";
    const started = performance.now();
    let streamed = "", values = null, firstToken = null;
    const run = { assistant_id: "agent", input: { messages: [{ role: "user", content: question }] },
      context: settings.context(), stream_mode: ["messages-tuple", "values"] };
    for await (const part of streamRun(threadId, run)) {
      if (part.event === "messages") {
        const [chunk, meta] = part.data;
        if (STREAMED_NODES.has(meta && meta.langgraph_node) && typeof chunk.content === "string" && chunk.content) {
          if (firstToken === null) {
            firstToken = performance.now() - started;
            status.textContent = "Answering…";
          }
          streamed += chunk.content;
          body.textContent = streamed;
        }
      } else if (part.event === "values") {
        values = part.data;
      } else if (part.event === "error") {
        throw new Error(`the run failed: ${part.data && part.data.message ? part.data.message : JSON.stringify(part.data)}`);
      }
    }
    const total = performance.now() - started;
    const msgs = (values && values.messages) || [];
    const last = [...msgs].reverse().find((m) => m.type === "ai");
    const done = answerBubble(threadId, last || { content: streamed }, values);
    done.dataset.firstTokenMs = String(Math.round(firstToken ?? total));
    done.dataset.totalMs = String(Math.round(total));
    bubble.replaceWith(done);
    status.textContent = `First token after ${(firstToken ?? total).toFixed(0)} ms; answer in ${total.toFixed(0)} ms.`;
    await loadThreads();
  }

  await select(threadId);
}

function text(message) {
  if (typeof message.content === "string") return message.content;
  return (message.content || []).map((part) => part.text || "").join("");
}

function threadTitle(thread) {
  const first = ((thread.values || {}).messages || []).find((m) => m.type === "human");
  const title = first ? text(first) : `Empty thread ${thread.thread_id.slice(0, 8)}`;
  return title.length > 40 ? `${title.slice(0, 40)}…` : title;
}

function settingsPanel(me) {
  const strategy = h("select", {}, (me.strategies || ["auto"]).map((s) => h("option", { value: s }, s)));
  const adapter = h("input", { placeholder: "served default" });
  const collection = h("input", { placeholder: "router decides" });
  const temperature = h("input", { type: "number", min: 0, max: 2, step: 0.1, placeholder: "0" });
  const maxTokens = h("input", { type: "number", min: 1, max: 4096, step: 1, placeholder: "server default" });
  const select = h("select", {}, h("option", { value: "vote" }, "majority vote"), h("option", { value: "reward" }, "reward model"));
  const rewardModel = h("input", { placeholder: "a training.reward name" });
  const panel = h("aside", { class: "card", "aria-label": "Run settings" }, h("h2", {}, "Run settings"),
    field("Strategy", strategy), field("Adapter", adapter), field("Collection", collection),
    field("Temperature", temperature), field("Max tokens", maxTokens),
    field("Self-consistency picks by", select), field("Reward model", rewardModel));
  return {
    panel,
    context() {
      const ctx = {};
      if (strategy.value && strategy.value !== "auto") ctx.strategy = strategy.value;
      if (adapter.value.trim()) ctx.adapter = adapter.value.trim();
      if (collection.value.trim()) ctx.collection = collection.value.trim();
      if (temperature.value !== "") ctx.temperature = Number(temperature.value);
      if (maxTokens.value !== "") ctx.max_new_tokens = Number(maxTokens.value);
      if (select.value === "reward") ctx.select = "reward";
      if (rewardModel.value.trim()) ctx.reward_model = rewardModel.value.trim();
      return ctx;
    },
  };
}

function answerBubble(threadId, message, values) {
  const bubble = h("div", { class: "msg ai" }, h("div", { class: "answer-text" }, text(message)));
  if (values) bubble.append(details(values));
  bubble.append(feedbackControls(threadId, message.id || ""));
  return bubble;
}

function details(values) {
  const out = h("div", { class: "details" });
  const facts = h("dl", {});
  const add = (term, value) => { if (value) facts.append(h("dt", {}, term), h("dd", {}, value)); };
  add("Strategy", values.strategy ? `${values.strategy}${values.route_reason ? ` (${values.route_reason})` : ""}` : "");
  add("Adapter", values.adapter || "base model");
  const guard = values.guard || {};
  if (guard.input) {
    const layers = Object.entries(guard.input.layers || {}).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(", ");
    add("Input guard", `${guard.input.verdict || ""}${guard.input.reason && guard.input.reason !== "ok" ? `: ${guard.input.reason}` : ""}${layers ? ` (${layers})` : ""}`);
  }
  if (guard.output) add("Output rails", describeOutput(guard.output));
  out.append(facts);
  const reasoning = values.reasoning || {};
  const collection = (reasoning.retrieval || {}).collection || "";
  const documents = values.documents || [];
  if ((values.citations || []).length) {
    out.append(h("div", {}, h("strong", {}, "Sources"), h("ol", { class: "citations" },
      values.citations.map((c) => citation(c, collection, documents.find((d) => d.chunk_id === c.chunk_id))))));
  }
  const shown = reasoningView(reasoning);
  if (shown) out.append(shown);
  return out;
}

function describeOutput(output) {
  const parts = [];
  for (const [key, value] of Object.entries(output)) {
    if (value === null || value === undefined || value === false || (Array.isArray(value) && !value.length)) continue;
    parts.push(typeof value === "object" ? `${key}: ${JSON.stringify(value)}` : `${key}: ${value}`);
  }
  return parts.join("; ") || "nothing changed";
}

function citation(c, collection, doc) {
  const label = `${c.source || "source"}${c.section ? ` › ${c.section}` : ""}`;
  const href = `#/knowledge?collection=${encodeURIComponent(collection)}&source=${encodeURIComponent(c.source || "")}`;
  const chunk = h("pre", { hidden: true }, doc ? doc.text : "(the chunk's text is not in this state)");
  return h("li", {}, h("a", { href, class: "citation" }, label), " ",
    h("button", { type: "button", onclick: (e) => {
      chunk.hidden = !chunk.hidden;
      e.target.textContent = chunk.hidden ? "Show chunk" : "Hide chunk";
    } }, "Show chunk"), ` relevance ${fmt(c.score, 2)}`, chunk);
}

function reasoningView(reasoning) {
  const box = h("details", { class: "reasoning" }, h("summary", {}, "Reasoning"));
  let any = false;
  if (reasoning.route) {
    any = true;
    box.append(h("p", {}, h("strong", {}, "Route: "), `${reasoning.route.strategy || ""} ${reasoning.route.reason || ""}`));
  }
  if ((reasoning.examples || []).length) {
    any = true;
    box.append(h("strong", {}, "Few-shot examples"), h("ol", {}, reasoning.examples.map((e) =>
      h("li", {}, h("em", {}, e.input), " → ", e.output))));
  }
  if (reasoning.votes) {
    any = true;
    box.append(h("strong", {}, "Self-consistency votes"), h("table", {},
      h("tr", {}, h("th", {}, "answer"), h("th", { class: "num" }, "votes")),
      Object.entries(reasoning.votes).map(([answer, n]) => h("tr", {}, h("td", {}, answer), h("td", { class: "num" }, n)))));
    if ((reasoning.samples || []).length) {
      const by = (reasoning.self_consistency || {}).select === "reward" ? " (picked by the reward model)" : "";
      box.append(h("p", {}, `Samples${by}`), h("ol", {}, reasoning.samples.map((s) => h("li", {}, `${s.answer ?? ""}`,
        s.reward !== undefined ? ` (reward ${fmt(s.reward, 3)})` : "", ": ", h("span", { class: "muted" }, s.text)))));
    }
  }
  if ((reasoning.branches || []).length) {
    any = true;
    box.append(h("strong", {}, "Tree of thoughts"), branchTree(reasoning.branches));
  }
  if (reasoning.cot) {
    any = true;
    box.append(h("p", {}, h("strong", {}, "Chain of thought: "), `${reasoning.cot.mode || ""}, answer ${reasoning.cot.answer ?? "–"}`));
  }
  if (reasoning.rag) {
    any = true;
    box.append(h("p", {}, h("strong", {}, "Retrieval answer: "), JSON.stringify(reasoning.rag)));
  }
  return any ? box : null;
}

function branchTree(branches) {
  const children = new Map();
  for (const b of branches) {
    const key = b.parent ?? "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(b);
  }
  const ids = new Set(branches.map((b) => b.id));
  const roots = branches.filter((b) => !b.parent || !ids.has(b.parent));
  const render = (nodes) => h("ul", {}, nodes.map((b) => h("li", { class: b.kept ? "kept" : "" },
    `${b.thought} `, h("span", { class: "muted" }, `score ${fmt(b.score, 2)}${b.kept ? ", kept" : ""}`),
    children.has(b.id) ? render(children.get(b.id)) : null)));
  return h("div", { class: "tree" }, render(roots));
}

function feedbackControls(threadId, messageId) {
  const status = h("span", { class: "muted", role: "status" });
  const panel = h("div", { hidden: true });
  const send = async (body) => {
    status.textContent = "Saving…";
    try {
      const saved = await api("/feedback", { method: "POST", body: { thread_id: threadId, message_id: messageId, ...body } });
      status.textContent = `Feedback saved (${saved.id ? saved.id.slice(0, 8) : "ok"}).`;
      panel.hidden = true;
    } catch (err) {
      status.textContent = `Feedback not saved: ${err.message}`;
    }
  };
  const good = h("button", { type: "button", onclick: () => send({ score: 1 }) }, "Good answer");
  const bad = h("button", { type: "button", onclick: () => {
    panel.replaceChildren(badPanel(send));
    panel.hidden = false;
  } }, "Bad answer");
  const fix = h("button", { type: "button", onclick: () => {
    panel.replaceChildren(correctionPanel(send));
    panel.hidden = false;
  } }, "Correct it");
  return h("div", { class: "feedback" }, good, " ", bad, " ", fix, " ", status, panel);
}

function badPanel(send) {
  const picked = new Set();
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Reasons" }, REASONS.map((reason) =>
    h("button", { type: "button", "aria-pressed": "false", onclick: (e) => {
      picked.has(reason) ? picked.delete(reason) : picked.add(reason);
      e.target.setAttribute("aria-pressed", String(picked.has(reason)));
    } }, reason)));
  const comment = h("input", { type: "text" });
  return h("div", { class: "card" }, chips, field("Comment", comment),
    h("button", { type: "button", class: "primary", onclick: () => send({ score: 0,
      comment: [[...picked].join(", "), comment.value.trim()].filter(Boolean).join(": ") }) }, "Send feedback"));
}

function correctionPanel(send) {
  const correction = h("textarea", { rows: 3 });
  return h("div", { class: "card" }, field("Correction", correction),
    h("button", { type: "button", class: "primary", onclick: () => {
      if (correction.value.trim()) send({ score: 0, correction: correction.value.trim() });
    } }, "Send correction"));
}
