// Requests to this server only: the JSON routes under /api, the feedback routes and the standard LangGraph API.
const KEY = "tailor.apiKey";

export const credentials = {
  get key() { return localStorage.getItem(KEY) || ""; },
  set key(value) { value ? localStorage.setItem(KEY, value) : localStorage.removeItem(KEY); },
};

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
  }
}

function headers() {
  const out = { "content-type": "application/json" };
  if (credentials.key) out["x-api-key"] = credentials.key;
  return out;
}

export async function api(path, { method = "GET", body, signal } = {}) {
  const response = await fetch(path, {
    method, headers: headers(), signal, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) throw new ApiError(response.status, (data && data.detail) || text || response.statusText);
  return data;
}

// POST /threads/{id}/runs/stream answers with server-sent events; EventSource can neither POST nor send the
// API key, so the stream is read from fetch. Yields {event, data} per event.
export async function* streamRun(threadId, body, signal) {
  const response = await fetch(`/threads/${threadId}/runs/stream`, {
    method: "POST", headers: headers(), body: JSON.stringify(body), signal,
  });
  if (!response.ok) {
    const text = await response.text();
    let detail = text;
    try { detail = JSON.parse(text).detail || text; } catch { /* plain text */ }
    throw new ApiError(response.status, detail);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer = (buffer + value).replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of raw.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) {
        let parsed = data.join("\n");
        try { parsed = JSON.parse(parsed); } catch { /* keep the text */ }
        yield { event, data: parsed };
      }
    }
  }
}

// Poll a job until it finishes; onUpdate sees every state (progress, live loss).
export async function followJob(jobId, onUpdate, intervalMs = 700) {
  for (;;) {
    const job = await api(`/api/jobs/${jobId}`);
    onUpdate(job);
    if (job.status !== "running") return job;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
