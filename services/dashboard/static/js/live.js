// Live events: the server-sent event stream GET /api/v1/events/stream, limited to the token's scope.
// EventSource cannot send an Authorization header, so this one route takes the token as ?token=.
import { API, query, token } from "./api.js";
import { $ } from "./dom.js";

function indicator(state) {
  const el = $("#live");
  if (!el) return;
  el.hidden = false;
  el.className = `live ${state}`;
  el.textContent = { on: "● 实时", off: "○ 未连接", retry: "○ 重连中" }[state];
  el.title = { on: "已连接实时事件流：新事件自动更新", off: "未连接实时事件流", retry: "实时事件流中断，正在重连" }[state];
}

// follow({onEvent(message), onReset()}) → {position(), close()}
export function follow({ onEvent = () => {}, onReset = () => {} } = {}) {
  let position = null;
  const source = new EventSource(`${API}/events/stream${query({ token: token() })}`);
  source.addEventListener("open", () => indicator("on"));
  source.addEventListener("error", () => indicator(source.readyState === EventSource.CLOSED ? "off" : "retry"));
  source.addEventListener("ready", (e) => {
    indicator("on");
    const ready = JSON.parse(e.data);
    if (position === null) position = ready.position;
  });
  source.addEventListener("reset", (e) => {
    position = JSON.parse(e.data).position;
    onReset();
  });
  source.addEventListener("message", (e) => {
    const message = JSON.parse(e.data);
    position = message.position;
    onEvent(message);
  });
  window.addEventListener("pagehide", () => source.close());
  return { position: () => position, close: () => source.close() };
}

// Call `fn` once things have been quiet for `ms` (many events in a burst → one reload).
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
