// Attributes as a sorted key/value table. Values are text: strings exactly as received, other
// JSON values as JSON (on one line when short, pretty-printed when not).
import { Fragment, type JSX } from 'preact';
import type { AttributeValue, Attributes } from '../../extension/server/model';

const COMPACT_JSON_CHARS = 60;

export function attributeText(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  const compact = JSON.stringify(value);
  return compact.length <= COMPACT_JSON_CHARS ? compact : JSON.stringify(value, null, 2);
}

/** A dotted key breaks after its dots and underscores rather than mid-word. */
function Key({ name }: { name: string }): JSX.Element {
  const parts = name.split(/(?<=[._/])/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </>
  );
}

export function AttributeTable({ attributes, label }: { attributes: Attributes; label: string }): JSX.Element {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return <div class="muted">none</div>;
  return (
    <table class="kv" aria-label={label}>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <th scope="row">
              <Key name={k} />
            </th>
            <td class={typeof attributes[k] === 'string' ? '' : 'is-json'}>{attributeText(attributes[k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
