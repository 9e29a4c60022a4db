/** @module Registers every built-in field type of spec §5.4 on import and re-exports their API. */
import { registerFieldType } from './registry.ts';
import type { FieldType } from './field.ts';
import { autodateField } from './autodate-field.ts';
import { boolField } from './bool-field.ts';
import { dateField } from './date-field.ts';
import { editorField } from './editor-field.ts';
import { emailField } from './email-field.ts';
import { fileField } from './file-field.ts';
import { geoPointField } from './geo-point-field.ts';
import { jsonField } from './json-field.ts';
import { numberField } from './number-field.ts';
import { passwordField } from './password-field.ts';
import { relationField } from './relation-field.ts';
import { selectField } from './select-field.ts';
import { textField } from './text-field.ts';
import { urlField } from './url-field.ts';

/** The built-in field types, in the order of spec §5.4. */
export const BUILTIN_FIELD_TYPES: readonly FieldType[] = [
  textField,
  numberField,
  boolField,
  emailField,
  urlField,
  editorField,
  dateField,
  autodateField,
  selectField,
  fileField,
  relationField,
  jsonField,
  geoPointField,
  passwordField,
];

for (const type of BUILTIN_FIELD_TYPES) registerFieldType(type);

export type { FieldModifier, FieldType, SettingsValidationContext, ValueValidationContext } from './field.ts';
export { fieldTypeNames, fieldTypeOf, findFieldType, registerFieldType } from './registry.ts';
export { autodateField, autodateValueOnSave } from './autodate-field.ts';
export { boolField, toBool } from './bool-field.ts';
export { dateField, datetimeFromDriver } from './date-field.ts';
export { DEFAULT_EDITOR_MAX_SIZE, editorField, editorMaxSize } from './editor-field.ts';
export { MAX_EMAIL_LENGTH, emailField, isEmailFormat } from './email-field.ts';
export {
  DEFAULT_FILE_MAX_SIZE,
  MAX_FILENAME_LENGTH,
  THUMB_SIZE_PATTERN,
  fileField,
  fileMaxSelect,
  fileMaxSize,
  isStoredFilename,
} from './file-field.ts';
export { geoPointField, toGeoPoint, type GeoPoint } from './geo-point-field.ts';
export { DEFAULT_JSON_MAX_SIZE, jsonField, jsonMaxSize, toJsonValue } from './json-field.ts';
export { numberField } from './number-field.ts';
export { DEFAULT_BCRYPT_COST, MAX_BCRYPT_COST, MAX_PASSWORD_LENGTH, MIN_BCRYPT_COST, passwordCost, passwordField } from './password-field.ts';
export { RELATION_LOOKUP_CHUNK, relationField, relationTarget } from './relation-field.ts';
export { selectField } from './select-field.ts';
export {
  DEFAULT_ID_PATTERN,
  DEFAULT_TEXT_MAX_LENGTH,
  FORBIDDEN_PK_CHARACTERS,
  RESERVED_PKS,
  autogenerateTextValue,
  textField,
  validateTextValue,
} from './text-field.ts';
export { MAX_URL_LENGTH, urlField, urlHost } from './url-field.ts';
export { compileFieldPattern, formatDecimal, toFloat, toText, toUniqueStrings } from './field-helpers.ts';
