import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  render: (row: T) => ReactNode;
  /** When set, the header is a button that toggles the sort on this key. */
  sortable?: boolean;
  className?: string;
}

export interface TableProps<T> {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Current sort, PocketBase style: `name` ascending, `-name` descending, '' none. */
  sort?: string;
  onSort?: (sort: string) => void;
  onRowClick?: (row: T) => void;
  isSelected?: (row: T) => boolean;
  empty?: ReactNode;
  caption?: string;
}

/** Cycles a column through ascending → descending → unsorted. */
export function nextSort(current: string, key: string): string {
  if (current === key) return `-${key}`;
  if (current === `-${key}`) return '';
  return key;
}

/**
 * A data table. Row clicks are a mouse convenience; every row must also contain a real button
 * or link (the caller's first column) so the keyboard reaches the same action.
 */
export default function Table<T>({ columns, rows, rowKey, sort = '', onSort, onRowClick, isSelected, empty, caption }: TableProps<T>) {
  return (
    <div className="table-wrap">
      <table className="table">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => {
              const dir = sort === c.key ? 'ascending' : sort === `-${c.key}` ? 'descending' : undefined;
              return (
                <th key={c.key} className={c.className} aria-sort={c.sortable ? (dir ?? 'none') : undefined} scope="col">
                  {c.sortable && onSort ? (
                    <button type="button" className="sort-btn" onClick={() => onSort(nextSort(sort, c.key))}>
                      {c.header}
                      <span aria-hidden="true">{dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : ''}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty ?? 'Nothing here yet.'}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr
                key={rowKey(row)}
                className={[onRowClick ? 'clickable' : '', isSelected?.(row) ? 'selected' : ''].join(' ')}
                onClick={(e) => {
                  // Clicks on the row's own controls do their own thing.
                  if (onRowClick && !(e.target as HTMLElement).closest('button, a, input, label, select')) onRowClick(row);
                }}
              >
                {columns.map((c) => (
                  <td key={c.key} className={c.className}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
