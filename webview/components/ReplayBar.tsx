// Replay controls: step back, play/pause, step forward, speed, and a scrubber at position k/n.
import type { JSX } from 'preact';
import { REPLAY_SPEEDS } from '../layout/replay';
import { order, pause, playhead, playing, seek, setSpeed, speed, step, stopReplay, togglePlay } from '../store';
import { Button } from '../ui/toolkit';
import { Icon } from './Icon';

export function ReplayBar(): JSX.Element {
  const n = order.value?.rows.length ?? 0;
  const p = playhead.value;
  const isPlaying = playing.value;
  return (
    <div class="replay" role="group" aria-label="Replay">
      <span class="replay-title">Replay</span>
      <Button appearance="icon" title="Step back" data-action="step-back" disabled={n === 0} onClick={() => (pause(), step(-1))}>
        <Icon name="stepBack" />
      </Button>
      <Button appearance="icon" title={isPlaying ? 'Pause (Space)' : 'Play (Space)'} data-action="play" disabled={n === 0} onClick={togglePlay}>
        <Icon name={isPlaying ? 'pause' : 'play'} />
      </Button>
      <Button appearance="icon" title="Step forward" data-action="step-forward" disabled={n === 0} onClick={() => (pause(), step(1))}>
        <Icon name="stepForward" />
      </Button>
      <Button appearance="icon" title="Leave replay" data-action="stop" disabled={p === null} onClick={stopReplay}>
        <Icon name="stop" />
      </Button>
      <label class="replay-speed">
        <span class="sr-only">Speed</span>
        <select value={String(speed.value)} onChange={(e) => setSpeed(Number((e.currentTarget as HTMLSelectElement).value))} title="Spans per second">
          {REPLAY_SPEEDS.map((s) => (
            <option key={s} value={String(s)}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <input
        class="replay-scrubber"
        type="range"
        min={0}
        max={Math.max(0, n - 1)}
        step={1}
        value={p ?? 0}
        disabled={n === 0}
        aria-label="Replay position"
        onInput={(e) => (pause(), seek(Number((e.currentTarget as HTMLInputElement).value)))}
      />
      <span class="replay-position" data-testid="replay-position">
        {p === null ? `– / ${n.toLocaleString('en-US')}` : `${(p + 1).toLocaleString('en-US')} / ${n.toLocaleString('en-US')}`}
      </span>
    </div>
  );
}
