// A typed event source shaped like vscode.Event, so the client stays free of the 'vscode' module
// (it is tested in plain node) while ui/ can hand these events straight to VS Code APIs.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        // One broken listener must not stop the others from hearing about the change.
        console.error('[stacklens] event listener failed:', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
