/** Evidence the leader attaches: photos from the phone camera and a voice note. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { t, useLang } from '../i18n';

export const MAX_PHOTOS = 9;

/** Object URLs for previews, revoked when the files go away. */
function usePreviews(files: readonly Blob[]): string[] {
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    const made = files.map((f) => URL.createObjectURL(f));
    setUrls(made);
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [files]);
  return urls;
}

export function PhotoPicker(props: { photos: File[]; onChange: (photos: File[]) => void; name: string }) {
  useLang();
  const urls = usePreviews(props.photos);
  return (
    <div className="photos">
      {urls.map((u, i) => (
        <figure key={u} className="photo">
          <img src={u} alt="" />
          <button
            type="button"
            className="photo-remove"
            aria-label={t('field.photo.remove')}
            onClick={() => props.onChange(props.photos.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </figure>
      ))}
      {props.photos.length < MAX_PHOTOS && (
        <label className="photo-add">
          <span>＋ {t('field.photo.add')}</span>
          <input
            type="file"
            name={props.name}
            accept="image/*"
            capture="environment"
            multiple
            onChange={(e) => {
              const picked = Array.from(e.currentTarget.files ?? []).filter((f) => f.type === '' || f.type.startsWith('image/'));
              e.currentTarget.value = '';
              if (picked.length > 0) props.onChange([...props.photos, ...picked].slice(0, MAX_PHOTOS));
            }}
          />
        </label>
      )}
    </div>
  );
}

/** Containers a hub accepts as audio, most widely understood first. */
const VOICE_TYPES = ['audio/mp4', 'audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm'];
const MAX_VOICE_MS = 120_000;

export function VoiceRecorder(props: { voice: Blob | null; onChange: (voice: Blob | null) => void }) {
  useLang();
  const [recording, setRecording] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const rec = useRef<MediaRecorder | null>(null);
  const voiceList = useMemo(() => (props.voice ? [props.voice] : NONE), [props.voice]);
  const [url] = usePreviews(voiceList);
  const supported = typeof window.MediaRecorder === 'function' && !!navigator.mediaDevices?.getUserMedia;

  useEffect(() => () => rec.current?.stream.getTracks().forEach((tr) => tr.stop()), []);

  const start = async () => {
    setProblem(null);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setProblem(t('field.voice.denied'));
      return;
    }
    const mimeType = VOICE_TYPES.find((m) => MediaRecorder.isTypeSupported(m));
    const r = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    const chunks: Blob[] = [];
    r.ondataavailable = (e) => e.data.size > 0 && chunks.push(e.data);
    r.onstop = () => {
      stream.getTracks().forEach((tr) => tr.stop());
      setRecording(false);
      rec.current = null;
      const blob = new Blob(chunks, { type: (r.mimeType || mimeType || 'audio/webm').split(';')[0] });
      if (blob.size > 0) props.onChange(blob);
    };
    r.start();
    rec.current = r;
    setRecording(true);
    // a voice note, not a recording of the whole shift
    window.setTimeout(() => r.state === 'recording' && r.stop(), MAX_VOICE_MS);
  };

  if (!supported) return <div className="hint">{t('field.voice.unsupported')}</div>;
  return (
    <div className="voice">
      {!props.voice && !recording && (
        <button type="button" className="secondary" onClick={start}>
          {t('field.voice.record')}
        </button>
      )}
      {recording && (
        <button type="button" className="danger recording" onClick={() => rec.current?.stop()}>
          ■ {t('field.voice.stop')}
        </button>
      )}
      {props.voice && url && (
        <>
          <audio controls src={url} />
          <button type="button" className="ghost" onClick={() => props.onChange(null)}>
            {t('field.voice.remove')}
          </button>
        </>
      )}
      {problem && <div className="error">{problem}</div>}
    </div>
  );
}

const NONE: Blob[] = [];
