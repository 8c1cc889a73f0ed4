// The app shell: who is signed in, and which page the hash names (#/chat, #/knowledge, #/adapters, #/evals).
import { api, ApiError, credentials } from "./api.js";
import { h, field, errorText } from "./dom.js";
import { chatPage } from "./chat.js";
import { knowledgePage } from "./knowledge.js";
import { adaptersPage } from "./adapters.js";
import { evalsPage } from "./evals.js";

const PAGES = { chat: chatPage, knowledge: knowledgePage, adapters: adaptersPage, evals: evalsPage };
const page = document.getElementById("page");
let me = null;

function signInForm(message) {
  const key = h("input", { type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    credentials.key = key.value.trim();
    await start();
  } },
  h("h1", {}, "Sign in"),
  h("p", { class: "muted" }, "This server needs an API key (one of TAILOR_API_KEYS). It is kept in this browser."),
  message ? errorText(message) : null,
  field("API key", key),
  h("p", {}, h("button", { class: "primary", type: "submit" }, "Sign in")));
  page.replaceChildren(form);
  key.focus();
}

async function start() {
  try {
    me = await api("/api/me");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      const hadKey = Boolean(credentials.key);
      credentials.key = "";
      signInForm(hadKey ? "That key was not accepted." : "");
      return;
    }
    page.replaceChildren(errorText(err));
    return;
  }
  document.getElementById("who").textContent = `Signed in as ${me.user}`;
  document.getElementById("sign-out").hidden = !me.keys_required;
  await show();
}

async function show() {
  if (!me) return;
  const [name, query = ""] = (location.hash.replace(/^#\/?/, "") || "chat").split("?");
  const render = PAGES[name] || chatPage;
  for (const link of document.querySelectorAll("nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#/${name}`);
    if (link.getAttribute("href") === `#/${name}`) link.setAttribute("aria-current", "page");
  }
  const params = new URLSearchParams(query);
  const container = h("div", {});
  page.replaceChildren(container);
  try {
    await render(container, { me, params });
  } catch (err) {
    container.append(errorText(err));
  }
}

document.getElementById("sign-out").addEventListener("click", () => {
  credentials.key = "";
  me = null;
  document.getElementById("who").textContent = "";
  signInForm("");
});
window.addEventListener("hashchange", show);
start();
