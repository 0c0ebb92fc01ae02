import { defineEvents, type } from '@ssekit/core';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { createExpressHandler } from '../src/adapters/express';
import { createFetchHandler } from '../src/adapters/fetch';
import { createNodeHandler, type NodeRequest, type NodeResponse } from '../src/adapters/node';
import type { StreamRequest } from '../src/index';

const events = defineEvents({ 'user.deleted': type<{ id: string }>() });

describe('adapter types', () => {
  it("gives Express's authenticate and onStream Express's Request and Response", () => {
    const handler = createExpressHandler({
      events,
      authenticate: (req, { topics, res }) => {
        expectTypeOf(req).toEqualTypeOf<Request>();
        expectTypeOf(res).toEqualTypeOf<Response>();
        expectTypeOf(topics).toEqualTypeOf<readonly string[]>();
        // what earlier middleware left for this request
        expectTypeOf(res).toHaveProperty('locals');
        return { userId: String(res.locals.userId) };
      },
      onStream: (_stream, { req, res, userId }) => {
        expectTypeOf(req).toEqualTypeOf<Request>();
        expectTypeOf(res).toEqualTypeOf<Response>();
        expectTypeOf(userId).toEqualTypeOf<string | undefined>();
      },
    });
    expectTypeOf(handler).parameters.toEqualTypeOf<[Request, Response, NextFunction]>();
    // it is a route handler as it is, on any path, after any middleware
    express().get('/events', handler);
    express().get('/rooms/:room/events', (_req, _res, next) => next(), handler);
  });

  it("gives Node's authenticate the response, and Fetch's none", () => {
    createNodeHandler({
      events,
      authenticate: (req, { res }) => {
        expectTypeOf(req).toEqualTypeOf<NodeRequest>();
        expectTypeOf(res).toEqualTypeOf<NodeResponse>();
        return {};
      },
    });
    createFetchHandler({
      events,
      authenticate: (request, info) => {
        expectTypeOf(request).toEqualTypeOf<globalThis.Request>();
        expectTypeOf(info).toEqualTypeOf<StreamRequest>();
        return {};
      },
    });
  });
});
