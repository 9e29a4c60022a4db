/**
 * The collection definitions every page needs (sidebar, records table, relation pickers) and the
 * settings that shape the shell, loaded once after sign-in and reloaded after any schema change.
 * @module
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CollectionModel } from 'pocketbase';
import { errorMessage } from './errors.ts';
import { pb } from './pb.ts';

interface CollectionsState {
  collections: CollectionModel[];
  /** settings.meta.hideControls: the schema is read-only in this dashboard (a production guard). */
  hideControls: boolean;
  loading: boolean;
  error?: string;
  reload: () => Promise<void>;
}

const CollectionsContext = createContext<CollectionsState>({ collections: [], hideControls: false, loading: true, reload: async () => undefined });

export function CollectionsProvider({ children }: { children: ReactNode }) {
  const [collections, setCollections] = useState<CollectionModel[]>([]);
  const [hideControls, setHideControls] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const reload = useCallback(async () => {
    try {
      const [list, settings] = await Promise.all([
        pb.collections.getFullList({ sort: 'name', requestKey: 'collections' }),
        pb.settings.getAll({ requestKey: 'collections-settings' }),
      ]);
      const meta = (settings as { meta?: { appName?: string; hideControls?: boolean } }).meta;
      setCollections(list);
      setHideControls(meta?.hideControls === true);
      if (meta?.appName) document.title = `${meta.appName} · Basalt`;
      setError(undefined);
    } catch (err) {
      if (!(err as { isAbort?: boolean }).isAbort) setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  const value = useMemo(() => ({ collections, hideControls, loading, error, reload }), [collections, hideControls, loading, error, reload]);
  return <CollectionsContext.Provider value={value}>{children}</CollectionsContext.Provider>;
}

export function useCollections(): CollectionsState {
  return useContext(CollectionsContext);
}
