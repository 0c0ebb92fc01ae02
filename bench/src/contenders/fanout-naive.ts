/**
 * The floor: plain `node:http`, one prebuilt Buffer per event written to every response, no ids,
 * no history, no per-connection state beyond the array. Nothing can deliver an event for less.
 */
import type { ServerResponse } from 'node:http';
import { type FanoutContender, TICK_EVENT, type TickPayload } from '../contender';

function frame(data: TickPayload): Buffer {
  return Buffer.from(`event: ${TICK_EVENT}\ndata: ${JSON.stringify(data)}\n\n`);
}

const contender: FanoutContender = {
  kind: 'fanout',
  name: 'naive',
  description: 'node:http writing one prebuilt Buffer to every response (the floor)',
  create({ targeted }) {
    const all = new Set<ServerResponse>();
    const byUser = new Map<string, Set<ServerResponse>>();
    return {
      handle(req, res, user) {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache, no-transform',
          'x-accel-buffering': 'no',
        });
        res.flushHeaders();
        all.add(res);
        let mine: Set<ServerResponse> | undefined;
        if (targeted && user !== undefined) {
          mine = byUser.get(user);
          if (!mine) {
            mine = new Set();
            byUser.set(user, mine);
          }
          mine.add(res);
        }
        req.on('close', () => {
          all.delete(res);
          mine?.delete(res);
        });
      },
      broadcast(data) {
        const bytes = frame(data);
        for (const res of all) res.write(bytes);
      },
      publishTo(user, data) {
        const set = byUser.get(user);
        if (!set) return;
        const bytes = frame(data);
        for (const res of set) res.write(bytes);
      },
      connections: () => all.size,
      close() {
        for (const res of all) res.end();
      },
    };
  },
};

export default contender;
