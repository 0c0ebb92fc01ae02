import type { ConnectionStatus } from './connectionStatus';
import { notifyLater } from './notifyLater';
import { type ConnectionTarget, listen, statusOf } from './sharedConnection';

/**
 * The status store behind `useConnectionStatus`. With `lostAfter`, a connection that was open
 * keeps reporting its last open status until it has been down for `lostAfter` ms, so a brief
 * reconnect does not flash a "disconnected" indicator. The timer exists only while the
 * connection is down, never per event.
 * @internal
 */
export class StatusView {
  private held: ConnectionStatus | undefined;
  private lastOpen: ConnectionStatus | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly target: ConnectionTarget<any>,
    private readonly lostAfter: number,
  ) {}

  subscribe = (notify: () => void): (() => void) => {
    const stop = listen(this.target, 'status', () => {
      const status = statusOf(this.target);
      if (status.state === 'open') {
        this.lastOpen = status;
        this.held = undefined;
        clearTimeout(this.timer);
        this.timer = undefined;
      } else if (this.lostAfter > 0 && this.lastOpen && !this.timer) {
        this.held = this.lastOpen;
        this.timer = setTimeout(() => {
          this.held = this.lastOpen = this.timer = undefined;
          notify(); // already a task of its own
        }, this.lostAfter);
      }
      notifyLater(notify);
    });
    // Joining a connection another component already opened: it may drop before it changes.
    const now = statusOf(this.target);
    if (now.state === 'open') this.lastOpen = now;
    return () => {
      clearTimeout(this.timer);
      this.held = this.lastOpen = this.timer = undefined;
      stop();
    };
  };

  getSnapshot = (): ConnectionStatus => this.held ?? statusOf(this.target);
}
