// The server's event stream (GET /api/events): one JobEvent per `data:` line
// while an apply or rollback runs. EventSource reconnects by itself when the
// stream drops; `onConnection` tells the page, so it can say progress may lag.
import type { JobEvent } from '../api-types.js';

export interface EventStream {
  close(): void;
}

export function listenToJobs(onEvent: (e: JobEvent) => void, onConnection: (connected: boolean) => void = () => {}): EventStream {
  const source = new EventSource('/api/events', { withCredentials: true });
  source.onopen = () => onConnection(true);
  source.onerror = () => onConnection(false);
  source.onmessage = (m: MessageEvent<string>) => {
    let event: unknown;
    try {
      event = JSON.parse(m.data);
    } catch {
      return; // a keep-alive or a line this page does not know
    }
    if (event && typeof event === 'object' && typeof (event as { type?: unknown }).type === 'string') onEvent(event as JobEvent);
  };
  return { close: () => source.close() };
}
