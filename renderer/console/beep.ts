/**
 * A short two-tone beep for a new urgent event. WebAudio needs a user gesture before it may play;
 * signing in is one, so the context is made then (`armBeep`) and reused.
 */
let ctx: AudioContext | undefined;

export function armBeep(): void {
  try {
    ctx ??= new AudioContext();
    void ctx.resume();
  } catch {
    // no audio device: the highlight still shows
  }
}

export function beep(): void {
  if (!ctx) armBeep();
  const c = ctx;
  if (!c) return;
  const at = c.currentTime;
  for (const [i, freq] of [880, 660].entries()) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.frequency.value = freq;
    osc.type = 'square';
    gain.gain.setValueAtTime(0.0001, at + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.15, at + i * 0.18 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + i * 0.18 + 0.16);
    osc.connect(gain).connect(c.destination);
    osc.start(at + i * 0.18);
    osc.stop(at + i * 0.18 + 0.17);
  }
}
