// The person's own camera and microphone: ask for them, explain plainly what went wrong, and
// keep going with whatever works (audio only, camera off, or listen only).

const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } };
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

function problemOf(error) {
  if (!error) return null;
  switch (error.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "AbortError":
      return "busy";
    default:
      return "unavailable";
  }
}

const WORDS = {
  camera: {
    denied: "Your browser is not allowing Steadyline to use your camera. You can still join with sound only. " +
      "To turn the camera on, allow camera access in your browser's address bar or settings, then reload this page.",
    missing: "We couldn't find a camera. You can still join with sound only.",
    busy: "Your camera is being used by another app. Close the other app and reload this page, or join with sound only.",
    unavailable: "Your camera couldn't be started. You can still join with sound only.",
  },
  microphone: {
    denied: "Your browser is not allowing Steadyline to use your microphone, so others won't hear you. " +
      "Allow microphone access in your browser's address bar or settings, then reload this page.",
    missing: "We couldn't find a microphone, so others won't hear you. Plug in headphones with a microphone and reload this page.",
    busy: "Your microphone is being used by another app. Close the other app and reload this page.",
    unavailable: "Your microphone couldn't be started, so others won't hear you.",
  },
};

export function explainProblem(kind, problem) {
  return problem ? WORDS[kind][problem] : "";
}

async function tryGet(constraints) {
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints), error: null };
  } catch (error) {
    return { stream: null, error };
  }
}

function constraint(base, deviceId) {
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

// Returns {stream, camera: problem|null, microphone: problem|null}. The stream may have no tracks.
export async function openLocalMedia({ cameraId = null, microphoneId = null, camera = true, microphone = true } = {}) {
  const result = { stream: new MediaStream(), camera: null, microphone: null };
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    result.camera = camera ? "unavailable" : null;
    result.microphone = microphone ? "unavailable" : null;
    return result;
  }
  if (camera && microphone) {
    const both = await tryGet({ audio: constraint(AUDIO, microphoneId), video: constraint(VIDEO, cameraId) });
    if (both.stream) return { ...result, stream: both.stream };
  }
  // Ask separately so one missing or refused device does not cost the other.
  if (microphone) {
    const audio = await tryGet({ audio: constraint(AUDIO, microphoneId) });
    if (audio.stream) audio.stream.getTracks().forEach((t) => result.stream.addTrack(t));
    result.microphone = problemOf(audio.error);
  }
  if (camera) {
    const video = await tryGet({ video: constraint(VIDEO, cameraId) });
    if (video.stream) video.stream.getTracks().forEach((t) => result.stream.addTrack(t));
    result.camera = problemOf(video.error);
  }
  return result;
}

export async function listDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return { cameras: [], microphones: [] };
  const devices = await navigator.mediaDevices.enumerateDevices();
  const named = (list, fallback) => list.map((d, i) => ({ id: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
  return {
    cameras: named(devices.filter((d) => d.kind === "videoinput" && d.deviceId), "Camera"),
    microphones: named(devices.filter((d) => d.kind === "audioinput" && d.deviceId), "Microphone"),
  };
}

export function stopStream(stream) {
  if (stream) stream.getTracks().forEach((track) => track.stop());
}
