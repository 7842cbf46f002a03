/**
 * Telling the leader a new task arrived: a short beep made with WebAudio (no audio files) and a
 * vibration where the browser allows. Browsers start audio only after a user gesture, so the
 * context is created (or resumed) on the first tap anywhere and reused.
 */
let ctx: AudioContext | undefined;

export function primeAudio(): void {
  const AC = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!AC) return;
  try {
    ctx ??= new AC();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = undefined;
  }
}

/** Two short tones; silent when audio has not been unlocked yet. */
export function beep(): void {
  if (!ctx || ctx.state !== 'running') return;
  const start = ctx.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const t0 = start + i * 0.22;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.3, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + 0.2);
  }
}

export function vibrate(): void {
  try {
    navigator.vibrate?.([200, 100, 200]);
  } catch {
    // not allowed here (no user activation yet, or a desktop browser)
  }
}

export function announce(): void {
  beep();
  vibrate();
}
