/**
 * What the dashboard knows about one field type: how to edit its options in the collection
 * editor, how to edit a value in the record form and how to show a value in the records table.
 * One file per type in this folder, mirroring the server's core/fields (STYLE §3).
 * @module
 */
import type { ReactNode } from 'react';
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';
import type { FieldErrors } from '../lib/errors.ts';

export interface SettingsProps {
  field: CollectionField;
  onChange: (patch: Partial<CollectionField>) => void;
  /** Errors the server reported for this field's options. */
  errors?: FieldErrors;
  collections: CollectionModel[];
}

export interface InputProps {
  field: CollectionField;
  value: unknown;
  onChange: (value: unknown) => void;
  /** The record being edited, or null when creating. */
  record: RecordModel | null;
  error?: string;
  /** Tells the form the value cannot be submitted as it is (e.g. JSON that does not parse). */
  onInvalid?: (problem: string | undefined) => void;
}

export interface FieldKind {
  type: string;
  label: string;
  /** Options a new field of this type starts with. */
  defaults: Partial<CollectionField>;
  Settings: (props: SettingsProps) => ReactNode;
  Input: (props: InputProps) => ReactNode;
  /** Compact rendering for a table cell. */
  view: (value: unknown, record: RecordModel, field: CollectionField) => ReactNode;
  /** The form value for a new record. */
  empty: (field: CollectionField) => unknown;
}

/** A field holds several values when maxSelect > 1 (select, relation, file). */
export function isMultiple(field: CollectionField): boolean {
  return Number(field.maxSelect ?? 0) > 1;
}
