/**
 * A modal dialog that holds the keyboard while open: focus goes to its first field, Esc (handled
 * by the page's key table) closes it, and Tab stays inside.
 */
import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import { t } from '../i18n';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  submitLabel: string;
  submitDisabled?: boolean;
  error?: string | null;
  wide?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!props.submitDisabled) props.onSubmit();
  };
  const trapTab = (e: React.KeyboardEvent) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const els = [...ref.current.querySelectorAll<HTMLElement>('input, select, textarea, button, [tabindex="0"]')].filter((x) => !x.hasAttribute('disabled'));
    const first = els[0];
    const last = els[els.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <form
        ref={ref}
        className={`card dialog${props.wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
        onSubmit={submit}
        onKeyDown={trapTab}
      >
        <h2>{props.title}</h2>
        {props.children}
        {props.error && (
          <div className="error" role="alert">
            {props.error}
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="ghost" onClick={props.onClose}>
            {t('dialog.cancel')} <kbd>Esc</kbd>
          </button>
          <button type="submit" disabled={props.submitDisabled}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
