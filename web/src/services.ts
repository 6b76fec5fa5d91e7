import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { Client } from './api/client';
import type { Me } from './api/types';
import type { OfflineStore } from './live/offline';
import { Outbox } from './live/outbox';

/** What every page uses, made once in main.tsx and passed down. */
export interface Services {
  client: Client;
  outbox: Outbox;
  /** Shows a failed request to the person, in words. */
  report: (err: unknown) => void;
  /** Who is signed in and their last views, for a reload with no network. */
  offline: OfflineStore;
}

export interface Session {
  me: Me | null;
  /** Re-reads who is signed in (after log-in, join or log-out). */
  refresh: () => Promise<void>;
}

export const ServicesContext = createContext<Services | null>(null);
export const SessionContext = createContext<Session>({ me: null, refresh: async () => {} });

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('ServicesContext missing');
  return s;
}
export const useSession = (): Session => useContext(SessionContext);
