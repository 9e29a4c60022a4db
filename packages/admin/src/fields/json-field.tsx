import { useState } from 'react';
import type { FieldKind, InputProps } from './field-kind.ts';
import { NumberOption } from './shared.tsx';

function JsonInput({ value, onChange, onInvalid }: InputProps) {
  const [text, setText] = useState(() => (value === null || value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [problem, setProblem] = useState<string>();
  const update = (next: string) => {
    setText(next);
    if (next.trim() === '') {
      setProblem(undefined);
      onInvalid?.(undefined);
      onChange(null);
      return;
    }
    try {
      onChange(JSON.parse(next));
      setProblem(undefined);
      onInvalid?.(undefined);
    } catch (err) {
      const message = `Invalid JSON: ${(err as Error).message}`;
      setProblem(message);
      onInvalid?.(message);
    }
  };
  return (
    <>
      <textarea className="mono" rows={6} spellCheck={false} value={text} onChange={(e) => update(e.target.value)} aria-invalid={problem ? true : undefined} />
      {problem && <p className="error-text">{problem}</p>}
    </>
  );
}

export const jsonField: FieldKind = {
  type: 'json',
  label: 'JSON',
  defaults: { maxSize: 0 },
  Settings: (props) => <NumberOption name="maxSize" label="Max size (bytes)" props={props} hint="0 means 1 MiB." />,
  Input: (props) => <JsonInput {...props} />,
  view: (value) => {
    const s = value === null || value === undefined ? '' : JSON.stringify(value);
    return s ? <code className="cell-text">{s}</code> : <span className="muted">null</span>;
  },
  empty: () => null,
};
