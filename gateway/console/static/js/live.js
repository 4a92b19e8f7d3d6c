// Live ledger events for a page: GET /v1/events (server-sent events) read
// with fetch, because EventSource cannot send the API token. A page
// follows the stream while its element is on the page; the stream
// reconnects with Last-Event-ID after a break and stops for good once the
// element is gone (the next look at the stream notices, heartbeats
// included).

import { session } from "./api.js";

const RETRY_MS = 3000;

// parseEvents splits buffered text/event-stream data into complete events
// ({id, type, data}) and the rest still waiting for its blank line.
export function parseEvents(buffer) {
  const events = [];
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    const ev = { id: "", type: "message", data: "" };
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const name = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (name === "id") ev.id = value;
      else if (name === "event") ev.type = value;
      else if (name === "data") data.push(value);
    }
    if (!data.length && ev.type === "message") continue; // retry: or a comment
    ev.data = data.join("\n");
    events.push(ev);
  }
  return { events, rest };
}

// follow calls onEvent({id, type, data}) for each event (data parsed as
// JSON when it is) while el is on the page. It returns a stop function.
export function follow(el, onEvent) {
  const ctl = new AbortController();
  let last = "";
  const alive = () => !ctl.signal.aborted && el.isConnected;
  const run = async () => {
    while (alive()) {
      try {
        const headers = { Accept: "text/event-stream" };
        if (session.token) headers.Authorization = `Bearer ${session.token}`;
        if (last) headers["Last-Event-ID"] = last;
        const res = await fetch("/v1/events", { headers, signal: ctl.signal, cache: "no-store", credentials: "omit" });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done || !alive()) break;
          const { events, rest } = parseEvents(buf + value);
          buf = rest;
          for (const ev of events) {
            if (ev.id) last = ev.id;
            let data = ev.data;
            try { data = JSON.parse(ev.data); } catch { /* not JSON */ }
            await onEvent({ id: ev.id, type: ev.type, data });
          }
        }
        reader.cancel().catch(() => {});
      } catch (err) {
        if (ctl.signal.aborted) return;
      }
      if (!alive()) break;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
    ctl.abort();
  };
  run();
  return () => ctl.abort();
}

// tokensIn lists the token IDs a ledger event changed.
export function tokensIn(ev) {
  return (ev?.data?.tokens ?? []).map((t) => t.id);
}
