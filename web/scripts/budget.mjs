// The bundle budget: the JavaScript the first page loads (every script index.html names and
// every module they preload), gzip-compressed, must stay ≤ 150 KB. Prints the size; exits 1
// when over. Run after `vite build` (npm run build does).
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const LIMIT_BYTES = 150 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", process.argv[2] ?? "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = new Set();
for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) scripts.add(m[1]);
for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)) scripts.add(m[1]);
if (!scripts.size) {
  console.error("budget: index.html names no script");
  process.exit(1);
}
let total = 0;
for (const src of scripts) {
  const bytes = gzipSync(readFileSync(join(dist, src.replace(/^\//, ""))), { level: 9 }).length;
  total += bytes;
  console.log(`budget: ${src} ${(bytes / 1024).toFixed(1)} KB gzip`);
}
const verdict = total <= LIMIT_BYTES ? "ok" : "OVER BUDGET";
console.log(`budget: first page JavaScript ${(total / 1024).toFixed(1)} KB gzip of ${LIMIT_BYTES / 1024} KB: ${verdict}`);
process.exit(total <= LIMIT_BYTES ? 0 : 1);
