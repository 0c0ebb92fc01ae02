/**
 * The app-level names the README and guide samples use without defining them, declared with real
 * types so the samples are checked, not waved through: a sample may lean on a name here, never
 * on `any`. `scripts/check-samples.ts` adds this file to every sample's program; a sample's own
 * declaration of the same name wins (it is a module).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Hub, StreamSink } from '@ssekit/server';
import type { Express, RequestHandler } from 'express';
import type { JSX } from 'react';
import type { events as sampleEvents } from './events';

/** A signed-in user as the samples' apps know it. */
interface SampleUser {
  id: string;
  name: string;
  fleets: string[];
}

declare global {
  /** The shared schema (`events.ts`): every event name the samples use. */
  const events: typeof sampleEvents;

  // Server side
  /** An Express app. */
  const app: Express;
  /** A hub over {@link events}. */
  const hub: Hub<typeof sampleEvents>;
  /** The app's auth middleware, which puts the user on the request. */
  const requireAuth: RequestHandler;
  /** A user id to publish to. */
  const userId: string;
  /** The user a request is signed in as (a session cookie, a bearer token…). */
  function userOf(request: Request | IncomingMessage | Http2ServerRequest): string | undefined;
  /** The app's database. */
  const db: { markAllRead(userId: string): Promise<void>; end(): Promise<void> };
  /** Checks an `Authorization` header. */
  function verify(authorization: string | undefined): SampleUser | undefined;
  /** A long job reporting progress (seed 001). */
  function syncProducts(options: {
    signal: AbortSignal;
    onPageProgress: (progress: { page: number; totalPages: number }) => void;
  }): Promise<{ imported: number }>;
  function syncPage(page: number, signal: AbortSignal): Promise<void>;
  /** A job that reports progress and may be aborted. */
  function runSync(
    onProgress: (progress: { page: number; totalPages: number }) => void,
    signal?: AbortSignal,
  ): Promise<{ imported: number }>;
  /** A Node response to write to. */
  const res: ServerResponse;
  /** The Fetch request being answered (a route handler's argument). */
  const request: Request;
  /** A transport to write a stream to (`createWebStreamSink`, `openNodeSink`, your own). */
  const sink: StreamSink;
  /** A notification to publish. */
  const payload: { id: string; title: string; unread: number };
  function queueForRetry(value: unknown): void;
  function isAdmin(request: Request | IncomingMessage | Http2ServerRequest): boolean;
  function isPublicTopic(topic: string): boolean;
  function runJob(
    onProgress: (progress: { page: number; totalPages: number }) => void,
    signal: AbortSignal,
  ): Promise<void>;

  // Client side
  function getToken(): Promise<string>;
  function refreshToken(): Promise<void>;
  function refetchEverything(): void;
  function showBadge(unread: number, id: string | undefined): void;
  function setBadge(unread: number): void;
  function renderDot(state: string): void;
  function setDot(state: string): void;
  /** The app's sign-in: calls back with each refreshed token; returns an unsubscribe. */
  const auth: { onTokenRefreshed(listener: (token: string) => void): () => void };
  function reportBug(error: Error): void;
  /** A received SSE `data:` payload. */
  const raw: string;
  /** The current access token. */
  let token: string;
  function setBanner(text: string | undefined): void;
  /** TanStack Query's client, say. */
  const queryClient: { invalidateQueries(filters?: { queryKey: unknown[] }): void };

  // React
  /** The signed-in user. */
  const user: SampleUser;
  function toast(message: string): void;
  function useUsers(): { data: SampleUser[]; refetch(): void };
  function List(props: { users: SampleUser[] }): JSX.Element;
  function App(): JSX.Element;
  function Inbox(): JSX.Element;
  function LogList(props: { lines: readonly { data: { message: string } }[] }): JSX.Element;
  /** The user's settings. */
  const settings: { liveUpdates: boolean };
}
