/** The child side of bench/lib/proc.ts: parameters from argv, `ready`, and answers to `ask`. */

export function params<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

export function send(type: string, payload: Record<string, unknown> = {}): void {
  process.send?.({ type, ...payload });
}

type Handler = (args: Record<string, unknown>) => unknown;

/** Answer the parent's `ask(cmd)` calls; exit when the parent goes away. */
export function serve(handlers: Record<string, Handler>): void {
  process.on('message', (raw) => {
    const m = raw as { type?: string; id?: number; cmd?: string };
    if (m.type !== 'ask' || m.id === undefined || !m.cmd) return;
    const handler = handlers[m.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${m.cmd}`);
        return handler(m as Record<string, unknown>);
      })
      .then(
        (value) => send('answer', { id: m.id, value }),
        (err: unknown) => send('answer', { id: m.id, error: (err as Error).message ?? String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}
