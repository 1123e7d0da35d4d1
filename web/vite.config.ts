import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The web app's build: web/ → web/dist, which Plaza serves at `/` (`npm run dev:web` proxies the API to PLAZA_URL). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The size report gzips every chunk; the build's own precompression gives the same figures.
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries(
      ['/amplify_outputs.json', '/graphql', '/media', '/upload', '/dev/outbox'].map((path) => [
        path,
        { target: process.env.PLAZA_URL ?? 'http://127.0.0.1:4000', ws: path === '/graphql' },
      ]),
    ),
  },
});
