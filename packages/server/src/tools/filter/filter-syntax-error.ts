/**
 * The one error the filter tokenizer and parser throw.
 * @module
 */

/**
 * A filter or rule that does not follow the grammar of spec §4.1. `position` is the 0-based
 * offset (in UTF-16 code units, i.e. a JavaScript string index) where reading failed; the message
 * says what was expected there and what was found.
 */
export class FilterSyntaxError extends Error {
  readonly position: number;

  constructor(message: string, position: number) {
    super(message);
    this.name = 'FilterSyntaxError';
    this.position = position;
  }
}

/** Renders a piece of input for an error message: quoted, control characters escaped, shortened. */
export function describeFound(text: string | undefined): string {
  if (text === undefined || text === '') return 'end of input';
  const short = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  return JSON.stringify(short);
}
