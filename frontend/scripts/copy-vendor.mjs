// Copy pinned vendor builds (htmx, its websocket extension, SortableJS) from node_modules into ../static/js.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(root, "../static/js");
mkdirSync(out, { recursive: true });
const files = [
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js"],
  ["htmx-ext-ws", "dist/ws.min.js", "htmx-ext-ws.js"],
  ["sortablejs", "Sortable.min.js", "sortable.min.js"],
];
for (const [pkg, src, dest] of files) {
  const version = JSON.parse(readFileSync(resolve(root, "node_modules", pkg, "package.json"))).version;
  copyFileSync(resolve(root, "node_modules", pkg, src), resolve(out, dest));
  console.log(`static/js/${dest}  (${pkg}@${version})`);
}
