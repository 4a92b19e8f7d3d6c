// Enterprise names by ID, so the pages name the parties (Jiangsu Precision
// Parts) where the ledger records IDs (tier1). Read once per sign-in from
// GET /v1/enterprises, every role, every page of it; an ID it does not
// know is shown as the ID.

import { get } from "./api.js";
import { h } from "./dom.js";

const MAX_PAGES = 20; // 4 000 enterprises

const loaded = new WeakMap(); // ctx → Promise<Map<id, Enterprise>>

// loadNames reads the directory for this sign-in (ctx); a failure leaves
// the IDs on the page (and is tried again on the next render).
export function loadNames(ctx) {
  if (!loaded.has(ctx)) {
    const p = (async () => {
      const out = new Map();
      let bookmark = "";
      for (let i = 0; i < MAX_PAGES; i++) {
        const q = bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : "";
        const page = await get(`/v1/enterprises?pageSize=200${q}`);
        for (const e of page?.items ?? []) out.set(e.id, e);
        bookmark = page?.bookmark ?? "";
        if (!bookmark || !(page?.items ?? []).length) break;
      }
      return out;
    })().catch(() => {
      loaded.delete(ctx);
      return new Map();
    });
    loaded.set(ctx, p);
  }
  return loaded.get(ctx);
}

// Names resolves IDs once the directory is loaded.
export class Names {
  constructor(map) {
    this.map = map ?? new Map();
  }

  // of is the enterprise's name, or its ID when it has none here.
  of(id) {
    const e = this.map.get(id);
    return e?.name && e.name !== id ? e.name : String(id ?? "");
  }

  // party renders an enterprise by name, never translated, with its ID
  // as the tooltip and in data-id (tests and scripts find it there).
  party(id, attrs) {
    if (!id) return "";
    return h("span", { class: "party", translate: "no", title: id, "data-id": id, ...attrs }, this.of(id));
  }

  // option is a <select> option's label: "Name (id)".
  label(id) {
    const n = this.of(id);
    return n === id ? id : `${n} (${id})`;
  }
}

// names loads the directory and returns its Names.
export async function names(ctx) {
  return new Names(await loadNames(ctx));
}
