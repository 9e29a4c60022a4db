import { useId } from 'react';
import { Check } from '../../components/Field.tsx';
import { problemPosition } from './rule-check.ts';

export interface RuleEditorProps {
  label: string;
  value: string | null;
  onChange: (value: string | null) => void;
  /** The server's message for this rule (from the live check or the last save). */
  problem?: string;
  checking?: boolean;
  help: string;
  disabled?: boolean;
}

/**
 * One API rule. null locks the action to superusers; "" opens it to everyone; anything else is
 * a filter expression. A syntax error is shown with a caret under the reported position.
 */
export default function RuleEditor({ label, value, onChange, problem, checking, help, disabled }: RuleEditorProps) {
  const id = useId();
  const locked = value === null;
  const pos = problem !== undefined ? problemPosition(problem) : undefined;
  const line = value ?? '';
  return (
    <fieldset className="rule-box">
      <legend>{label}</legend>
      <div className="row">
        <Check label="Superusers only" checked={locked} disabled={disabled} onChange={(v) => onChange(v ? null : '')} />
        <span className="spacer" />
        {!locked && (
          <span className={problem ? 'badge danger' : 'badge success'} aria-live="polite">
            {checking ? 'checking…' : problem ? 'invalid' : line.trim() === '' ? 'public' : 'valid'}
          </span>
        )}
      </div>
      {!locked && (
        <>
          <label className="sr-only" htmlFor={id}>
            {label} expression
          </label>
          <textarea
            id={id}
            className="mono"
            spellCheck={false}
            disabled={disabled}
            value={line}
            placeholder="Empty: everyone, including guests. e.g. @request.auth.id != &quot;&quot;"
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-help ${problem ? `${id}-err` : ''}`}
            onChange={(e) => onChange(e.target.value)}
          />
          {pos !== undefined && !line.includes('\n') && (
            <pre className="rule-marker" aria-hidden="true">
              {line}
              {'\n'}
              {' '.repeat(Math.min(pos, line.length))}^
            </pre>
          )}
          {problem && (
            <p className="error-text" id={`${id}-err`} role="alert">
              {problem}
            </p>
          )}
        </>
      )}
      <p className="hint muted" id={`${id}-help`}>
        {help}
      </p>
    </fieldset>
  );
}
