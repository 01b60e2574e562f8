// Builds the web UI (React) into dist/ui, which the server serves at `/` (src/http/web-ui.ts).
// Everything is bundled: the UI fetches nothing from the internet at run time. The build prints
// the gzipped size of what a browser downloads; the budget is 300 KB (README, "Web UI").
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const BUDGET_BYTES = 300 * 1024;

function gzippedSize(): Plugin {
  return {
    name: 'lifeboat-gzipped-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      let total = 0;
      for (const file of Object.values(bundle)) {
        const code = file.type === 'chunk' ? file.code : file.source;
        if (/\.(js|css|html)$/.test(file.fileName)) total += gzipSync(code).length;
      }
      const kb = (total / 1024).toFixed(1);
      process.stdout.write(`web UI bundle: ${kb} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)\n`);
      if (total > BUDGET_BYTES) this.error(`the web UI is ${kb} KB gzipped, over its budget`);
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), gzippedSize()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
