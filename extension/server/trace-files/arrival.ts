// The store lists a trace's models and tags in the order their spans arrived. A file holds spans
// in start-time order, so an import in file order could list them differently from the exporting
// store: the spans are handed to the store in an order whose first appearances match the summary.
import type { Span } from '../model';
import type { ListedTrace } from './header';

export function inArrivalOrder(spans: readonly Span[], listed: ListedTrace): Span[] {
  const models = listed.models ?? [];
  const tags = listed.tags ?? [];
  if (models.length < 2 && tags.length < 2) return [...spans];
  const remaining = [...spans];
  const out: Span[] = [];
  const seenModels = new Set<string>();
  const seenTags = new Set<string>();
  let nextModel = 0;
  let nextTag = 0;

  const fits = (s: Span): boolean => {
    if (s.model !== null && !seenModels.has(s.model) && s.model !== models[nextModel]) return false;
    let j = nextTag;
    for (const tag of s.tags) {
      if (seenTags.has(tag)) continue;
      while (j < tags.length && seenTags.has(tags[j])) j++;
      if (tag !== tags[j]) return false;
      j++;
    }
    return true;
  };

  while (remaining.length > 0) {
    // a span that would introduce a model or tag out of turn waits; if every span would, order cannot be kept
    const found = remaining.findIndex(fits);
    const [span] = remaining.splice(found === -1 ? 0 : found, 1);
    out.push(span);
    if (span.model !== null) seenModels.add(span.model);
    for (const tag of span.tags) seenTags.add(tag);
    while (nextModel < models.length && seenModels.has(models[nextModel])) nextModel++;
    while (nextTag < tags.length && seenTags.has(tags[nextTag])) nextTag++;
  }
  return out;
}
