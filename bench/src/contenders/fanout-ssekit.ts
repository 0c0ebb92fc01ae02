/**
 * The @ssekit/server hub as an app uses it: `createHub({ events })` behind
 * `createNodeHandler({ hub, authenticate })`, `hub.publish('tick', data)` to everyone and
 * `hub.publish('tick', data, { to: user })` to one user. Defaults otherwise (replay log, ids,
 * one shared heartbeat timer, slow-consumer limit).
 */
import { defineEvents, type } from '@ssekit/core';
import { createHub } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { type FanoutContender, TICK_EVENT, type TickPayload } from '../contender';

const events = defineEvents({ [TICK_EVENT]: type<TickPayload>() });

const contender: FanoutContender = {
  kind: 'fanout',
  name: 'ssekit',
  description: '@ssekit/server: createHub + createNodeHandler, hub.publish("tick", data[, { to }])',
  create({ targeted }) {
    // Broadcast connections are anonymous, all from 127.0.0.1: no per-address cap (default 1,000).
    const hub = createHub({
      events,
      limits: { maxConnectionsPerAddress: Number.POSITIVE_INFINITY },
    });
    const report = (error: unknown) => console.error('ssekit publish failed:', error);
    const handler = createNodeHandler({
      hub,
      // The user is in `?user=` (targeted scenario); broadcast connections are anonymous.
      authenticate: targeted
        ? (req) => ({ userId: req.url?.slice(req.url.indexOf('?user=') + 6) })
        : undefined,
    });
    return {
      handle(req, res) {
        void handler(req, res);
      },
      broadcast(data) {
        hub.publish(TICK_EVENT, data).catch(report);
      },
      publishTo(user, data) {
        hub.publish(TICK_EVENT, data, { to: user }).catch(report);
      },
      connections: () => hub.stats().connections,
      close: () => hub.close(),
    };
  },
};

export default contender;
