/**
 * The commands that need more than a click: reject (why), escalate (to whom, why), return (why),
 * evaluate (the citizen's verdict) and a note. Each builds one contract Command; the page sends it.
 */
import { useState } from 'react';
import { v7 as uuidv7 } from 'uuid';
import { REJECT_REASONS, SATISFACTION, type Command, type Department, type EscalationTarget, type EventRecord, type OrgUnit } from '../../shared/schema';
import { categoryById, DEFAULT_TAXONOMY } from '../../shared/taxonomy';
import { t, tMaybe, useLang } from '../i18n';
import { Dialog } from './Dialog';

export type DialogKind = 'reject' | 'escalate' | 'return' | 'evaluate' | 'note';

/**
 * Departments a case can whistle for (网格吹哨、部门报到) when the core's reference data has none
 * yet (the cache still filling after sign-in): the hub's demo ids are `dept-<code>`.
 */
export const DEPARTMENT_CODES = [
  'enforcement', 'emergency', 'education', 'health', 'police', 'fire', 'sanitation',
  'market', 'ecology', 'housing', 'civil_affairs', 'justice', 'construction_hq',
] as const;

const FALLBACK_DEPARTMENTS: readonly Pick<Department, 'id' | 'code' | 'name'>[] = DEPARTMENT_CODES.map((code) => ({ id: `dept-${code}`, code, name: code }));

export function ActionDialog(props: {
  kind: DialogKind;
  event: EventRecord;
  towns: readonly OrgUnit[];
  /** the hub's departments, from the core's reference data */
  departments?: readonly Department[];
  /** a sub-centre desk's town: it sends cases up to the district, never across to another town */
  ownTown?: string | undefined;
  onSend: (c: Command) => Promise<string | null>;
  onClose: () => void;
}) {
  useLang();
  const e = props.event;
  const [note, setNote] = useState('');
  const [reason, setReason] = useState<(typeof REJECT_REASONS)[number]>('invalid');
  const [duplicateOf, setDuplicateOf] = useState('');
  const targets = props.ownTown === undefined ? (['subcenter', 'departments'] as const) : (['district', 'departments'] as const);
  const [target, setTarget] = useState<EscalationTarget>(targets[0]);
  const [townId, setTownId] = useState(e.townId ?? props.towns[0]?.id ?? '');
  const departments = props.departments && props.departments.length > 0 ? props.departments : FALLBACK_DEPARTMENTS;
  const defaultCode = categoryById(DEFAULT_TAXONOMY, e.categoryId)?.departmentCode;
  const defaultDept = defaultCode ? departments.find((d) => d.code === defaultCode)?.id : undefined;
  const [depts, setDepts] = useState<Set<string>>(new Set(defaultDept ? [defaultDept] : []));
  const [satisfaction, setSatisfaction] = useState<(typeof SATISFACTION)[number]>('satisfied');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // one id per dialog: sending again after a dropped link repeats the same command, never a second one
  const [commandId] = useState(() => uuidv7());
  const base = { commandId, eventId: e.id };
  const n = note.trim();
  const noteOpt = n ? { note: n } : {};
  let command: Command | null = null;
  let missing: string | null = null;
  switch (props.kind) {
    case 'reject':
      command = { ...base, type: 'reject', reason, ...(reason === 'duplicate' && duplicateOf.trim() ? { duplicateOf: duplicateOf.trim() } : {}), ...noteOpt };
      break;
    case 'escalate':
      if (!n) missing = t('dialog.noteRequired');
      else if (target === 'subcenter' && !townId) missing = t('dialog.escalate.noTown');
      else if (target === 'departments' && depts.size === 0) missing = t('dialog.escalate.noDept');
      else
        command = {
          ...base,
          type: 'escalate',
          note: n,
          escalation:
            target === 'subcenter' ? { target, orgUnitId: townId } : target === 'district' ? { target } : { target, departmentIds: [...depts] },
        };
      break;
    case 'return':
      if (!n) missing = t('dialog.noteRequired');
      else command = { ...base, type: 'return', note: n };
      break;
    case 'evaluate':
      command = { ...base, type: 'evaluate', satisfaction, ...noteOpt };
      break;
    case 'note':
      if (!n) missing = t('dialog.noteRequired');
      else command = { ...base, type: 'note', note: n, attachments: [] };
      break;
  }

  const submit = async () => {
    if (!command) {
      setError(missing);
      return;
    }
    setBusy(true);
    const err = await props.onSend(command);
    setBusy(false);
    if (err) setError(err);
    else props.onClose();
  };

  const noteRequired = props.kind === 'escalate' || props.kind === 'return' || props.kind === 'note';
  return (
    <Dialog
      title={`${t(`cmd.${props.kind}`)} · ${e.id}`}
      submitLabel={busy ? t('dialog.sending') : t(`cmd.${props.kind}`)}
      submitDisabled={busy}
      onSubmit={() => void submit()}
      onClose={props.onClose}
      error={error}
      testId={`dialog-${props.kind}`}
    >
      {props.kind === 'reject' && (
        <>
          <label className="field">
            <span>{t('dialog.reject.reason')}</span>
            <select value={reason} onChange={(x) => setReason(x.target.value as typeof reason)}>
              {REJECT_REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`reject.${r}`)}
                </option>
              ))}
            </select>
          </label>
          {reason === 'duplicate' && (
            <label className="field">
              <span>{t('dialog.reject.duplicateOf')}</span>
              <input value={duplicateOf} onChange={(x) => setDuplicateOf(x.target.value)} />
            </label>
          )}
        </>
      )}
      {props.kind === 'escalate' && (
        <>
          <div className="radio-row" role="radiogroup" aria-label={t('dialog.escalate.target')}>
            {targets.map((x) => (
              <label key={x} className={target === x ? 'radio active' : 'radio'}>
                <input type="radio" name="target" value={x} checked={target === x} onChange={() => setTarget(x)} />
                {t(`escalate.${x}`)}
              </label>
            ))}
          </div>
          {target === 'district' ? null : target === 'subcenter' ? (
            <label className="field">
              <span>{t('dialog.escalate.town')}</span>
              <select value={townId} onChange={(x) => setTownId(x.target.value)}>
                {props.towns.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <fieldset className="checks">
              <legend>{t('dialog.escalate.departments')}</legend>
              {departments.map(({ id, code, name }) => {
                return (
                  <label key={id}>
                    <input
                      type="checkbox"
                      checked={depts.has(id)}
                      onChange={(x) => {
                        const next = new Set(depts);
                        if (x.target.checked) next.add(id);
                        else next.delete(id);
                        setDepts(next);
                      }}
                    />
                    {tMaybe(`dept.${code}`, name)}
                  </label>
                );
              })}
            </fieldset>
          )}
        </>
      )}
      {props.kind === 'evaluate' && (
        <div className="radio-row" role="radiogroup" aria-label={t('dialog.evaluate.satisfaction')}>
          {SATISFACTION.map((s) => (
            <label key={s} className={satisfaction === s ? 'radio active' : 'radio'}>
              <input type="radio" name="satisfaction" value={s} checked={satisfaction === s} onChange={() => setSatisfaction(s)} />
              {t(`satisfaction.${s}`)}
            </label>
          ))}
        </div>
      )}
      <label className="field">
        <span>
          {t('dialog.note')}
          {noteRequired ? ' *' : ''}
        </span>
        <textarea name="note" rows={3} value={note} onChange={(x) => setNote(x.target.value)} required={noteRequired} />
      </label>
    </Dialog>
  );
}
