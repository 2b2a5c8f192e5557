/** What the API shows of a webhook: never its secret. */
export function presentWebhook(w: { id: string; url: string; events: string[]; enabled: boolean; createdAt: Date }) {
  return { id: w.id, url: w.url, events: w.events, enabled: w.enabled, createdAt: w.createdAt.toISOString() };
}
