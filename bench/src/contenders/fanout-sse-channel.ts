/**
 * sse-channel (the fastest peer measured so far): `channel.addClient(req, res)`, broadcast with
 * `channel.send({ event, data })`, which encodes once and writes the string to every response.
 * In the targeted scenario the channel sends to the user's responses, with `send(msg, clients)`
 * (its way to address a subset: a response can be added to one channel only).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type FanoutContender, TICK_EVENT } from '../contender';

interface SseChannel {
  addClient(req: IncomingMessage, res: ServerResponse): void;
  send(msg: { event?: string; data: string; id?: number }, clients?: ServerResponse[]): void;
  getConnectionCount(): number;
  close(): void;
}

const SseChannelClass = createRequire(import.meta.url)('sse-channel') as new (options?: {
  pingInterval?: number;
  historySize?: number;
}) => SseChannel;

// Defaults, as a user has them (one ping timer per channel, every 20 s).
const OPTIONS = {};

const contender: FanoutContender = {
  kind: 'fanout',
  name: 'sse-channel',
  description: 'sse-channel 4: addClient(req, res), channel.send({ event: "tick", data })',
  create({ targeted }) {
    const channel = new SseChannelClass(OPTIONS);
    const users = new Map<string, ServerResponse[]>();
    return {
      handle(req, res, user) {
        channel.addClient(req, res);
        if (targeted && user !== undefined) {
          let mine = users.get(user);
          if (!mine) {
            mine = [];
            users.set(user, mine);
          }
          mine.push(res);
          req.on('close', () => {
            const i = mine.indexOf(res);
            if (i !== -1) mine.splice(i, 1);
          });
        }
      },
      broadcast(data) {
        channel.send({ event: TICK_EVENT, data: JSON.stringify(data) });
      },
      publishTo(user, data) {
        const mine = users.get(user);
        if (mine) channel.send({ event: TICK_EVENT, data: JSON.stringify(data) }, mine);
      },
      connections: () => channel.getConnectionCount(),
      close() {
        channel.close();
      },
    };
  },
};

export default contender;
