import { cloneElement, Fragment, isValidElement, useId, type ReactNode } from 'react';

export interface FieldProps {
  label: ReactNode;
  /** One form control; it gets the id, aria-invalid and aria-describedby. */
  children: ReactNode;
  error?: string;
  hint?: ReactNode;
  className?: string;
}

/** A labelled form control with its hint and the server's validation message under it. */
export default function Field({ label, children, error, hint, className }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const element = isValidElement<Record<string, unknown>>(children) && children.type !== Fragment ? children : undefined;
  const controlId = (element?.props.id as string | undefined) ?? id;
  const control = element ? cloneElement(element, { id: controlId, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy }) : children;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={controlId}>{label}</label>
      {control}
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <p className="error-text" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label to the right. */
export function Check({ label, checked, onChange, disabled }: { label: ReactNode; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

/** The error line for a control that is not a single input (a group, a list). */
export function FieldMessage({ error }: { error?: string }) {
  return error ? (
    <p className="error-text" role="alert">
      {error}
    </p>
  ) : null;
}
