import { compareStreamIds } from './streamId';

/**
 * The newest entry this process knows the stream held (its appends, its subscription, its head
 * reads): what detects a stream rewound by a restore from an older snapshot. The scripts get it
 * as two arguments (`luaScripts.ts`, `REWOUND`): a stream whose entries no longer reach it had
 * history taken back, and gets a new numbering before anything else is written or read.
 * @internal
 */
export class HighWater {
  private id = '';
  private n = '';

  /** An entry seen in the stream (entries without a number are not positions). */
  note(entry: { readonly id: string; readonly n: number }): void {
    if (!Number.isSafeInteger(entry.n) || compareStreamIds(entry.id, this.id) <= 0) return;
    this.id = entry.id;
    this.n = String(entry.n);
  }

  /** The script arguments: its id and number, `''` twice before the first. */
  args(): [string, string] {
    return [this.id, this.n];
  }
}
