/**
 * Hash routing: every page lives at `/_/`, so the server needs one file and deep links like
 * `/_/#/collections/posts` survive reloads without server-side route knowledge.
 * @module
 */
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current route path without the leading `#`, e.g. `/collections/posts`. */
function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : `/${hash}`;
}

export function useRoute(): string[] {
  const path = useSyncExternalStore(subscribe, currentPath);
  return path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
}

export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(...segments: string[]): void {
  window.location.hash = href(...segments).slice(1);
}
