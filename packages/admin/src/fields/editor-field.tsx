import type { FieldKind } from './field-kind.ts';
import { BoolOption, NumberOption } from './shared.tsx';

/** Rich text is edited as HTML source in a textarea (no editor library, no inline scripts). */
export const editorField: FieldKind = {
  type: 'editor',
  label: 'Rich editor',
  defaults: { maxSize: 0, convertURLs: false },
  Settings: (props) => (
    <div className="grid-2">
      <NumberOption name="maxSize" label="Max size (bytes)" props={props} hint="0 means 5 MiB." />
      <BoolOption name="convertURLs" label="Convert URLs" props={props} />
    </div>
  ),
  Input: ({ value, onChange }) => <textarea className="mono" rows={8} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />,
  view: (value) => {
    const text = String(value ?? '').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    return text ? <span className="cell-text">{text}</span> : <span className="muted">—</span>;
  },
  empty: () => '',
};
