// Copy the hand-written editor stylesheet next to the bundle.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync(resolve(root, "../static/css"), { recursive: true });
copyFileSync(resolve(root, "src/editor.css"), resolve(root, "../static/css/editor.css"));
console.log("static/css/editor.css");
