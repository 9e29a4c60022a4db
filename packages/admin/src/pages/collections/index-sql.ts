/** Building and re-targeting the `CREATE INDEX` statements of collection JSON. */

/** The SQL PocketBase writes for an index (the server re-targets the table on rename). */
export function indexSql(collection: string, columns: string[], unique: boolean): string {
  const name = `idx_${collection || 'new'}_${columns.join('_')}`.replace(/\W/g, '_');
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX \`${name}\` ON \`${collection}\` (${columns.map((c) => `\`${c}\``).join(', ')})`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Points index statements at the collection's new name while the user types it. The server's
 * scaffolds come with `ON \`\`` and names ending in `_` (the collection name goes there), which
 * it cannot accept as they are; the names must also differ between collections.
 */
export function retargetIndexes(indexes: string[], from: string, to: string): string[] {
  const ownName = new RegExp(`^(\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?[\`"]?idx_\\w*_)${escapeRegExp(from)}([\`"]?\\s+ON\\s)`, 'i');
  return indexes.map((sql) => sql.replace(ownName, `$1${to}$2`).replace(/(\bON\s+)(`[^`]*`|"[^"]*"|\[[^\]]*\]|\w+)/i, `$1\`${to}\``));
}
