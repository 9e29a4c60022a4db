/**
 * The signed-in superuser, as a React hook over the SDK's LocalAuthStore (which persists the
 * token in localStorage, so a reload keeps the session).
 * @module
 */
import { useSyncExternalStore } from 'react';
import type { AuthRecord } from 'pocketbase';
import { pb } from './pb.ts';

function subscribe(onChange: () => void): () => void {
  return pb.authStore.onChange(onChange);
}

// The snapshot must be stable between changes; the store's token changes with every sign-in.
function snapshot(): string {
  return pb.authStore.isValid && pb.authStore.isSuperuser ? pb.authStore.token : '';
}

export function useSuperuser(): AuthRecord | null {
  const token = useSyncExternalStore(subscribe, snapshot);
  return token ? pb.authStore.record : null;
}

export function signOut(): void {
  pb.authStore.clear();
}
