import { useEffect, useMemo } from 'react';
import type { RecordModel } from 'pocketbase';
import { pb } from '../lib/pb.ts';
import { isMultiple, type FieldKind, type InputProps } from './field-kind.ts';
import { BoolOption, ListOption, NumberOption } from './shared.tsx';

/** The form value of a file field: stored names to keep and new uploads. */
export interface FileValue {
  keep: string[];
  add: File[];
  /** Stored names when the form opened, so the form knows whether anything changed. */
  original: string[];
}

export function isFileValue(v: unknown): v is FileValue {
  return typeof v === 'object' && v !== null && Array.isArray((v as FileValue).keep) && Array.isArray((v as FileValue).add);
}

export function storedNames(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
}

const IMAGE = /\.(png|jpe?g|gif|webp|avif|svg)$/i;

function thumbUrl(record: RecordModel, name: string, isProtected: boolean): string | undefined {
  // Protected files need a file token; the table and form show their names only.
  if (isProtected || !IMAGE.test(name)) return undefined;
  return pb.files.getURL(record, name, { thumb: '100x100' });
}

function NewFilePreview({ file }: { file: File }) {
  const url = useMemo(() => (file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined), [file]);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  return (
    <>
      {url ? <img src={url} alt="" /> : <span aria-hidden="true">📄</span>}
      <span>{file.name}</span>
    </>
  );
}

function FileInput({ field, value, onChange, record }: InputProps) {
  const v: FileValue = isFileValue(value) ? value : { keep: [], add: [], original: [] };
  const multiple = isMultiple(field);
  const max = multiple ? Number(field.maxSelect) : 1;
  const count = v.keep.length + v.add.length;
  return (
    <div className="stack">
      {(v.original.length > 0 || v.add.length > 0) && (
        <div className="file-list">
          {v.original.map((name) => {
            const kept = v.keep.includes(name);
            const thumb = record ? thumbUrl(record, name, field.protected === true) : undefined;
            return (
              <div key={name} className={`file-item ${kept ? '' : 'removed'}`}>
                {thumb ? <img src={thumb} alt="" /> : <span aria-hidden="true">📄</span>}
                {record && !field.protected ? (
                  <a href={pb.files.getURL(record, name)} target="_blank" rel="noreferrer">
                    {name}
                  </a>
                ) : (
                  <span>{name}</span>
                )}
                <button
                  type="button"
                  className="btn small"
                  aria-label={`${kept ? 'Remove' : 'Restore'} ${name}`}
                  onClick={() => onChange({ ...v, keep: kept ? v.keep.filter((k) => k !== name) : [...v.keep, name] })}
                >
                  {kept ? 'Remove' : 'Restore'}
                </button>
              </div>
            );
          })}
          {v.add.map((file, i) => (
            <div key={`${file.name}-${i}`} className="file-item">
              <NewFilePreview file={file} />
              <button type="button" className="btn small" aria-label={`Remove ${file.name}`} onClick={() => onChange({ ...v, add: v.add.filter((_, j) => j !== i) })}>
                Remove
              </button>
            </div>
          ))}
        </div>
      )}
      <input
        type="file"
        multiple={multiple}
        accept={Array.isArray(field.mimeTypes) && field.mimeTypes.length ? (field.mimeTypes as string[]).join(',') : undefined}
        disabled={multiple && count >= max}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (!files.length) return;
          // A single file field replaces its value; a multiple one appends up to maxSelect.
          onChange(multiple ? { ...v, add: [...v.add, ...files].slice(0, Math.max(0, max - v.keep.length)) } : { ...v, keep: [], add: files.slice(0, 1) });
        }}
      />
    </div>
  );
}

export const fileField: FieldKind = {
  type: 'file',
  label: 'File',
  defaults: { maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false },
  Settings: (props) => (
    <div className="grid-2">
      <NumberOption name="maxSelect" label="Max files" props={props} hint="1 = single file." />
      <NumberOption name="maxSize" label="Max size (bytes)" props={props} hint="0 means 5 MiB." />
      <ListOption name="mimeTypes" label="Allowed MIME types" props={props} hint="e.g. image/png, image/jpeg; empty = any." />
      <ListOption name="thumbs" label="Thumb sizes" props={props} hint="e.g. 100x100, 0x300" />
      <BoolOption name="protected" label="Protected (needs a file token)" props={props} />
    </div>
  ),
  Input: (props) => <FileInput {...props} />,
  view: (value, record, field) => {
    const names = storedNames(value);
    if (!names.length) return <span className="muted">—</span>;
    return names.slice(0, 3).map((name) => {
      const thumb = thumbUrl(record, name, field.protected === true);
      return thumb ? <img key={name} className="thumb" src={thumb} alt={name} loading="lazy" /> : <span key={name} className="chip">{name}</span>;
    });
  },
  empty: () => ({ keep: [], add: [], original: [] }) satisfies FileValue,
};
