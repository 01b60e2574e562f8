// The notifications outbox through the API (DBA admins and admins; auditors read):
//   GET  /api/v1/notifications[?status=dead]    messages, newest first
//   GET  /api/v1/notifications/:id              one, with every attempt (codes, redacted errors)
//   POST /api/v1/notifications/:id/retry        a dead message sent again (same idempotency key)
//   POST /api/v1/notifications/test/:channel    a test message sent now, and the answer
import {
  NotificationDetail,
  NotificationDoc,
  NotificationIdParams,
  NotificationList,
  NotificationListQuery,
  NotificationTestParams,
  NotificationTestResponse,
} from '../../contract/notifications.js';
import { ErrorResponse } from '../../contract/errors.js';
import { listNotifications, retryNotification, sendTestNotification, showNotification } from '../../notify/admin.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

export function notificationRoutes(app: App, deps: HttpDeps): void {
  app.get(
    '/api/v1/notifications',
    {
      schema: {
        summary: 'Notification messages in the outbox, newest first',
        tags: ['notifications'],
        querystring: NotificationListQuery,
        response: { 200: NotificationList, ...errors },
      },
    },
    async (req) => {
      await authorize(deps, req, 'notification.view');
      return { notifications: await listNotifications(deps.db, req.query) };
    },
  );
  app.get(
    '/api/v1/notifications/:id',
    {
      schema: {
        summary: 'One notification message, with every attempt',
        tags: ['notifications'],
        params: NotificationIdParams,
        response: { 200: NotificationDetail, ...errors },
      },
    },
    async (req) => {
      await authorize(deps, req, 'notification.view');
      return showNotification(deps.db, req.params.id);
    },
  );
  app.post(
    '/api/v1/notifications/:id/retry',
    {
      schema: {
        summary: 'Send a dead-lettered message again (same idempotency key)',
        tags: ['notifications'],
        params: NotificationIdParams,
        response: { 200: NotificationDoc, ...errors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const { principal } = await authorize(deps, req, 'notification.manage');
      return retryNotification(deps.db, req.params.id, { actor: principal.user, requestId: String(req.id) });
    },
  );
  app.post(
    '/api/v1/notifications/test/:channel',
    {
      schema: {
        summary: 'Send a test message to a channel now, and report the answer',
        tags: ['notifications'],
        params: NotificationTestParams,
        response: { 200: NotificationTestResponse, ...errors },
      },
    },
    async (req) => {
      const { principal } = await authorize(deps, req, 'notification.manage');
      return sendTestNotification(deps, req.params.channel, { actor: principal.user, requestId: String(req.id) });
    },
  );
}
