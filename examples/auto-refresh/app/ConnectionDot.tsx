'use client';
import { useConnectionStatus } from '../lib/sse';

const LABELS = {
  idle: 'offline',
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
} as const;

/** The seed's green/red indicator; `data-error` is the last error's code (`closed`, `network`). */
export function ConnectionDot() {
  const { state, error } = useConnectionStatus();
  return (
    <span
      id="connection"
      className="status"
      data-state={state}
      data-error={error?.code ?? ''}
      title={error?.message ?? ''}
    >
      {LABELS[state]}
    </span>
  );
}
