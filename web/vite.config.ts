import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The web app's build: web/ → web/dist, which Plaza serves at `/`. */
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
});
