// Audio level of a MediaStream through WebAudio: drives the microphone meter on the device
// check and the speaking indicator on call tiles.

let sharedContext = null;

function audioContext() {
  if (!sharedContext) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    sharedContext = new Context();
    // Browsers may start the context suspended until the person interacts with the page.
    const resume = () => sharedContext.resume().catch(() => {});
    document.addEventListener("pointerdown", resume, { once: true, capture: true });
    document.addEventListener("keydown", resume, { once: true, capture: true });
  }
  if (sharedContext.state === "suspended") sharedContext.resume().catch(() => {});
  return sharedContext;
}

export class LevelMeter {
  // onLevel(level) is called ~10 times a second with a value in 0..1.
  constructor(stream, onLevel, { interval = 100 } = {}) {
    this._onLevel = onLevel;
    this._timer = null;
    this._source = null;
    const track = stream && stream.getAudioTracks()[0];
    const context = track ? audioContext() : null;
    if (!context) return;
    this._source = context.createMediaStreamSource(new MediaStream([track]));
    this._analyser = context.createAnalyser();
    this._analyser.fftSize = 512;
    this._samples = new Float32Array(this._analyser.fftSize);
    this._source.connect(this._analyser);
    this._smoothed = 0;
    this._timer = setInterval(() => this._tick(), interval);
  }

  _tick() {
    this._analyser.getFloatTimeDomainData(this._samples);
    let sum = 0;
    for (const sample of this._samples) sum += sample * sample;
    const rms = Math.sqrt(sum / this._samples.length);
    // roughly perceptual: -60 dBFS → 0, 0 dBFS → 1
    const db = 20 * Math.log10(Math.max(rms, 1e-6));
    const level = Math.min(1, Math.max(0, (db + 60) / 60));
    this._smoothed = Math.max(level, this._smoothed * 0.7);
    this._onLevel(this._smoothed);
  }

  stop() {
    if (this._timer) clearInterval(this._timer);
    this._timer = null;
    if (this._source) this._source.disconnect();
    this._source = null;
  }
}

// A soft two-note chime (e.g. when the therapist lets someone in).
export function chime() {
  const context = audioContext();
  if (!context) return;
  const start = context.currentTime + 0.05;
  [523.25, 659.25].forEach((frequency, i) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0, start + i * 0.18);
    gain.gain.linearRampToValueAtTime(0.12, start + i * 0.18 + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.001, start + i * 0.18 + 0.5);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + i * 0.18);
    oscillator.stop(start + i * 0.18 + 0.55);
  });
}

// A short, urgent three-beep alarm (a client pressed "I need help now"): made in the page, no sound
// file is fetched. Returns whether it could play.
export function alarm() {
  const context = audioContext();
  if (!context) return false;
  const start = context.currentTime + 0.05;
  for (let i = 0; i < 3; i += 1) {
    const at = start + i * 0.22;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "square";
    oscillator.frequency.value = i === 1 ? 988 : 880;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.08, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.18);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.2);
  }
  return true;
}

// A gentle knock, two low notes (someone entered the waiting room): made in the page, no sound file.
// Returns whether it could play.
export function knock() {
  const context = audioContext();
  if (!context) return false;
  const start = context.currentTime + 0.05;
  [392, 330].forEach((frequency, i) => {
    const at = start + i * 0.25;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "triangle";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.15, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.35);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.4);
  });
  return true;
}
