import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves the build at /_/ (hash routing keeps every page at that one path).
// In `npm run dev -w @basalt/admin`, API calls are proxied to a local `basalt serve`.
export default defineConfig({
  base: '/_/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': process.env.BASALT_URL ?? 'http://127.0.0.1:8090' } },
});
