import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// The built app goes to dist/, which the Go package embeds (embed.go).
// `npm run dev` proxies the API to a `ledger serve` on 127.0.0.1:8080.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", sourcemap: false },
  server: {
    proxy: {
      "/graphql": { target: "http://127.0.0.1:8080", ws: true },
      "/auth": "http://127.0.0.1:8080",
    },
  },
});
