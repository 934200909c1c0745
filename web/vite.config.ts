/// <reference types="vitest" />
// Vite builds the app into dist/ (served by the gateway at /); Vitest runs src/**/*.test.ts.
// JSX goes through esbuild with Preact's automatic runtime: no Babel, no plugin.
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    // One CSS file and hashed assets; nothing inlined as data: URLs beyond tiny ones.
    assetsInlineLimit: 2048,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` proxies the API to the local stack's gateway.
    proxy: Object.fromEntries(
      ["/auth", "/users", "/feed", "/notifications", "/orgs", "/causes", "/opportunities"].map(
        (p) => [p, { target: "http://127.0.0.1:8080" }],
      ),
    ),
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
