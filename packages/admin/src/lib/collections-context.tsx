/**
 * The collection definitions every page needs (sidebar, records table, relation pickers),
 * loaded once after sign-in and reloaded after any schema change.
 * @module
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CollectionModel } from 'pocketbase';
import { errorMessage } from './errors.ts';
import { pb } from './pb.ts';

interface CollectionsState {
  collections: CollectionModel[];
  loading: boolean;
  error?: string;
  reload: () => Promise<void>;
}

const CollectionsContext = createContext<CollectionsState>({ collections: [], loading: true, reload: async () => undefined });

export function CollectionsProvider({ children }: { children: ReactNode }) {
  const [collections, setCollections] = useState<CollectionModel[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const reload = useCallback(async () => {
    try {
      setCollections(await pb.collections.getFullList({ sort: 'name', requestKey: 'collections' }));
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
  const value = useMemo(() => ({ collections, loading, error, reload }), [collections, loading, error, reload]);
  return <CollectionsContext.Provider value={value}>{children}</CollectionsContext.Provider>;
}

export function useCollections(): CollectionsState {
  return useContext(CollectionsContext);
}
