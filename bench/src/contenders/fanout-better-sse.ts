/**
 * better-sse as its docs show it: a session per request, registered with a channel; broadcast is
 * `channel.broadcast(data, event)`. In the targeted scenario each user gets a channel of its own
 * (better-sse's way to address a subset without scanning every session).
 */
import { type Channel, createChannel, createSession, type Session } from 'better-sse';
import type { FanoutContender } from '../contender';
import { TICK_EVENT } from '../contender';

const contender: FanoutContender = {
  kind: 'fanout',
  name: 'better-sse',
  description:
    'better-sse 0.16: createSession (defaults: a keep-alive timer per session) + one channel, channel.broadcast(data, "tick")',
  create({ targeted }) {
    const channel = createChannel();
    const users = new Map<string, Channel>();
    return {
      handle(req, res, user) {
        // Defaults, as a user has them (a keep-alive timer per session, every 10 s).
        createSession(req, res).then((session: Session) => {
          channel.register(session);
          if (targeted && user !== undefined) {
            let mine = users.get(user);
            if (!mine) {
              mine = createChannel();
              users.set(user, mine);
            }
            mine.register(session);
          }
        });
      },
      broadcast(data) {
        channel.broadcast(data, TICK_EVENT);
      },
      publishTo(user, data) {
        users.get(user)?.broadcast(data, TICK_EVENT);
      },
      connections: () => channel.sessionCount,
      close() {},
    };
  },
};

export default contender;
