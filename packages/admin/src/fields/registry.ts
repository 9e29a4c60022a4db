/** Every field type the dashboard can edit, keyed by the server's type name. */
import { autodateField } from './autodate-field.tsx';
import { boolField } from './bool-field.tsx';
import { dateField } from './date-field.tsx';
import { editorField } from './editor-field.tsx';
import { emailField } from './email-field.tsx';
import type { FieldKind } from './field-kind.ts';
import { fileField } from './file-field.tsx';
import { geoPointField } from './geo-point-field.tsx';
import { jsonField } from './json-field.tsx';
import { numberField } from './number-field.tsx';
import { passwordField } from './password-field.tsx';
import { relationField } from './relation-field.tsx';
import { selectField } from './select-field.tsx';
import { textField } from './text-field.tsx';
import { urlField } from './url-field.tsx';

export const FIELD_KINDS: readonly FieldKind[] = [
  textField,
  editorField,
  numberField,
  boolField,
  emailField,
  urlField,
  dateField,
  autodateField,
  selectField,
  fileField,
  relationField,
  jsonField,
  geoPointField,
  passwordField,
];

export function fieldKind(type: string): FieldKind {
  return FIELD_KINDS.find((k) => k.type === type) ?? textField;
}
