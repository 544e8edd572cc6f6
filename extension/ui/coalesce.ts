// Change events come in bursts (a batch export announces every trace it touched): the views
// refresh once per burst. The first event of a burst schedules the refresh `ms` later and the
// rest join it, so a steady stream of spans still refreshes every `ms` instead of never.

export interface Coalesced {
  (): void;
  dispose(): void;
}

export function coalesce(run: () => void, ms: number): Coalesced {
  let timer: NodeJS.Timeout | undefined;
  const call = (() => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  }) as Coalesced;
  call.dispose = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return call;
}
