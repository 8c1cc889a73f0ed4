// Knowledge: collections with their counts, upload files to ingest (a job with progress), search with every score.
import { api, followJob } from "./api.js";
import { h, field, errorText, fmt } from "./dom.js";

export async function knowledgePage(root, { me, params }) {
  const list = h("div", {});
  const uploadBox = h("section", { class: "card", "aria-label": "Upload files" });
  const searchBox = h("section", { class: "card", "aria-label": "Search a collection" });
  const sourceBox = h("section", { class: "card", "aria-label": "Source document", hidden: true });
  const which = h("select", {});
  root.append(h("h1", {}, "Knowledge"), list, uploadBox, searchBox, sourceBox);

  async function refresh() {
    const { collections } = await api("/api/collections");
    list.replaceChildren(h("section", { class: "card", "aria-label": "Collections" }, h("h2", {}, "Collections"),
      collections.length ? h("table", {}, h("tr", {}, h("th", {}, "Collection"), h("th", { class: "num" }, "Documents"),
        h("th", { class: "num" }, "Chunks")),
      collections.map((c) => h("tr", { dataset: { collection: c.name } }, h("td", {}, c.name),
        h("td", { class: "num" }, c.documents), h("td", { class: "num" }, c.chunks))))
        : h("p", { class: "muted" }, "No collections yet: upload files below.")));
    const chosen = which.value || params.get("collection") || "";
    which.replaceChildren(...collections.map((c) => h("option", { value: c.name }, c.name)));
    if (collections.some((c) => c.name === chosen)) which.value = chosen;
    return collections;
  }

  const collections = await refresh();

  // Upload
  const name = h("input", { value: params.get("collection") || (collections[0] || {}).name || "docs", required: true });
  const files = h("input", { type: "file", multiple: true, accept: ".md,.markdown,.txt,.pdf,.html,.htm,.json,.jsonl" });
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Ingest progress" });
  const uploadStatus = h("p", { role: "status" });
  const uploadButton = h("button", { type: "submit", class: "primary" }, "Upload and ingest");
  uploadBox.append(h("h2", {}, "Upload"), me.may_change_shared ? h("form", { onsubmit: async (event) => {
    event.preventDefault();
    if (!files.files.length) { uploadStatus.textContent = "Choose at least one file."; return; }
    uploadButton.disabled = true;
    try {
      const payload = await Promise.all([...files.files].map(readFile));
      const job = await api(`/api/collections/${encodeURIComponent(name.value.trim())}/files`, { method: "POST",
        body: { files: payload } });
      progress.hidden = false;
      const done = await followJob(job.id, (j) => {
        if (j.progress.total) progress.value = j.progress.percent;
        uploadStatus.textContent = j.progress.stage ? `${j.progress.stage}: ${j.progress.n} of ${j.progress.total}` : "Starting…";
      });
      progress.value = 100;
      uploadStatus.textContent = done.status === "succeeded"
        ? `Ingested into ${done.result.collection}: ${done.result.files} files, ${done.result.chunks} chunks (added ${done.result.added}, updated ${done.result.updated}, unchanged ${done.result.skipped}).`
        : `Ingest ${done.status}: ${done.result.error || done.log.slice(-1)[0] || ""}`;
      await refresh();
    } catch (err) {
      uploadStatus.textContent = `Upload failed: ${err.message}`;
    } finally {
      uploadButton.disabled = false;
    }
  } }, h("div", { class: "row" }, field("Collection name", name), field("Files", files)), h("p", {}, uploadButton),
  progress, uploadStatus) : h("p", { class: "muted" }, "Only the users TAILOR_ADMIN_USERS names may add documents."));

  // Search
  const query = h("input", { type: "search" });
  const results = h("div", {});
  searchBox.append(h("h2", {}, "Search"), h("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      const found = await api(`/api/collections/${encodeURIComponent(which.value)}/search?q=${encodeURIComponent(query.value)}`);
      results.replaceChildren(h("p", { class: "muted" }, `${found.hits.length} hits; best relevance ${fmt(found.best_relevance)}; answers need ${fmt(found.threshold, 2)}.`),
        ...found.hits.map(hitView));
    } catch (err) {
      results.replaceChildren(errorText(err));
    }
  } }, h("div", { class: "row" }, field("Search collection", which), field("Search", query)),
  h("p", {}, h("button", { type: "submit", class: "primary" }, "Search"))), results);

  // A citation's link lands here: the chunks stored for that source.
  if (params.get("source") && params.get("collection")) {
    sourceBox.hidden = false;
    try {
      const src = await api(`/api/collections/${encodeURIComponent(params.get("collection"))}/source?source=${encodeURIComponent(params.get("source"))}`);
      sourceBox.append(h("h2", {}, src.source), ...src.chunks.map((c) => h("div", { class: "hit" },
        h("p", { class: "muted" }, c.metadata.section || c.metadata.title || ""), h("pre", {}, c.text))));
    } catch (err) {
      sourceBox.append(errorText(err));
    }
  }
}

function hitView(hit) {
  const m = hit.metadata || {};
  return h("div", { class: "hit", dataset: { source: m.source || "" } },
    h("p", {}, h("strong", {}, `[${hit.n}] ${m.source || ""}${m.section ? ` › ${m.section}` : ""}`)),
    h("p", {}, h("span", { class: "pill" }, `relevance ${fmt(hit.relevance)}`), h("span", { class: "pill" }, `cosine ${fmt(hit.similarity)}`),
      h("span", { class: "pill" }, `keywords ${fmt(hit.coverage)}`), h("span", { class: "pill" }, `RRF ${fmt(hit.rrf, 4)}`),
      h("span", { class: "pill" }, `found by ${hit.found_by.join(" + ")}`)),
    h("pre", {}, hit.text),
    h("details", {}, h("summary", {}, "Metadata"), h("pre", {}, JSON.stringify(m, null, 1))));
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    const binary = /\.pdf$/i.test(file.name);
    reader.onerror = () => reject(new Error(`could not read ${file.name}`));
    reader.onload = () => resolve(binary
      ? { name: file.name, base64: reader.result.split(",", 2)[1] }
      : { name: file.name, text: reader.result });
    binary ? reader.readAsDataURL(file) : reader.readAsText(file);
  });
}
